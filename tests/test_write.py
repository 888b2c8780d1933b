"""Tests for kg_builder/write.py: deterministic, re-parsable, atomic outputs."""

from __future__ import annotations

import json
import os
import random
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS
from rdflib.term import Node

from kg_builder import write
from kg_builder.errors import OutputError
from kg_builder.iri import article_iri, mint
from kg_builder.namespace import DAL, DEFAULT_BASE, ITSRDF, NIF, PREFIXES, WD
from kg_builder.write import (
    article_file_name,
    serialize_nquads,
    serialize_trig,
    serialize_turtle,
    write_outputs,
)

B = DEFAULT_BASE
Quad = tuple[Node, Node, Node, Node | None]

# Text that has broken serializers: rdflib writes `x\n\"` as an invalid long string.
NASTY = [
    'he said "no"',
    'three """ quotes',
    'ends in a quote"',
    'ends in a backslash and a quote\n\\"',
    "back\\slash\\",
    "multi\nline\r\ntext\n",
    "nul\x00byte",
    "bidi \u202eevil\u202c and \u2066isolate\u2069",
    "tab\tform\ffeed\bbell\x07del\x7f",
    "line\u2028separator",
    "\ufeffbom",
    "emoji 🛰️ and 中文 and é",
    "",
    '"',
    '""',
    '""""',
    "\n",
]

ENTITY = {
    "blinken": URIRef(mint(B, "official", "Antony Blinken")),
    "state": URIRef(mint(B, "position", "Secretary of State of the United States")),
    "us": URIRef(mint(B, "country", "United States")),
    "japan": URIRef(mint(B, "country", "Japan")),
    "unit": URIRef(mint(B, "unit", "12th Marine Littoral Regiment")),
}
ARTICLE_IDS = ["000_882f0b8c3bdfd23a", "001_aa", "Report: Okinawa / 2024 (draft)"]
ARTICLES = {a: article_iri(B, a) for a in ARTICLE_IDS}


def _sample_quads() -> list[Quad]:
    """A small build: entities, articles, mentions, facts, assertions, nasty text."""
    e = ENTITY
    quads: list[Quad] = [
        (e["blinken"], RDF.type, DAL.Official, None),
        (e["blinken"], RDFS.label, Literal("Antony Blinken"), None),
        (e["blinken"], SKOS.altLabel, Literal("Blinken"), None),
        (e["blinken"], SKOS.altLabel, Literal("Antony J. Blinken"), None),
        (e["state"], RDF.type, DAL.Position, None),
        (e["state"], RDFS.label, Literal("Secretary of State", lang="en"), None),
        (e["us"], RDF.type, DAL.Country, None),
        (e["us"], RDFS.label, Literal("United States"), None),
        (e["us"], OWL.sameAs, WD.Q30, None),
        (e["japan"], RDF.type, DAL.Country, None),
        (e["japan"], RDFS.label, Literal("日本"), None),
        (e["unit"], RDF.type, DAL.MilitaryUnit, None),
        (e["unit"], RDFS.label, Literal("12th Marine Littoral Regiment"), None),
        (DAL.Land, RDF.type, DAL.Domain, None),
    ]
    run = URIRef(B + "run/3f2a")
    quads += [
        (run, RDF.type, DAL.ExtractionRun, None),
        (run, DAL.toolVersion, Literal("0.1.0"), None),
        (run, DAL.confidence, Literal("1e0", datatype=XSD.double), None),
    ]
    for n, (article_id, iri) in enumerate(ARTICLES.items()):
        a = URIRef(iri)
        g = a
        text = f"{NASTY[n]}\nAntony Blinken visited Japan. {NASTY[-n - 4]}"
        quads += [
            (run, PROV.used, a, None),
            (a, RDF.type, DAL.SourceArticle, None),
            (a, DCTERMS.identifier, Literal(article_id), None),
            (a, DCTERMS.title, Literal(NASTY[n + 3]), None),
            (a, DCTERMS.issued, Literal("2023-01-12", datatype=XSD.date), None),
            (a, NIF.isString, Literal(text), None),
            (a, DAL.machineTranslated, Literal(False), None),
        ]
        mentioned = [e["blinken"], e["japan"]] if n < 2 else [e["unit"]]
        for i, entity in enumerate(mentioned):
            m = URIRef(f"{iri}/mention/{i * 10}-{i * 10 + 5}")
            quads += [
                (a, DAL.mentions, entity, None),
                (m, RDF.type, DAL.Mention, g),
                (m, NIF.referenceContext, a, g),
                (
                    m,
                    NIF.beginIndex,
                    Literal(i * 10, datatype=XSD.nonNegativeInteger),
                    g,
                ),
                (
                    m,
                    NIF.endIndex,
                    Literal(i * 10 + 5, datatype=XSD.nonNegativeInteger),
                    g,
                ),
                (m, NIF.anchorOf, Literal(NASTY[(n + i) % len(NASTY)]), g),
                (m, ITSRDF.taIdentRef, entity, g),
            ]
        asr = URIRef(f"{iri}/assertion/{n:012x}")
        ev = URIRef(f"{iri}#char=0,{10 + n}")
        quads += [
            (e["blinken"], DAL.holdsPosition, e["state"], g),
            (asr, RDF.type, DAL.Assertion, g),
            (asr, RDF.subject, e["japan"], g),
            (asr, RDF.predicate, DAL.personnelCount, g),
            (asr, RDF.object, Literal(54000 + n), g),
            (asr, DAL.confidence, Literal("0.8", datatype=XSD.decimal), g),
            (asr, DAL.evidence, ev, g),
            (asr, PROV.wasDerivedFrom, a, g),
            (ev, RDF.type, DAL.Evidence, g),
            (ev, NIF.anchorOf, Literal(NASTY[n + 5]), g),
        ]
    return quads


