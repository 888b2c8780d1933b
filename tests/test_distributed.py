"""``kg-builder build --engine dask``: the same graph from a cluster of two workers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from typer.testing import CliRunner

from kg_builder.cli import app
from tests.conftest import SAMPLES

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Dask cluster: two worker processes, one thread each."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local.scheduler_address


def _graphs(path: Path) -> dict[str, Graph]:
    """The graphs of an N-Quads file, by name ("" for the default graph)."""
    lines: dict[str, list[str]] = {}
    for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        lines.setdefault(name, []).append(f"{q.subject} {q.predicate} {q.object} .")
    return {
        name: Graph().parse(data="\n".join(nt), format="nt")
        for name, nt in lines.items()
    }


@pytest.mark.slow
def test_dask_build_gives_the_single_process_graph(
    cluster: str, sample_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dask"
    result = CliRunner().invoke(
        app,
        ["build", str(SAMPLES), "--out", str(out), "--engine", "dask"]
        + ["--scheduler", cluster, "--quiet"],
    )
    assert result.exit_code == 0, result.output
    here, there = _graphs(sample_out / "graph.nq"), _graphs(out / "graph.nq")
    assert sorted(here) == sorted(there)
    for name, graph in here.items():
        if not isomorphic(graph, there[name]):
            _, only_local, only_dask = graph_diff(
                to_isomorphic(graph), to_isomorphic(there[name])
            )
            pytest.fail(
                f"graph {name or 'default'}: only local {sorted(only_local)[:5]}, "
                f"only dask {sorted(only_dask)[:5]}"
            )
    # In fact the same bytes in every output.
    for name in ("graph.nq", "graph.trig", "graph.ttl", "report.json"):
        assert (out / name).read_bytes() == (sample_out / name).read_bytes(), name
    for path in (sample_out / "articles").iterdir():
        assert (out / "articles" / path.name).read_bytes() == path.read_bytes()


def test_dask_engine_maps_in_order(cluster: str) -> None:
    from kg_builder.distributed import DaskEngine

    with DaskEngine(cluster, in_flight=1) as engine:
        assert engine.parallelism == 2
        assert list(engine.map(divmod, range(10), 3)) == [
            divmod(i, 3) for i in range(10)
        ]


def test_engine_options_are_checked(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (
        ["--engine", "dask"],
        ["--scheduler", "tcp://x:1"],
        ["--engine", "ray"],
    ):
        result = runner.invoke(
            app, ["build", str(SAMPLES), "--out", str(tmp_path / "o"), *args]
        )
        assert result.exit_code == 2, (args, result.output)
        assert "--engine" in result.output
