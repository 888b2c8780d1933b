"""The embedded store: loading builds, replacing article graphs, merging
descriptions, and the ``load`` command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg_builder.cli import app
from kg_builder.errors import InputError
from kg_builder.pipeline import build
from kg_builder.store import is_store, load_build, open_build, open_store

ID = "https://w3id.org/defense-alliance/id/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

ARTICLE_A = (
    "US Secretary of State Antony Blinken met Japanese Foreign Minister "
    "Yoshimasa Hayashi in Washington. The 12th Marine Regiment will be "
    "reorganized into the 12th Marine Littoral Regiment on Okinawa.\n"
)
ARTICLE_A2 = (
    "US Defense Secretary Lloyd Austin met Japanese Defense Minister "
    "Yasukazu Hamada in Tokyo. Blinken was not there.\n"
)
ARTICLE_B = (
    "British Prime Minister Rishi Sunak and Japanese Prime Minister Fumio "
    "Kishida signed a defence agreement in London.\n"
)


def quads_of(nq: Path) -> set[ox.Quad]:
    """The quads of ``nq`` as any Oxigraph store holds them: literals in canonical
    form (``"5"^^xsd:nonNegativeInteger`` is kept as ``"5"^^xsd:integer``)."""
    memory = ox.Store()
    memory.load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    return set(memory)


def test_oxigraph_stores_literals_by_value():
    """Why the tests compare with a store, not with the parsed file."""
    memory = ox.Store()
    memory.load(
        input='<http://x/s> <http://x/p> "5"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .',
        format=ox.RdfFormat.N_TRIPLES,
    )
    (quad,) = memory
    assert quad.object.datatype.value.endswith("#integer")


def store_quads(store_dir: Path) -> set[ox.Quad]:
    store = open_store(store_dir, read_only=True)
    return set(store)


def graph_of(quads: set[ox.Quad], graph: str | None) -> set[ox.Quad]:
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    return {q for q in quads if q.graph_name == name}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build 1: articles a and b. Build 2: a newer version of article a alone."""
    root = tmp_path_factory.mktemp("builds")
    v1, v2 = root / "in1", root / "in2"
    v1.mkdir()
    v2.mkdir()
    (v1 / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (v1 / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    (v2 / "a.txt").write_text(ARTICLE_A2, encoding="utf-8")
    out1, out2 = root / "out1", root / "out2"
    assert build([v1], out1, model="blank").conforms
    assert build([v2], out2, model="blank").conforms
    return {"v1": out1, "v2": out2}


def article_iri(out: Path, stem: str) -> str:
    (graph,) = {
        q.graph_name.value
        for q in quads_of(out / "graph.nq")
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith(stem)
    }
    return graph


def test_load_gives_the_build_exactly(builds, tmp_path):
    report = load_build(builds["v1"], tmp_path / "store")
    expected = quads_of(builds["v1"] / "graph.nq")
    assert store_quads(tmp_path / "store") == expected
    assert report.quads == len(expected) == report.store_quads
    assert report.articles == report.store_graphs == 2
    assert report.replaced == 0
    assert is_store(tmp_path / "store")


def test_loading_twice_duplicates_nothing(builds, tmp_path):
    load_build(builds["v1"], tmp_path / "store")
    first = store_quads(tmp_path / "store")
    report = load_build(builds["v1"], tmp_path / "store")
    assert report.replaced == 2
    assert report.store_quads == len(first)
    assert store_quads(tmp_path / "store") == first


def test_bulk_and_transactional_loads_agree(builds, tmp_path):
    load_build(builds["v1"], tmp_path / "bulk", bulk=True)
    load_build(builds["v1"], tmp_path / "tx", bulk=False)
    load_build(builds["v1"], tmp_path / "bulk", bulk=True)  # and a bulk reload
    assert store_quads(tmp_path / "bulk") == store_quads(tmp_path / "tx")


def test_newer_build_of_one_article_replaces_its_graph_only(builds, tmp_path):
    a = article_iri(builds["v1"], "/a")
    b = article_iri(builds["v1"], "/b")
    assert a == article_iri(builds["v2"], "/a")
    old, new = quads_of(builds["v1"] / "graph.nq"), quads_of(builds["v2"] / "graph.nq")
    assert graph_of(old, a) != graph_of(new, a)

    load_build(builds["v1"], tmp_path / "store")
    report = load_build(builds["v2"], tmp_path / "store")
    assert report.articles == 1 and report.replaced == 1
    got = store_quads(tmp_path / "store")
    assert graph_of(got, a) == graph_of(new, a)  # replaced, nothing of v1 left
    assert graph_of(got, b) == graph_of(old, b)  # untouched
    assert report.store_graphs == 2
    # The article's metadata is v2's (its text and checksum changed).
    sha = ox.NamedNode("https://w3id.org/defense-alliance/ontology#sha256")
    shas = {
        q.object for q in got if q.subject == ox.NamedNode(a) and q.predicate == sha
    }
    assert shas == {
        q.object for q in new if q.subject == ox.NamedNode(a) and q.predicate == sha
    }
    # Entities only b mentions keep their v1 description.
    sunak = ox.NamedNode(f"{ID}official/rishi-sunak")
    assert graph_of({q for q in old if q.subject == sunak}, None)
    assert graph_of({q for q in got if q.subject == sunak}, None) == graph_of(
        {q for q in old if q.subject == sunak}, None
    )


def write_nq(out: Path, text: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "graph.nq").write_text(text, encoding="utf-8")
    return out


E = f"<{ID}official/antony-blinken>"
DAL = "https://w3id.org/defense-alliance/ontology#"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
G1 = f"<{ID}article/one>"
G2 = f"<{ID}article/two>"


def test_a_changed_label_replaces_the_old_and_alt_labels_accumulate(tmp_path):
    one = write_nq(
        tmp_path / "one",
        f'{E} {LABEL} "Anthony Blinken" .\n'
        f'{E} {ALT} "Blinken" .\n'
        f"{E} {TYPE} <{DAL}Official> .\n"
        f"{E} {TYPE} <{DAL}Organization> .\n"
        f'<{ID}article/one#m> <{DAL}rule> "x" {G1} .\n',
    )
    two = write_nq(
        tmp_path / "two",
        f'{E} {LABEL} "Antony Blinken" .\n'
        f'{E} {ALT} "Anthony Blinken" .\n'
        f'{E} {ALT} "A. Blinken" .\n'
        f"{E} {TYPE} <{DAL}Official> .\n"
        f'<{ID}article/two#m> <{DAL}rule> "y" {G2} .\n',
    )
    store = tmp_path / "store"
    load_build(one, store)
    load_build(two, store)
    got = store_quads(store)
    entity = ox.NamedNode(E[1:-1])

    def values(p: ox.NamedNode) -> set[str]:
        return {
            q.object.value
            for q in got
            if q.subject == entity
            and q.predicate == p
            and isinstance(q.graph_name, ox.DefaultGraph)
        }

    assert values(RDFS_LABEL) == {"Antony Blinken"}  # one label, the newest
    assert values(SKOS_ALT) == {"Blinken", "Anthony Blinken", "A. Blinken"}
    assert values(RDF_TYPE) == {f"{DAL}Official"}  # a wrong type does not linger
    assert len({q.graph_name for q in got} - {ox.DefaultGraph()}) == 2

    # Back to the first spelling: the alt label that became canonical is dropped.
    load_build(one, store)
    got = store_quads(store)
    assert values(RDFS_LABEL) == {"Anthony Blinken"}
    assert "Anthony Blinken" not in values(SKOS_ALT)


def test_out_dir_must_be_a_build(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"not a kg-builder build \(no graph\.nq\)"):
        load_build(tmp_path / "empty", tmp_path / "store")
    with pytest.raises(InputError, match="no such build directory"):
        load_build(tmp_path / "missing", tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_invalid_or_blank_node_builds_are_refused(tmp_path):
    bad = write_nq(tmp_path / "bad", "<http://x/s> <http://x/p> .\n")
    with pytest.raises(InputError, match="not valid N-Quads"):
        load_build(bad, tmp_path / "store")
    blank = write_nq(tmp_path / "blank", '_:b <http://x/p> "1" .\n')
    with pytest.raises(InputError, match="blank nodes"):
        load_build(blank, tmp_path / "store")


def test_store_must_be_a_store_or_empty(builds, tmp_path):
    shutil.copytree(builds["v1"], tmp_path / "copy")
    with pytest.raises(InputError, match="not empty and is not an Oxigraph store"):
        load_build(builds["v1"], tmp_path / "copy")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        open_store(tmp_path / "file")


def test_open_store_read_only_and_locking(builds, tmp_path):
    with pytest.raises(InputError, match="no store here"):
        open_store(tmp_path / "nothing", read_only=True)
    load_build(builds["v1"], tmp_path / "store")
    writer = open_store(tmp_path / "store")
    reader = open_store(tmp_path / "store", read_only=True)  # beside a writer
    assert len(reader) == len(writer) > 0
    with pytest.raises(InputError, match="in use by another process"):
        open_store(tmp_path / "store")
    del writer, reader


def test_open_build_queries_a_build_in_memory(builds):
    store = open_build(builds["v1"])
    assert set(store) == quads_of(builds["v1"] / "graph.nq")


def test_cli_load(builds, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        app, ["load", str(builds["v1"]), "--store", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    assert "2 article graphs (0 replaced)" in result.output
    n = len(quads_of(builds["v1"] / "graph.nq"))
    assert f"store: 2 article graphs, {n} quads" in result.output
    result = runner.invoke(app, ["load", str(tmp_path), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "error:" in result.output and "graph.nq" in result.output
    assert "Traceback" not in result.output