def _dataset(quads: list[Quad], seed: int | None = None) -> Dataset:
    quads = list(quads)
    if seed is not None:
        random.Random(seed).shuffle(quads)
    ds = Dataset()
    for s, p, o, g in quads:
        (ds.default_graph if g is None else ds.graph(g)).add((s, p, o))
    return ds


def _report() -> Graph:
    """A real pySHACL report: blank-node results, one shared blank source shape."""
    data = Graph().parse(
        format="turtle",
        data="""@prefix ex: <http://example.org/> .
        ex:a a ex:C . ex:b a ex:C ; ex:n 1, 2 . ex:c a ex:C ; ex:name "c" .""",
    )
    shapes = Graph().parse(
        format="turtle",
        data="""@prefix ex: <http://example.org/> .
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ;
                          sh:message "needs a \\"name\\"\\n(see DESIGN.md)" ] ;
            sh:property [ sh:path ex:n ; sh:maxCount 1 ] .""",
    )
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes)
    assert not conforms
    return report


def _shuffled_copy(graph: Graph, seed: int) -> Graph:
    """The same graph, inserted in another order, with fresh blank-node ids."""
    fresh: dict[Node, BNode] = {}

    def relabel(t: Node) -> Node:
        return fresh.setdefault(t, BNode()) if isinstance(t, BNode) else t

    triples = list(graph)
    random.Random(seed).shuffle(triples)
    out = Graph()
    for s, p, o in triples:
        out.add((relabel(s), p, relabel(o)))
    return out


def _write(out: Path, seed: int | None = None, **kw: object) -> dict[str, Path]:
    kwargs: dict = {
        "article_iris": ARTICLES,
        "report": _report() if seed is None else _shuffled_copy(_report(), seed),
        "summary": {"articles": 3, "conforms": False, "by_kind": {"unit": 1, "b": 2}},
    }
    kwargs.update(kw)
    return write_outputs(_dataset(_sample_quads(), seed), out, **kwargs)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _quads_of(ds: Dataset) -> set[tuple[Node, Node, Node, Node | None]]:
    out = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        out.add((s, p, o, None if name == DATASET_DEFAULT_GRAPH_ID else name))
    return out


def _rdflib_dataset(data: bytes, fmt: str) -> Dataset:
    # rdflib 7.6's own Dataset.parse calls its deprecated ConjunctiveGraph API.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Dataset().parse(data=data, format=fmt)


def _ox(data: bytes, fmt: ox.RdfFormat) -> list:
    return list(ox.parse(data, format=fmt))


