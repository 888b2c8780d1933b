"""The main job on the sample corpus: conforms, counts, provenance, same bytes."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.namespace import RDF

from kg_builder.extract import DEFAULT_MODEL
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


# --------------------------------------------------------------- streaming build


def _one_pass_build(out: Path, model: str | None) -> None:
    """The sample built the way the pipeline did before it streamed: every stage
    over the whole corpus in memory, one Dataset, one SHACL pass."""
    from rdflib import Graph as RdfGraph

    from kg_builder import __version__
    from kg_builder.articles import read_articles
    from kg_builder.extract import add_known_names, build_nlp, extract, model_info
    from kg_builder.graph import RunInfo, assemble
    from kg_builder.model import Article
    from kg_builder.namespace import DEFAULT_BASE
    from kg_builder.pipeline import BuildReport, ReadArticle
    from kg_builder.relations import read_relations
    from kg_builder.resolve import resolve
    from kg_builder.validate import validate
    from kg_builder.write import write_outputs

    articles = [a for a in read_articles([SAMPLES]) if isinstance(a, Article)]
    nlp = build_nlp(model)
    name, version = model_info(nlp)
    readings = [
        read_relations(ea) for ea in add_known_names(list(extract(articles, nlp)))
    ]
    resolution = resolve(readings, DEFAULT_BASE)
    ds, iris = assemble(
        articles, resolution, DEFAULT_BASE, RunInfo(__version__, name, version)
    )
    union = RdfGraph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    result = validate(union)
    report = BuildReport(
        out_dir=out,
        articles=[ReadArticle(a.id, a.source, a.sha256, len(a.text)) for a in articles],
        skipped=[],
        entities=dict(Counter(e.kind.value for e in resolution.entities.values())),
        mentions=len(resolution.mentions),
        facts=len({(f.subject, f.predicate, f.object) for f in resolution.facts}),
        assertions=len(
            {(f.article_id, f.subject, f.predicate, f.object) for f in resolution.facts}
        )
        + len(resolution.claims),
        conforms=result.conforms,
        validation_text=result.text,
        model=f"{name} {version}",
    )
    write_outputs(
        ds, out, article_iris=iris, report=result.report, summary=report.summary()
    )


def _same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    files = sorted(p.name for p in (a / "articles").iterdir())
    assert files == sorted(p.name for p in (b / "articles").iterdir())
    for f in files:
        assert (a / "articles" / f).read_bytes() == (b / "articles" / f).read_bytes()


@pytest.mark.slow
def test_streamed_build_writes_the_bytes_of_the_one_pass_build(
    sample_out: Path, tmp_path: Path
):
    # Per-article graphs merged from runs on disk, per-part validation: the
    # same files, byte for byte, as one Dataset written and validated at once.
    _one_pass_build(tmp_path / "one-pass", DEFAULT_MODEL)
    _same_outputs(sample_out, tmp_path / "one-pass")


def test_two_jobs_build_the_same_bytes(tmp_path: Path):
    # Regression: --jobs 2 used spaCy's n_process, which cannot send the rule
    # components' candidates between processes ("can not serialize 'Candidate'").
    from kg_builder.pipeline import build

    one = build([SAMPLES], tmp_path / "one", model="blank", jobs=1)
    two = build([SAMPLES], tmp_path / "two", model="blank", jobs=2)
    assert one.summary() == two.summary()
    _same_outputs(tmp_path / "one", tmp_path / "two")


def _one_pass_results(out: Path) -> tuple[bool, set[tuple[str, str]]]:
    """pySHACL over the whole written graph at once: (conforms, results)."""
    from rdflib import Graph as RdfGraph
    from rdflib.namespace import SH

    from kg_builder.validate import validate

    result = validate(RdfGraph().parse(out / "graph.ttl"))
    found = {
        (
            str(result.report.value(r, SH.focusNode)),
            str(result.report.value(r, SH.sourceShape)),
        )
        for r in result.report.objects(None, SH.result)
    }
    return result.conforms, found


def _report_results(out: Path) -> set[tuple[str, str]]:
    from rdflib import Graph as RdfGraph
    from rdflib.namespace import SH

    report = RdfGraph().parse(out / "validation.ttl")
    return {
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceShape)))
        for r in report.objects(None, SH.result)
    }


def test_planted_violations_are_still_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Validation by parts (each article with its entities, then the entity layer
    and the run) finds what one pass over the whole graph finds: a mention whose
    anchor is not the text at its offsets (an article's part), and an entity no
    article mentions (the entity layer's part)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    import kg_builder.pipeline as pipeline
    from kg_builder.graph import article_triples, entity_triples

    def bad_anchor(part, base):  # type: ignore[no-untyped-def]
        default, named = article_triples(part, base)
        if part.article.id.startswith("001"):
            i = next(i for i, t in enumerate(named) if t[1] == NIF.anchorOf)
            named[i] = (named[i][0], NIF.anchorOf, Literal("not the text"))
        return default, named

    orphan = URIRef("https://w3id.org/defense-alliance/id/official/nobody")

    def with_orphan(entities):  # type: ignore[no-untyped-def]
        yield from entity_triples(entities)
        yield (orphan, RDF.type, DAL.Official)
        yield (orphan, RDFS.label, Literal("Nobody"))

    monkeypatch.setattr(pipeline, "article_triples", bad_anchor)
    monkeypatch.setattr(pipeline, "entity_triples", with_orphan)
    out = tmp_path / "planted"
    report = pipeline.build([SAMPLES], out, model="blank")

    assert not report.conforms and report.exit_status == 1
    conforms, expected = _one_pass_results(out)
    assert conforms is False
    found = _report_results(out)
    assert found == expected
    shapes = {shape.rsplit("#", 1)[1] for _, shape in found}
    assert {"MentionShape-anchorText", "EntityShape-mention"} <= shapes
    assert (
        str(orphan),
        "https://w3id.org/defense-alliance/shapes#EntityShape-mention",
    ) in found


def test_parts_validation_conforms_like_one_pass(tmp_path: Path):
    from kg_builder.pipeline import build

    out = tmp_path / "blank"
    report = build([SAMPLES], out, model="blank")
    assert report.conforms
    assert _one_pass_results(out) == (True, set())


def _sorted_alternation(names: set[str]) -> re.Pattern[str]:
    # What names_pattern compiled before it built a trie.
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(r"(?<![\w.])(" + alt + r")(?!\w)")


@given(
    names=st.sets(st.text(alphabet="ab .'-", min_size=1, max_size=6), min_size=1),
    text=st.text(alphabet="ab .'-\n", max_size=60),
)
def test_known_names_pattern_matches_like_the_sorted_alternation(
    names: set[str], text: str
):
    from kg_builder.extract import names_pattern

    trie = names_pattern(names)
    assert trie is not None
    expected = [m.span() for m in _sorted_alternation(names).finditer(text)]
    assert [m.span() for m in trie.finditer(text)] == expected
