"""``kg-builder serve`` (kg_builder/server.py): SPARQL 1.1 Protocol, linked data,
limits and refusals, on a real server bound to a free port on 127.0.0.1."""

from __future__ import annotations

import csv
import http.client
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg_builder.cli import app
from kg_builder.errors import InputError, UsageError
from kg_builder.server import (
    GraphServer,
    calls_service,
    is_update,
    make_server,
    negotiate,
)
from kg_builder.store import load_build
from tests.test_publish import BASE, hostile_build

TIMEOUT = 2.0
CAP = 5
BLINKEN = f"{BASE}official/antony-blinken"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
OFFICIALS = "SELECT ?o WHERE { ?o a dal:Official } ORDER BY ?o"  # 11 rows


@pytest.fixture(scope="module")
def store_dir(sample_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("served")
    load_build(hostile_build(sample_out, tmp / "out"), tmp / "store")
    return tmp / "store"


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[GraphServer]:
    srv = make_server(
        store_dir, "127.0.0.1", 0, query_timeout=TIMEOUT, max_results=CAP, quiet=True
    )
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    thread.join()
    srv.server_close()


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def media(self) -> str:
        return self.headers.get("content-type", "").split(";")[0]


def fetch(
    server: GraphServer,
    path: str,
    *,
    method: str = "GET",
    accept: str | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
) -> Reply:
    """One request, no redirect followed, the connection closed."""
    headers = {}
    if accept is not None:
        headers["Accept"] = accept
    if content_type is not None:
        headers["Content-Type"] = content_type
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


def sparql_get(server: GraphServer, query: str, accept: str | None = None) -> Reply:
    return fetch(server, "/sparql?" + urlencode({"query": query}), accept=accept)


def solutions(reply: Reply, fmt: ox.QueryResultsFormat) -> list[dict[str, str]]:
    assert reply.status == 200, reply.text
    parsed = ox.parse_query_results(reply.body, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [
        {n: t.value for n, t in zip(names, row, strict=True) if t is not None}
        for row in parsed
    ]


# --- SPARQL protocol ----------------------------------------------------------


def test_get_select_in_sparql_json(server: GraphServer):
    q = f"SELECT ?label WHERE {{ <{BLINKEN}> rdfs:label ?label }}"
    reply = sparql_get(server, q)
    assert reply.media == "application/sparql-results+json"
    assert solutions(reply, ox.QueryResultsFormat.JSON) == [{"label": "Antony Blinken"}]
    assert reply.headers["result-limit"] == str(CAP)
    assert "result-truncated" not in reply.headers


def test_post_form_and_post_query_give_the_same_answer(server: GraphServer):
    q = f"SELECT DISTINCT ?p WHERE {{ <{BLINKEN}> dal:holdsPosition ?p }}"
    form = fetch(
        server,
        "/sparql",
        method="POST",
        body=urlencode({"query": q}).encode(),
        content_type="application/x-www-form-urlencoded",
    )
    direct = fetch(
        server,
        "/sparql",
        method="POST",
        body=q.encode(),
        content_type="application/sparql-query; charset=utf-8",
    )
    expected = [{"p": f"{BASE}position/secretary-of-state-of-united-states"}]
    assert solutions(form, ox.QueryResultsFormat.JSON) == expected
    assert solutions(direct, ox.QueryResultsFormat.JSON) == expected


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/json", ox.QueryResultsFormat.JSON),
    ],
)
def test_select_results_in_each_format(server: GraphServer, accept: str, fmt):
    q = f"SELECT ?alt WHERE {{ <{BLINKEN}> skos:altLabel ?alt }} ORDER BY ?alt"
    reply = sparql_get(server, q, accept)
    assert reply.media == accept
    rows = solutions(reply, fmt)
    assert [r["alt"] for r in rows] == [
        "Anthony Blinken",
        "Antony J. Blinken",
        "Blinken",
    ]


def test_select_results_in_csv(server: GraphServer):
    q = f"SELECT ?s ?alt WHERE {{ BIND(<{BLINKEN}> AS ?s) ?s skos:altLabel ?alt }}"
    reply = sparql_get(server, q + " ORDER BY ?alt", "text/csv")
    assert reply.status == 200 and reply.media == "text/csv"
    assert reply.body.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0] == ["s", "alt"] and rows[1] == [BLINKEN, "Anthony Blinken"]


