"""Queries over the store: by name, file or text; tables and the W3C results
formats; syntax errors with their position; the ``query`` command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg_builder.cli import app
from kg_builder.errors import InputError, QueryError, UsageError
from kg_builder.query import (
    Query,
    render,
    resolve_query,
    run_query,
    shipped_queries,
)
from kg_builder.resources import QUERIES_DIR
from kg_builder.store import load_build, open_store

ID = "https://w3id.org/defense-alliance/id/"
OFFICIALS_BY_NAME = """SELECT ?name WHERE { ?o a dal:Official ; rdfs:label ?name }
ORDER BY ?name"""


@pytest.fixture(scope="module")
def store_dir(sample_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("query") / "store"
    load_build(sample_out, path)
    return path


@pytest.fixture
def store(store_dir: Path) -> ox.Store:
    return open_store(store_dir, read_only=True)


def solutions(store: ox.Store, query: Query) -> list[dict[str, str | None]]:
    results = run_query(store, query)
    assert isinstance(results, ox.QuerySolutions)
    names = [v.value for v in results.variables]
    return [
        {n: (s[n].value if s[n] is not None else None) for n in names} for s in results
    ]


def test_shipped_queries_are_listed():
    assert shipped_queries() == sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
    assert "officials" in shipped_queries()


def test_query_by_name_sees_all_graphs(store):
    q = resolve_query("officials")
    assert q.origin == str(QUERIES_DIR / "officials.rq")
    rows = solutions(store, q)
    # labels live in the default graph, holdsPosition in the article graphs
    assert {("Antony Blinken", "Secretary of State of the United States")} <= {
        (r["name"], r["positionLabel"]) for r in rows
    }


def test_query_by_file_and_by_text_agree(store, tmp_path):
    path = tmp_path / "names.rq"
    path.write_text(OFFICIALS_BY_NAME, encoding="utf-8")
    by_file = resolve_query(str(path))
    assert by_file.origin == str(path)
    by_text = resolve_query(OFFICIALS_BY_NAME)
    assert by_text.origin == "<query>"
    names = [r["name"] for r in solutions(store, by_text)]
    assert names == [r["name"] for r in solutions(store, by_file)]
    assert "Yoshimasa Hayashi" in names


def test_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(InputError, match="no such query file"):
        resolve_query(str(tmp_path / "missing.rq"))
    with pytest.raises(UsageError, match="shipped queries: .*officials"):
        resolve_query("offcials")


def test_table_is_aligned_with_prefixes_and_a_row_count(store):
    text = render(run_query(store, resolve_query("wikidata-links")))
    lines = text.splitlines()
    header, rule, *rows, count = lines
    assert header.split() == ["entity", "label", "type", "wikidata"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert count == f"({len(rows)} rows)"
    japan = next(r for r in rows if f"{ID}country/japan " in r)
    assert "dal:Country" in japan and "wd:Q17" in japan
    # every column starts at the same offset on every line
    starts = [header.index(name) for name in ("label", "type", "wikidata")]
    for row in rows:
        for s in starts:
            assert row[s - 2 : s] == "  " and row[s] != " "


def test_table_cuts_long_literals_not_iris(store):
    text = render(run_query(store, resolve_query("fact-sources")), max_width=30)
    quotes = [line for line in text.splitlines() if "…" in line]
    assert quotes
    assert f"{ID}article/" in text
    full = render(run_query(store, resolve_query("fact-sources")), max_width=0)
    assert "…" not in full


def parse_back(data: str, fmt: ox.QueryResultsFormat) -> list[dict[str, str]]:
    results = ox.parse_query_results(data.encode("utf-8"), fmt)
    assert isinstance(results, ox.QuerySolutions)
    names = [v.value for v in results.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in results]


@pytest.mark.parametrize(
    ("fmt", "w3c"),
    [("tsv", ox.QueryResultsFormat.TSV), ("json", ox.QueryResultsFormat.JSON)],
)
def test_w3c_results_formats_parse_back(store, fmt, w3c):
    q = resolve_query("officials")
    expected = [
        {k: v for k, v in r.items() if v is not None} for r in solutions(store, q)
    ]
    text = render(run_query(store, q), fmt)
    assert parse_back(text, w3c) == expected


def test_csv_parses_back(store):
    """SPARQL CSV is lossy (no datatypes; pyoxigraph will not read it): compare
    lexical values, unbound as empty."""
    q = resolve_query("officials")
    expected = [
        {k: ("" if v is None else v) for k, v in r.items()} for r in solutions(store, q)
    ]
    text = render(run_query(store, q), "csv")
    assert "\r\n" in text  # the W3C format's line ends
    assert list(csv.DictReader(io.StringIO(text, newline=""))) == expected


def test_csv_and_json_read_with_the_standard_library(store):
    q = resolve_query("wikidata-links")
    n = len(solutions(store, q))
    rows = list(csv.DictReader(io.StringIO(render(run_query(store, q), "csv"))))
    assert len(rows) == n and rows[0].keys() == {"entity", "label", "type", "wikidata"}
    doc = json.loads(render(run_query(store, q), "json"))
    assert doc["head"]["vars"] == ["entity", "label", "type", "wikidata"]
    assert len(doc["results"]["bindings"]) == n


def test_ask_and_construct(store):
    ask = Query(f"ASK {{ <{ID}country/japan> a dal:Country }}")
    assert render(run_query(store, ask)) == "yes\n"
    assert json.loads(render(run_query(store, ask), "json"))["boolean"] is True
    construct = Query(f"CONSTRUCT WHERE {{ <{ID}country/japan> rdfs:label ?l }}")
    nt = render(run_query(store, construct), "ntriples")
    (triple,) = ox.parse(nt.encode("utf-8"), ox.RdfFormat.N_TRIPLES)
    assert triple.object.value == "Japan"
    with pytest.raises(UsageError, match="triples"):
        render(run_query(store, construct), "csv")
    with pytest.raises(UsageError, match="unknown format"):
        render(run_query(store, ask), "xml")


def test_syntax_error_reports_line_and_column():
    text = "SELECT ?x WHERE {\n  ?x a dal:Official\n  FILTER(?x = )\n}"
    with pytest.raises(QueryError) as err:
        run_query(ox.Store(), Query(text))
    message = str(err.value)
    first, source, caret = message.splitlines()
    assert first.startswith("<query>:4:")
    assert "SPARQL syntax error: expected one of" in first
    assert source.endswith("| }")
    assert caret.rstrip().endswith("^")
    assert "\\u{" not in message  # no character-class soup


def test_syntax_error_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("SELECT * WHERE {\n  ?s a nope:Thing .\n}\n", encoding="utf-8")
    with pytest.raises(QueryError) as err:
        run_query(ox.Store(), resolve_query(str(path)))
    first, source, caret = str(err.value).splitlines()
    assert first.startswith(f"{path}:2:18: SPARQL syntax error: undefined prefix")
    assert source.endswith("|   ?s a nope:Thing .")
    # the caret sits under the column reported
    assert caret.index("^") - caret.index("|") - 2 == 18 - 1


def test_cli_query_by_name_and_formats(store_dir):
    runner = CliRunner()
    result = runner.invoke(app, ["query", "--store", str(store_dir), "officials"])
    assert result.exit_code == 0, result.output
    assert "Antony Blinken" in result.output
    assert result.output.rstrip().endswith("rows)")
    result = runner.invoke(
        app, ["query", "--store", str(store_dir), "-f", "json", "wikidata-links"]
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["head"]["vars"][0] == "entity"


def test_cli_query_a_build_without_loading(sample_out):
    result = CliRunner().invoke(app, ["query", "--build", str(sample_out), "treaties"])
    assert result.exit_code == 0, result.output
    assert "US-Japan Security Treaty" in result.output


def test_cli_errors_exit_2_without_traceback(store_dir, tmp_path):
    runner = CliRunner()
    cases = [
        ["query", "--store", str(store_dir), "SELECT ?x WHERE { ?x ?y }"],
        ["query", "--store", str(store_dir), "offcials"],
        ["query", "--store", str(tmp_path / "none"), "officials"],
        ["query", "officials"],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, cases[0])
    assert "<query>:1:" in result.output


def test_expected_tokens_are_listed_whole():
    with pytest.raises(QueryError) as err:
        run_query(ox.Store(), Query("SELECT ?x WHERE { ?x a dal:Official"))
    first = str(err.value).splitlines()[0]
    assert first.startswith("<query>:1:36: SPARQL syntax error: expected one of")
    assert '",", ".", ";", "{"' in first