def _assert_same(expected: Graph, got: Graph) -> None:
    if not isomorphic(expected, got):
        _, only_expected, only_got = graph_diff(expected, got)
        pytest.fail(
            "graphs differ\nonly expected:\n"
            + only_expected.serialize(format="nt")
            + "\nonly written:\n"
            + only_got.serialize(format="nt")
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    out = tmp_path_factory.mktemp("built") / "out"
    yield out, _write(out)


# --- what is written ---------------------------------------------------------------


def test_writes_every_output_and_returns_the_paths(built: tuple[Path, dict]) -> None:
    out, paths = built
    expected = {"graph.ttl", "graph.trig", "graph.nq", "validation.ttl", "report.json"}
    expected |= {f"articles/{article_file_name(a)}" for a in ARTICLE_IDS}
    assert set(paths) == expected
    assert all(paths[rel] == out / rel and paths[rel].is_file() for rel in paths)
    assert set(_snapshot(out)) == expected
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]  # no temp left


def test_same_bytes_whatever_the_insertion_order(tmp_path: Path) -> None:
    _write(tmp_path / "o0", seed=0)
    first = _snapshot(tmp_path / "o0")
    for seed in range(1, 9):
        out = tmp_path / f"o{seed}"
        _write(out, seed=seed)
        assert _snapshot(out) == first, f"insertion order {seed} changed the bytes"


def test_graph_ttl_is_the_union_and_reparses(built: tuple[Path, dict]) -> None:
    out, _ = built
    union = Graph()
    for s, p, o, _ in _sample_quads():
        union.add((s, p, o))
    data = (out / "graph.ttl").read_bytes()
    _assert_same(union, Graph().parse(data=data, format="turtle"))
    assert len(_ox(data, ox.RdfFormat.TURTLE)) == len(union)