def test_format_parameter_overrides_accept(server: GraphServer):
    q = "SELECT ?x WHERE { BIND(1 AS ?x) }"
    reply = fetch(
        server, "/sparql?" + urlencode({"query": q, "format": "xml"}), accept="text/csv"
    )
    assert reply.media == "application/sparql-results+xml"


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ],
)
def test_ask(server: GraphServer, accept: str, fmt):
    reply = sparql_get(server, f"ASK {{ <{BLINKEN}> a dal:Official }}", accept)
    assert reply.status == 200 and reply.media == accept
    assert bool(ox.parse_query_results(reply.body, format=fmt)) is True


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/n-triples", "application/ld+json"]
)
def test_construct_in_each_rdf_format(server: GraphServer, accept: str):
    q = f"CONSTRUCT {{ <{BLINKEN}> ?p ?o }} WHERE {{ <{BLINKEN}> ?p ?o }}"
    reply = sparql_get(server, q, accept + ";q=0.9")
    assert reply.status == 200 and reply.media == accept
    fmt = ox.RdfFormat.from_media_type(accept)
    assert fmt is not None
    triples = list(ox.parse(reply.body, format=fmt))
    # type, label, 3 altLabels, holdsPosition, ofCountry: 7, cut at CAP; the
    # fact stated by five articles counts once
    assert len(triples) == len(set(triples)) == CAP


def test_no_acceptable_format_is_406(server: GraphServer):
    reply = sparql_get(server, "ASK { ?s ?p ?o }", "text/csv")
    assert reply.status == 406


def test_default_graph_is_the_union_unless_graphs_are_named(server: GraphServer):
    q = f"SELECT ?p WHERE {{ <{BLINKEN}> dal:holdsPosition ?p }}"
    # The fact is in the graph of each of the five articles that state it: the
    # union matches it once per graph.
    assert len(solutions(sparql_get(server, q), ox.QueryResultsFormat.JSON)) == 5
    article = f"{BASE}article/000_882f0b8c3bdfd23a"
    only = urlencode({"query": q, "default-graph-uri": article})
    assert (
        len(solutions(fetch(server, "/sparql?" + only), ox.QueryResultsFormat.JSON))
        == 1
    )
    meta = urlencode({"query": q, "default-graph-uri": f"{BASE}article/none"})
    assert solutions(fetch(server, "/sparql?" + meta), ox.QueryResultsFormat.JSON) == []


def test_a_syntax_error_says_where(server: GraphServer):
    reply = sparql_get(server, "SELECT * WHERE { ?s ?p }")
    assert reply.status == 400
    assert "line 1, column" in reply.text and "Traceback" not in reply.text


def test_missing_query_is_400_for_a_program_and_a_form_for_a_person(
    server: GraphServer,
):
    assert fetch(server, "/sparql", accept="application/json").status == 400
    page = fetch(server, "/sparql", accept="text/html")
    assert page.status == 200 and "<form" in page.text


def test_html_results_link_to_the_pages(server: GraphServer):
    q = f"SELECT ?s WHERE {{ BIND(<{BLINKEN}> AS ?s) }}"
    reply = sparql_get(server, q, "text/html,*/*;q=0.8")
    assert reply.media == "text/html"
    assert 'href="doc/official/antony-blinken.html"' in reply.text


# --- linked data ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "ext"),
    [
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/json", "jsonld"),
        ("application/n-triples", "nt"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("text/html;q=0.1, text/turtle;q=0.9", "ttl"),
        (None, "html"),
    ],
)
def test_a_resource_iri_redirects_to_its_document(
    server: GraphServer, accept: str | None, ext: str
):
    reply = fetch(server, "/id/official/antony-blinken", accept=accept)
    assert reply.status == 303
    assert reply.headers["location"] == f"/doc/official/antony-blinken.{ext}"
    assert reply.headers["vary"] == "Accept"


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "nt"])
def test_rdf_documents_parse(server: GraphServer, ext: str):
    reply = fetch(server, f"/doc/official/antony-blinken.{ext}")
    assert reply.status == 200
    fmt = ox.RdfFormat.from_media_type(reply.media)
    assert fmt is not None and fmt == ox.RdfFormat.from_extension(ext)
    triples = list(ox.parse(reply.body, format=fmt))
    assert {t.subject.value for t in triples} == {BLINKEN}


def test_the_html_page_of_an_official(server: GraphServer):
    reply = fetch(server, "/doc/official/antony-blinken.html")
    assert reply.status == 200 and reply.media == "text/html"
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    page = reply.text
    assert "<h1><bdi>Antony Blinken</bdi></h1>" in page
    assert "Anthony Blinken" in page  # altLabel
    assert 'href="../position/secretary-of-state-of-united-states.html"' in page
    assert "<blockquote>" in page and "#char=" in page  # quoted evidence, linked
    assert 'rel="alternate" type="text/turtle" href="antony-blinken.ttl"' in page


