"""The main job on the sample corpus: conforms, counts, provenance, same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from kg_builder.namespace import DAL, NIF
from tests.conftest import SAMPLES

OUTPUTS = ["graph.ttl", "graph.trig", "graph.nq", "validation.ttl", "report.json"]


def test_outputs_exist_and_parse(sample_out: Path):
    for name in OUTPUTS:
        assert (sample_out / name).is_file(), name
    g = Graph().parse(sample_out / "graph.ttl")
    quads = list(
        ox.parse(path=str(sample_out / "graph.trig"), format=ox.RdfFormat.TRIG)
    )
    assert len(g) > 500
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(g)
    ids = sorted(p.stem for p in SAMPLES.glob("*.txt"))
    assert sorted(p.stem for p in (sample_out / "articles").glob("*.ttl")) == ids


def test_summary_counts_every_main_type(sample_out: Path):
    summary = json.loads((sample_out / "report.json").read_text())
    assert summary["conforms"] is True
    for kind in ("official", "unit", "base", "island", "treaty", "treaty-article"):
        assert summary["entities"].get(kind, 0) >= 1, kind
    assert summary["mentions"] > 100 and summary["assertions"] > 30


def test_every_anchor_equals_the_text_at_its_offsets(sample_out: Path):
    g = Graph().parse(sample_out / "graph.ttl")
    texts = {s: str(o) for s, o in g.subject_objects(NIF.isString)}
    n = 0
    for node in set(g.subjects(NIF.anchorOf)):
        ctx = g.value(node, NIF.referenceContext)
        b, e = int(g.value(node, NIF.beginIndex)), int(g.value(node, NIF.endIndex))
        assert texts[ctx][b:e] == str(g.value(node, NIF.anchorOf))
        n += 1
    assert n > 100


def test_photographers_are_not_officials(sample_out: Path):
    g = Graph().parse(sample_out / "graph.ttl")
    officials = {str(s).rsplit("/", 1)[1] for s in g.subjects(RDF.type, DAL.Official)}
    for photographer in (
        "charly-triballeau",
        "ting-shen",
        "alex-brandon",
        "elias-chelala",
        "alexis-sandoval",
        "manuel-alvarado",
    ):
        assert photographer not in officials


def test_named_graph_per_article(sample_out: Path):
    quads = ox.parse(path=str(sample_out / "graph.trig"), format=ox.RdfFormat.TRIG)
    names = {
        q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)
    }
    for stem in (p.stem for p in SAMPLES.glob("*.txt")):
        assert f"https://w3id.org/defense-alliance/id/article/{stem}" in names


@pytest.mark.slow
def test_rebuild_gives_the_same_bytes(sample_out: Path, tmp_path: Path):
    from kg_builder.pipeline import build

    again = tmp_path / "again"
    build([SAMPLES], again)
    for name in OUTPUTS:
        assert (again / name).read_bytes() == (sample_out / name).read_bytes(), name


def test_cli_exit_status_and_summary(tmp_path: Path):
    from typer.testing import CliRunner

    from kg_builder.cli import app

    result = CliRunner().invoke(
        app,
        [
            "build",
            str(SAMPLES / "000_882f0b8c3bdfd23a.txt"),
            "--out",
            str(tmp_path / "o"),
            "--model",
            "blank",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "conforms: yes" in result.output
    missing = CliRunner().invoke(
        app, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "o2")]
    )
    assert missing.exit_code == 2