@pytest.mark.parametrize(
    ("name", "rdflib_fmt", "ox_fmt"),
    [
        ("graph.trig", "trig", ox.RdfFormat.TRIG),
        ("graph.nq", "nquads", ox.RdfFormat.N_QUADS),
    ],
)
def test_dataset_files_keep_the_named_graphs(
    built: tuple[Path, dict], name: str, rdflib_fmt: str, ox_fmt: ox.RdfFormat
) -> None:
    out, _ = built
    expected = _quads_of(_dataset(_sample_quads()))
    data = (out / name).read_bytes()
    assert _quads_of(_rdflib_dataset(data, rdflib_fmt)) == expected
    quads = _ox(data, ox_fmt)
    assert len(quads) == len(expected)
    named = {
        q.graph_name.value
        for q in quads
        if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    assert named == set(ARTICLES.values())


def test_nquads_lines_are_sorted(built: tuple[Path, dict]) -> None:
    out, _ = built
    data = (out / "graph.nq").read_bytes()
    lines = data.decode("utf-8").splitlines()
    assert data.endswith(b" .\n")
    assert lines == sorted(lines)
    assert len(lines) == len(_quads_of(_dataset(_sample_quads())))


def _is_default(line: str) -> bool:
    (quad,) = ox.parse(line.encode(), format=ox.RdfFormat.N_QUADS)
    return isinstance(quad.graph_name, ox.DefaultGraph)


def test_default_graph_quads_are_written_as_triples(built: tuple[Path, dict]) -> None:
    out, _ = built
    lines = (out / "graph.nq").read_text("utf-8").splitlines()
    n_default = sum(1 for *_, g in _sample_quads() if g is None)
    assert sum(_is_default(ln) for ln in lines) == n_default
    label = f'<{ENTITY["blinken"]}> <{RDFS.label}> "Antony Blinken" .'
    assert label in lines


def test_turtle_is_grouped_prefixed_and_readable(built: tuple[Path, dict]) -> None:
    out, _ = built
    text = (out / "graph.ttl").read_text("utf-8")
    for prefix, ns in PREFIXES.items():
        assert f"@prefix {prefix}: <{ns}> .\n" in text
    blinken = (
        f"<{ENTITY['blinken']}> a dal:Official ;\n"
        '    rdfs:label "Antony Blinken" ;\n'
        '    skos:altLabel "Antony J. Blinken", "Blinken" ;\n'
        f"    dal:holdsPosition <{ENTITY['state']}> .\n"
    )
    assert blinken in text
    assert f"<{ENTITY['us']}> a dal:Country ;\n" in text
    assert "owl:sameAs wd:Q30" in text
    assert "dal:confidence 0.8 ;" in text  # xsd:decimal written bare
    assert "dal:machineTranslated false ;" in text
    assert '"2023-01-12"^^xsd:date' in text
    assert '"Secretary of State"@en' in text
    # each subject opens exactly one statement
    heads = [ln.split(" ")[0] for ln in text.splitlines() if ln.startswith("<")]
    assert len(heads) == len(set(heads))


def test_trig_has_the_default_graph_then_sorted_named_graphs(
    built: tuple[Path, dict],
) -> None:
    out, _ = built
    text = (out / "graph.trig").read_text("utf-8")
    blocks = [ln[:-2] for ln in text.splitlines() if ln.endswith(" {")]
    assert blocks == sorted(f"<{iri}>" for iri in ARTICLES.values())
    assert text.index(f"<{ENTITY['us']}> a dal:Country") < text.index(blocks[0] + " {")


def test_nasty_text_is_escaped_not_raw(built: tuple[Path, dict]) -> None:
    out, _ = built
    for rel in ("graph.ttl", "graph.trig", "graph.nq"):
        text = (out / rel).read_text("utf-8")
        for raw in (
            "\x00",
            "\u202e",
            "\u2066",
            "\x07",
            "\x7f",
            "\u2028",
            "\ufeff",
            "\r",
        ):
            assert raw not in text, (rel, raw)
        assert "\\u0000" in text and "\\u202E" in text
    nq = (out / "graph.nq").read_text("utf-8")
    assert nq.count("\n") == len(nq.splitlines())  # newlines in text are escaped
    assert '"""' in (out / "graph.ttl").read_text("utf-8")  # multi-line text reads so


def test_article_files_are_self_contained(built: tuple[Path, dict]) -> None:
    out, _ = built
    quads = _sample_quads()
    for n, (article_id, iri) in enumerate(ARTICLES.items()):
        a = URIRef(iri)
        own = {(s, p, o) for s, p, o, g in quads if g == a}
        mentioned = {o for s, p, o in own if p == ITSRDF.taIdentRef}
        expected = Graph()
        for s, p, o, g in quads:
            if g == a or (g is None and (s == a or s in mentioned)):
                expected.add((s, p, o))
        data = (out / "articles" / article_file_name(article_id)).read_bytes()
        _assert_same(expected, Graph().parse(data=data, format="turtle"))
        assert len(_ox(data, ox.RdfFormat.TURTLE)) == len(expected)
        # an entity the article does not mention is not described in its file
        assert f"<{ENTITY['us']}> a" not in data.decode()
        assert (f"<{ENTITY['unit']}> a" in data.decode()) == (n == 2)


def test_article_file_names_are_safe_and_match_the_iri() -> None:
    assert article_file_name("000_882f0b8c3bdfd23a") == "000_882f0b8c3bdfd23a.ttl"
    for article_id in ["../../etc/passwd", "a b/c", ".hidden", "", "日本語", "x" * 300]:
        name = article_file_name(article_id)
        assert "/" not in name and not name.startswith(".") and len(name) < 110
        assert article_iri(B, article_id).endswith("/" + name.removesuffix(".ttl"))
    assert article_file_name("a b") != article_file_name("a-b")


def test_validation_report_reparses_isomorphic(built: tuple[Path, dict]) -> None:
    out, _ = built
    data = (out / "validation.ttl").read_bytes()
    report = _report()
    _assert_same(report, Graph().parse(data=data, format="turtle"))
    assert len(_ox(data, ox.RdfFormat.TURTLE)) == len(report)
    text = data.decode()
    assert "@prefix sh: <http://www.w3.org/ns/shacl#> ." in text
    assert "[] a sh:ValidationReport ;" in text
    assert "sh:result [\n" in text


def test_report_json_has_sorted_keys(built: tuple[Path, dict]) -> None:
    out, _ = built
    text = (out / "report.json").read_text("utf-8")
    assert json.loads(text) == {
        "articles": 3,
        "by_kind": {"b": 2, "unit": 1},
        "conforms": False,
    }
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"


# --- atomic replacement ------------------------------------------------------------


def test_replaces_a_previous_output_entirely(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out)
    (out / "articles" / "stale.ttl").write_text("old")
    _write(out, article_iris={"001_aa": ARTICLES["001_aa"]}, summary={"v": 2})
    assert sorted(p.name for p in (out / "articles").iterdir()) == ["001_aa.ttl"]
    assert json.loads((out / "report.json").read_text()) == {"v": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failure_midway_keeps_the_old_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _write(out, summary={"old": True})
    before = _snapshot(out)
    real, calls = write._turtle, []

    def failing_turtle(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        if len(calls) == 3:  # graph.ttl and one article file are already written
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "_turtle", failing_turtle)
    with pytest.raises(OutputError, match="disk on fire") as err:
        _write(out, summary={"old": False})
    assert str(out) in str(err.value)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_swap_restores_the_old_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _write(out, summary={"old": True})
    before = _snapshot(out)
    real_rename = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == out and ".old" not in Path(src).name:
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(write.os, "rename", rename)
    # the two-rename fallback (where renameat2's RENAME_EXCHANGE is missing)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    with pytest.raises(OutputError, match="No space left"):
        _write(out, summary={"old": False})
    monkeypatch.undo()
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_creates_missing_parents(tmp_path: Path) -> None:
    paths = _write(tmp_path / "a" / "b" / "out")
    assert paths["graph.nq"].is_file()


@pytest.mark.parametrize("bad", ["file", "foreign"])
def test_refuses_a_target_it_did_not_write(tmp_path: Path, bad: str) -> None:
    out = tmp_path / "out"
    if bad == "file":
        out.write_text("precious")
    else:
        out.mkdir()
        (out / "thesis.tex").write_text("precious")
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match=str(out)):
        _write(out)
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_writes_through_a_symlinked_output_dir(tmp_path: Path) -> None:
    real = tmp_path / "real"
    _write(real, summary={"v": 1})
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    _write(link, summary={"v": 2})
    assert link.is_symlink()
    assert json.loads((link / "report.json").read_text()) == {"v": 2}


@pytest.mark.parametrize(
    ("summary", "article_iris", "extra", "match"),
    [
        ({"x": float("nan")}, ARTICLES, None, "NaN|nan"),
        ({"x": {1, 2}}, ARTICLES, None, "set"),
        (
            {},
            {"Report": ARTICLES["001_aa"], "report": ARTICLES["001_aa"]},
            None,
            "both be written",
        ),
        ({}, ARTICLES, (URIRef("http://example.org/a b"), RDF.type, OWL.Thing), "IRI"),
        ({}, ARTICLES, (URIRef("relative"), RDF.type, OWL.Thing), "IRI"),
        ({}, ARTICLES, (ENTITY["us"], RDFS.label, Literal("\ud800")), "surrogate"),
    ],
    ids=["nan", "not-json", "case-clash", "space-in-iri", "relative-iri", "surrogate"],
)
def test_bad_content_raises_and_keeps_the_old_outputs(
    tmp_path: Path,
    summary: dict,
    article_iris: dict,
    extra: tuple[Node, Node, Node] | None,
    match: str,
) -> None:
    out = tmp_path / "out"
    _write(out)
    before = _snapshot(out)
    ds = _dataset(_sample_quads())
    if extra is not None:
        ds.default_graph.add(extra)
    with pytest.raises(OutputError, match=match):
        write_outputs(
            ds, out, article_iris=article_iris, report=Graph(), summary=summary
        )
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# --- the serializers ----------------------------------------------------------------


def test_rdflib_long_string_bug_is_avoided() -> None:
    """rdflib writes x<newline>\\" as an invalid long string; Oxigraph rejects it."""
    text = 'x\n\\"'
    g = Graph()
    g.add((URIRef("http://example.org/s"), RDFS.comment, Literal(text)))
    (triple,) = _ox(serialize_turtle(g), ox.RdfFormat.TURTLE)
    assert triple.object.value == text


def test_numbers_are_bare_only_when_the_lexical_form_allows() -> None:
    s = URIRef("http://example.org/s")
    # normalize=False: rdflib would rewrite 1.5E3 as 1500.0 and INF as inf.
    values = {
        "5": Literal(5),
        "-0.5": Literal("-0.5", datatype=XSD.decimal),
        "1.5E3": Literal("1.5E3", datatype=XSD.double, normalize=False),
        "true": Literal(True),
        '"INF"^^xsd:double': Literal("INF", datatype=XSD.double, normalize=False),
        '"12.0"^^xsd:integer': Literal("12.0", datatype=XSD.integer, normalize=False),
    }
    for written, value in values.items():
        g = Graph()
        g.add((s, RDF.value, value))
        data = serialize_turtle(g)
        assert data.decode().endswith(f" rdf:value {written} .\n")
        (triple,) = _ox(data, ox.RdfFormat.TURTLE)
        assert triple.object.value == str(value)
        assert triple.object.datatype.value == str(value.datatype)


@pytest.mark.parametrize("shape", ["cycle", "shared", "deep", "self"])
def test_blank_node_shapes_reparse(shape: str) -> None:
    ex = "http://example.org/"
    p, q = URIRef(ex + "p"), URIRef(ex + "q")
    g = Graph()
    nodes = [BNode() for _ in range(60)]
    if shape == "cycle":
        for a, b in zip(nodes[:3], nodes[1:3] + nodes[:1], strict=True):
            g.add((a, p, b))
    elif shape == "shared":
        g.add((URIRef(ex + "a"), p, nodes[0]))
        g.add((URIRef(ex + "b"), p, nodes[0]))
        g.add((nodes[0], q, Literal("x")))
    elif shape == "deep":
        g.add((URIRef(ex + "root"), p, nodes[0]))
        for a, b in zip(nodes, nodes[1:], strict=False):
            g.add((a, p, b))
    else:
        g.add((nodes[0], p, nodes[0]))
    data = serialize_turtle(g)
    _assert_same(g, Graph().parse(data=data, format="turtle"))
    assert len(_ox(data, ox.RdfFormat.TURTLE)) == len(g)


def test_trig_keeps_a_blank_node_shared_between_graphs() -> None:
    ds = Dataset()
    b = BNode("shared")
    for name in ("http://example.org/g1", "http://example.org/g2"):
        ds.graph(URIRef(name)).add((b, RDFS.label, Literal(name)))
    for data, fmt in [
        (serialize_trig(ds), ox.RdfFormat.TRIG),
        (serialize_nquads(ds), ox.RdfFormat.N_QUADS),
    ]:
        subjects = {q.subject for q in _ox(data, fmt)}
        assert len(subjects) == 1


# --- property tests -----------------------------------------------------------------

texts = st.lists(st.one_of(st.text(), st.sampled_from(NASTY)), max_size=6).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=texts, lang=st.sampled_from([None, "en", "ja-Latn"]))
def test_any_text_round_trips_through_ttl_and_nq(text: str, lang: str | None) -> None:
    s, g = URIRef("http://example.org/s"), URIRef("http://example.org/g")
    literal = Literal(text, lang=lang)
    graph = Graph()
    graph.add((s, RDFS.comment, literal))
    ttl = serialize_turtle(graph)
    assert set(Graph().parse(data=ttl, format="turtle")) == set(graph)
    (triple,) = _ox(ttl, ox.RdfFormat.TURTLE)
    assert triple.object.value == text
    assert triple.object.language == (lang and lang.lower())  # tags are caseless

    ds = Dataset()
    ds.default_graph.add((s, RDFS.comment, literal))
    ds.graph(g).add((s, RDFS.comment, literal))
    nq = serialize_nquads(ds)
    assert _quads_of(_rdflib_dataset(nq, "nquads")) == _quads_of(ds)
    assert {q.object.value for q in _ox(nq, ox.RdfFormat.N_QUADS)} == {text}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.text())
