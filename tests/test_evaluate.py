"""The evaluator (kg_builder/evaluate.py), the gold it reads, and the floors the
extraction must hold on the sample articles and on the development set."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg_builder.articles import read_articles
from kg_builder.cli import app
from kg_builder.evaluate import (
    Evaluation,
    Gold,
    GoldMention,
    Prediction,
    evaluate,
    format_report,
    load_gold,
    score,
)
from kg_builder.model import Article

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "gold"
SETS = ("samples", "dev", "heldout")


# ----------------------------------------------------------------- the gold


@pytest.mark.parametrize("name", SETS)
def test_gold_mentions_are_the_article_text_at_their_offsets(name):
    gold = load_gold(GOLD / f"{name}.json")
    arts = {
        a.id: a
        for p in gold.inputs
        for a in read_articles([ROOT / p])
        if isinstance(a, Article)
    }
    assert set(gold.mentions) <= set(arts)
    for aid, ms in gold.mentions.items():
        text = arts[aid].text
        assert hashlib.sha256(text.encode()).hexdigest() == gold.sha256[aid]
        for m in ms:
            assert text[m.begin : m.end] == m.text, (aid, m)
    for rel in gold.relations:
        assert {rel["subject"], rel["object"]} <= set(gold.entities), rel
        assert set(rel["articles"]) <= set(gold.mentions), rel
    for c in gold.claims:
        assert c["subject"] in gold.entities and c["article"] in gold.mentions


@pytest.mark.parametrize("name", SETS)
def test_gold_files_are_generated_from_their_spec(name):
    sys.path.insert(0, str(GOLD))
    try:
        import make_gold
    finally:
        sys.path.remove(str(GOLD))
    assert make_gold.main([name, "--check"]) == 0


@pytest.mark.parametrize("folder", ["dev", "heldout"])
def test_real_articles_carry_their_source(folder):
    for path in sorted((ROOT / "tests" / "data" / folder).glob("*.txt")):
        (art,) = list(read_articles([path]))
        assert isinstance(art, Article)
        assert art.url and art.url.startswith("http"), path
        assert art.publisher, path
        assert art.published is None or art.published < "2023", path


# ------------------------------------------------------------------ scoring


def _gold(mentions: list[tuple[str, int, int, str]], **kw: object) -> Gold:
    entities = {e: {"kind": e.split("/")[0], "label": e} for *_x, e in mentions}
    entities.update(kw.pop("extra", {}))  # type: ignore[arg-type]
    by_article: dict[str, tuple[GoldMention, ...]] = {}
    for a, b, e, ent in mentions:
        by_article[a] = (*by_article.get(a, ()), GoldMention(a, b, e, "x", ent))
    return Gold(
        name="t",
        path=Path("t.json"),
        entities=entities,
        mentions=by_article,
        sha256={a: "" for a in by_article},
        relations=tuple(kw.get("relations", ())),  # type: ignore[arg-type]
        claims=tuple(kw.get("claims", ())),  # type: ignore[arg-type]
        disagreements=(),
    )


def test_split_and_merged_entities_are_reported_and_pairing_is_one_to_one():
    gold = _gold(
        [
            ("a", 0, 5, "official/smith"),
            ("a", 10, 15, "official/smith"),
            ("a", 20, 25, "official/jones"),
            ("b", 0, 5, "unit/1st"),
            ("b", 10, 15, "unit/2nd"),
        ]
    )
    pred = Prediction(
        kinds={"p1": "official", "p2": "official", "u": "unit"},
        labels={"p1": ("Smith",), "p2": ("S.",), "u": ("1st",)},
        mentions={
            ("a", 0, 5): "p1",
            ("a", 10, 15): "p2",
            ("a", 20, 25): "p1",
            ("b", 0, 5): "u",
            ("b", 10, 15): "u",
        },
        facts=(),
        claims=(),
    )
    ev = score(gold, pred, ["a", "b"])
    assert dict(ev.split) == {"official/smith": ("p1", "p2")}
    assert dict(ev.merged) == {
        "p1": ("official/jones", "official/smith"),
        "u": ("unit/1st", "unit/2nd"),
    }
    officials = next(t for t in ev.types if t.type == "Official")
    assert (officials.gold, officials.predicted, officials.matched) == (2, 2, 2)
    units = next(t for t in ev.types if t.type == "MilitaryUnit")
    assert (units.gold, units.predicted, units.matched) == (2, 1, 1)
    assert ev.mention_recall == 1.0


def test_relations_match_main_entities_by_mention_and_others_by_label():
    gold = _gold(
        [("a", 0, 5, "official/smith")],
        extra={
            "position/fm-of-japan": {
                "kind": "position",
                "label": "Foreign Minister of Japan",
            },
            "country/japan": {"kind": "country", "label": "Japan"},
        },
        relations=[
            {
                "subject": "official/smith",
                "predicate": "holdsPosition",
                "object": "position/fm-of-japan",
                "articles": ["a"],
            },
            {
                "subject": "official/smith",
                "predicate": "ofCountry",
                "object": "country/japan",
                "articles": ["a"],
            },
        ],
        claims=[
            {
                "article": "a",
                "subject": "country/japan",
                "value": 5,
                "category": "troops",
            }
        ],
    )
    pred = Prediction(
        kinds={"p": "official", "pos": "position", "jp": "country"},
        labels={
            "p": ("Smith",),
            "pos": ("Foreign Minister of Japan",),
            "jp": ("Japan",),
        },
        mentions={("a", 0, 5): "p"},
        facts=(("a", "p", "holdsPosition", "pos"), ("a", "p", "ofCountry", "pos")),
        claims=(("a", "jp", 5, "troops"),),
    )
    ev = score(gold, pred, ["a"])
    assert {p.predicate: (p.gold, p.found) for p in ev.relations} == {
        "holdsPosition": (1, 1),
        "ofCountry": (1, 0),
    }
    assert (ev.claims_found, ev.claims_gold) == (1, 1)
    assert "holdsPosition" in format_report(ev)


# ---------------------------------------------------------- floors (issue 3)


@pytest.fixture(scope="module")
def samples() -> Evaluation:
    return evaluate(GOLD / "samples.json", [ROOT / "data" / "articles"])


@pytest.fixture(scope="module")
def dev() -> Evaluation:
    return evaluate(GOLD / "dev.json", [ROOT / "tests" / "data" / "dev"])


def test_samples_floors(samples):
    report = format_report(samples, errors=True)
    assert all(t.f1 >= 0.95 for t in samples.types), report
    assert not samples.split, report
    assert not samples.merged, report
    assert samples.mention_recall >= 0.95, report
    assert samples.relation_recall >= 0.85, report
    assert samples.relation_precision >= 0.95, report
    assert samples.claims_found == samples.claims_gold, report
    assert samples.disagreements and all(ok for _d, ok in samples.disagreements)


def test_dev_floors(dev):
    report = format_report(dev, errors=True)
    assert dev.macro_f1 >= 0.85, report
    assert dev.relation_recall >= 0.6, report
    assert not dev.merged, report


def test_rules_beat_the_plain_ner_baseline(samples):
    base = evaluate(GOLD / "samples.json", [ROOT / "data" / "articles"], baseline=True)
    assert base.macro_f1 < 0.6 < samples.macro_f1
    assert base.split and not base.relations_judged


# --------------------------------------------------------------------- CLI


def test_cli_prints_a_table_or_json(tmp_path):
    runner = CliRunner()
    args = ["evaluate", "--gold", str(GOLD / "samples.json"), "--model", "blank"]
    one = str(ROOT / "data" / "articles" / "004_1cc9e73e11f540ae.txt")
    result = runner.invoke(app, [*args, one])
    assert result.exit_code == 0, result.output
    assert "macro F1" in result.output
    result = runner.invoke(app, [*args, "--json", one])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["articles"] == ["004_1cc9e73e11f540ae"]
    assert {t["type"] for t in data["types"]} >= {"Official", "Treaty"}


def test_cli_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    article = tmp_path / "x.txt"
    article.write_text("Nothing annotated here.", encoding="utf-8")
    gold = str(GOLD / "samples.json")
    result = runner.invoke(app, ["evaluate", "--gold", gold, str(article)])
    assert result.exit_code == 2
    result = runner.invoke(
        app, ["evaluate", "--gold", str(tmp_path / "no.json"), str(article)]
    )
    assert result.exit_code == 2
