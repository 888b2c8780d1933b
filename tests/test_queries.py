"""Each competency query, run with pyoxigraph over the built sample graph, gives
answers a reader of the articles can check."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_builder.resources import QUERIES_DIR

ID = "https://w3id.org/defense-alliance/id/"


@pytest.fixture(scope="module")
def store(sample_out: Path) -> ox.Store:
    s = ox.Store()
    with (sample_out / "graph.nq").open("rb") as f:
        s.bulk_load(f, ox.RdfFormat.N_QUADS)
    return s


def run(store: ox.Store, name: str) -> list[dict[str, str]]:
    query = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
    rows = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in rows.variables]
    out = []
    for sol in rows:
        out.append({n: (sol[n].value if sol[n] is not None else None) for n in names})
    return out


def test_every_competency_question_has_a_query():
    assert len(list(QUERIES_DIR.glob("*.rq"))) == 8


def test_cq1_officials_positions_countries(store):
    rows = run(store, "officials")
    got = {(r["name"], r["positionLabel"], r["countryLabel"]) for r in rows}
    assert (
        "Antony Blinken",
        "Secretary of State of the United States",
        "United States",
    ) in got
    assert (
        "Lloyd Austin",
        "Secretary of Defense of the United States",
        "United States",
    ) in got
    assert ("Yasukazu Hamada", "Defense Minister of Japan", "Japan") in got
    assert ("Yoshimasa Hayashi", "Foreign Minister of Japan", "Japan") in got
    assert ("Fumio Kishida", "Prime Minister of Japan", "Japan") in got
    assert (
        "Rishi Sunak",
        "Prime Minister of the United Kingdom",
        "United Kingdom",
    ) in got


def test_cq2_units_reorganized_and_stationed(store):
    rows = run(store, "units")
    got = {(r["unitLabel"], r["newUnitLabel"]) for r in rows}
    assert ("12th Marine Regiment", "12th Marine Littoral Regiment") in got
    assert any(
        r["unitLabel"] == "12th Marine Regiment" and r["placeLabel"] for r in rows
    )


def test_cq3_sources_of_a_fact_with_quote_and_offsets(store, sample_out):
    rows = [
        r
        for r in run(store, "fact-sources")
        if r["predicate"].endswith("#reorganizedInto")
        and r["subjectLabel"] == "12th Marine Regiment"
    ]
    ids = {r["articleId"] for r in rows}
    assert {
        "000_882f0b8c3bdfd23a",
        "002_4325a366f7f17cec",
        "004_1cc9e73e11f540ae",
    } <= ids
    for r in rows:
        text = (
            sample_out.parent / "out"
        ).exists()  # the quote is the article text at the offsets
        assert text
        assert "12th" in r["quote"]
        assert int(r["begin"]) < int(r["end"])


def test_cq4_single_source_facts(store):
    rows = run(store, "single-source-facts")
    assert rows, "some facts are stated by one article only"
    got = {
        (r["subjectLabel"], r["predicate"].rsplit("#", 1)[1], r["objectLabel"])
        for r in rows
    }
    assert ("Kanoya Air Base", "locatedIn", "Japan") in got
    assert (
        "Antony Blinken",
        "holdsPosition",
        "Secretary of State of the United States",
    ) not in got


def test_cq5_us_troop_numbers_disagree_and_both_are_kept(store):
    rows = run(store, "disputed-counts")
    japan = {
        (int(r["value"]), r["articleId"])
        for r in rows
        if r["subjectLabel"] == "Japan" and r["category"] == "troops"
    }
    assert (54000, "001_da171ca38baa6271") in japan
    assert (50000, "004_1cc9e73e11f540ae") in japan


def test_cq6_treaty_parties_articles_domains(store):
    rows = run(store, "treaties")
    sec = [r for r in rows if r["treatyLabel"] == "US-Japan Security Treaty"]
    assert {"United States", "Japan"} <= {r["partyLabel"] for r in sec}
    assert "Article V of the US-Japan Security Treaty" in {
        r["treatyArticleLabel"] for r in sec
    }
    domains = {r["domain"].rsplit("#", 1)[1] for r in sec if r["domain"]}
    assert {"Space", "Cyberspace"} <= domains


def test_cq6_article_v_covers_space(store):
    article_v = f"{ID}treaty-article/us-japan-security-treaty-article-5"
    q = (
        "PREFIX dal: <https://w3id.org/defense-alliance/ontology#>\n"
        f"ASK {{ <{article_v}> dal:coversDomain dal:Space }}"
    )
    assert store.query(q, use_default_graph_as_union=True)


def test_cq7_wikidata_links(store):
    rows = run(store, "wikidata-links")
    got = {(r["label"], r["wikidata"]) for r in rows}
    assert ("Japan", "http://www.wikidata.org/entity/Q17") in got
    assert ("United States", "http://www.wikidata.org/entity/Q30") in got


def test_cq8_what_one_article_contributed(store):
    rows = [
        r
        for r in run(store, "article-contributions")
        if r["articleId"] == "004_1cc9e73e11f540ae"
    ]
    kinds = {r["kind"] for r in rows}
    assert kinds == {"mention", "fact"}
    assert "Kanoya Air Base" in {r["label"] for r in rows}


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES_DIR.glob("*.rq")))
def test_union_default_graph_gives_no_duplicate_rows(store, name):
    # pyoxigraph's union default graph is a bag: a fact stated by three articles
    # matched three times until the queries said DISTINCT.
    rows = [tuple(sorted(r.items(), key=lambda kv: kv[0])) for r in run(store, name)]
    assert len(rows) == len(set(rows))