def test_any_iri_round_trips_or_is_refused(path: str) -> None:
    iri = "https://example.org/" + path
    try:
        ox.NamedNode(iri)
        valid = True
    except ValueError:
        valid = False
    graph = Graph()
    graph.add((URIRef("http://example.org/s"), RDFS.seeAlso, URIRef(iri)))
    if not valid:
        with pytest.raises(OutputError):
            serialize_turtle(graph)
        return
    ttl = serialize_turtle(graph)
    assert set(Graph().parse(data=ttl, format="turtle")) == set(graph)
    (triple,) = _ox(ttl, ox.RdfFormat.TURTLE)
    assert triple.object.value == iri


@settings(max_examples=100, deadline=None)
@given(key=st.text(min_size=1))
def test_minted_iris_are_written_as_prefixless_iris_that_reparse(key: str) -> None:
    graph = Graph()
    graph.add((URIRef(mint(B, "official", key)), RDF.type, DAL.Official))
    ttl = serialize_turtle(graph)
    assert set(Graph().parse(data=ttl, format="turtle")) == set(graph)
    assert len(_ox(ttl, ox.RdfFormat.TURTLE)) == 1


@settings(max_examples=100, deadline=None)
@given(
    edges=st.lists(
        st.tuples(st.integers(0, 6), st.sampled_from("pq"), st.integers(0, 7)),
        min_size=1,
        max_size=12,
    ),
    seed=st.integers(0, 1000),
)
def test_blank_node_graphs_reparse_and_give_the_same_bytes(
    edges: list[tuple[int, str, int]], seed: int
) -> None:
    """Any graph of blank nodes (ids 0-5; 6, 7 are IRIs/literals) survives nesting."""

    def node(i: int, nodes: dict[int, BNode]) -> Node:
        if i == 6:
            return URIRef("http://example.org/iri")
        if i == 7:
            return Literal("lit")
        return nodes.setdefault(i, BNode())

    graphs = []
    for order in (0, seed):
        nodes: dict[int, BNode] = {}
        es = list(edges)
        random.Random(order).shuffle(es)
        g = Graph()
        for a, p, b in es:
            g.add((node(a, nodes), URIRef("http://example.org/" + p), node(b, nodes)))
        graphs.append(g)
    data = [serialize_turtle(g) for g in graphs]
    _assert_same(graphs[0], Graph().parse(data=data[0], format="turtle"))
    assert len(_ox(data[0], ox.RdfFormat.TURTLE)) == len(graphs[0])
    assert data[0] == data[1]