def test_the_article_page_highlights_mentions(server: GraphServer):
    reply = fetch(server, "/doc/article/000_882f0b8c3bdfd23a.html")
    assert reply.status == 200
    assert '<a href="../official/antony-blinken.html">Antony Blinken</a></mark>' in (
        reply.text
    )


def test_indexes_and_the_ontology(server: GraphServer):
    assert "Officials" in fetch(server, "/").text
    officials = fetch(server, "/types/official.html")
    assert officials.status == 200 and "Antony Blinken" in officials.text
    assert fetch(server, "/types/nothing.html").status == 404
    assert fetch(server, "/ontology", accept="text/turtle").headers["location"] == (
        "/ontology.ttl"
    )
    onto = fetch(server, "/ontology.html")
    assert 'id="Official"' in onto.text and 'id="holdsPosition"' in onto.text
    ttl = fetch(server, "/ontology.ttl")
    assert len(list(ox.parse(ttl.body, format=ox.RdfFormat.TURTLE))) > 100


def test_head_sends_no_body(server: GraphServer):
    reply = fetch(server, "/doc/official/antony-blinken.ttl", method="HEAD")
    assert reply.status == 200 and reply.body == b""
    assert int(reply.headers["content-length"]) > 100


@pytest.mark.parametrize(
    "path",
    [
        "/id/official/nobody",
        "/doc/official/nobody.html",
        "/doc/official/antony-blinken.exe",
        "/nothing/here",
        "/id/",
    ],
)
def test_unknown_resources_are_404(server: GraphServer, path: str):
    reply = fetch(server, path, accept="text/turtle")
    assert reply.status == 404 and reply.media == "text/plain"


def test_unacceptable_media_type_is_406(server: GraphServer):
    assert (
        fetch(server, "/id/official/antony-blinken", accept="image/png").status == 406
    )


# --- the command, settings and units ------------------------------------------------


def test_a_missing_store_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="no store"):
        make_server(tmp_path / "none", "127.0.0.1", 0)


def test_bad_settings_are_usage_errors(store_dir: Path):
    with pytest.raises(UsageError):
        make_server(store_dir, "127.0.0.1", 0, query_timeout=0)


def test_cli_serve_reports_a_missing_store(tmp_path: Path):
    result = CliRunner().invoke(app, ["serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no store" in result.output


def test_negotiate():
    offers = ["text/html", "text/turtle", "application/ld+json"]
    assert negotiate(None, offers) == "text/html"
    assert negotiate("*/*", offers) == "text/html"
    assert negotiate("text/turtle", offers) == "text/turtle"
    assert negotiate("application/*", offers) == "application/ld+json"
    assert negotiate("text/*;q=0.5, application/ld+json;q=0.6", offers) == (
        "application/ld+json"
    )
    assert negotiate("text/turtle;q=0, */*", offers) == "text/html"
    assert negotiate("TEXT/TURTLE; charset=utf-8", offers) == "text/turtle"
    assert negotiate("image/png", offers) is None
    assert negotiate("text/turtle;q=abc, text/html;q=0.1", offers) == "text/html"


@pytest.mark.parametrize(
    ("query", "update", "service"),
    [
        ("SELECT * { ?s ?p ?o }", False, False),
        ("INSERT DATA { <a:a> <a:b> <a:c> }", True, False),
        ("prefix ex: <http://ex/> delete where { ?s ex:p ?o }", True, False),
        ("# INSERT\nASK { ?s ?p 'DELETE' }", False, False),
        ("WITH <a:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True, False),
        ("SELECT * { service <http://x/> { ?s ?p ?o } }", False, True),
        ("SELECT * { SERVICE SILENT ?x { ?s ?p ?o } }", False, True),
        ("SELECT ?service { ?service <http://x/SERVICE> 'SERVICE' }", False, False),
        ("SELECT * { ?s ex:SERVICE ?o } # SERVICE <x:y>", False, False),
        ('SELECT * { ?s ?p """a "" SERVICE """ }', False, False),
        ("SELECT * { FILTER(?a<?b)SERVICE<http://x/>{ ?s ?p ?o } }", False, True),
    ],
)
def test_reading_a_query_for_updates_and_service(
    query: str, update: bool, service: bool
):
    assert is_update(query) is update
    assert calls_service(query) is service


@given(st.text(max_size=80))
def test_negotiate_never_fails(accept: str):
    assert negotiate(accept, ["text/html", "text/turtle"]) in (
        None,
        "text/html",
        "text/turtle",
    )
    is_update(accept)
    calls_service(accept)