def test_output_dir_is_not_private_and_keeps_its_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        out = tmp_path / "out"
        _write(out)
        assert out.stat().st_mode & 0o777 == 0o755
        assert (out / "graph.ttl").stat().st_mode & 0o777 == 0o644
        out.chmod(0o750)
        _write(out)
        assert out.stat().st_mode & 0o777 == 0o750
    finally:
        os.umask(umask)


def test_a_default_union_dataset_is_written_the_same() -> None:
    ds = Dataset(default_union=True)
    for s, p, o, g in _sample_quads():
        (ds.default_graph if g is None else ds.graph(g)).add((s, p, o))
    plain = _dataset(_sample_quads())
    assert serialize_nquads(ds) == serialize_nquads(plain)
    assert serialize_trig(ds) == serialize_trig(plain)


def test_blank_nodes_in_a_dataset_are_canonicalized() -> None:
    """The extracted graph has none, but if one appears the bytes stay stable."""
    ex = "http://example.org/"
    outputs = set()
    for seed in range(5):
        b1, b2 = BNode(), BNode()
        quads: list[Quad] = [
            (URIRef(ex + "s"), RDFS.seeAlso, b1, None),
            (b1, RDFS.label, Literal("one"), None),
            (b1, RDFS.seeAlso, b2, URIRef(ex + "g")),
            (b2, RDFS.label, Literal("two"), URIRef(ex + "g")),
        ]
        ds = _dataset(quads, seed)
        outputs.add((serialize_trig(ds), serialize_nquads(ds)))
        nq = serialize_nquads(ds)
        assert len(_ox(nq, ox.RdfFormat.N_QUADS)) == 4
        # the same blank node keeps one label across graphs
        assert len({q.subject for q in _ox(nq, ox.RdfFormat.N_QUADS)}) == 3
    assert len(outputs) == 1
