"""The server under hostile requests (issue 5, item 6): SPARQL updates refused
every way, a query over the time limit stopped with a clear error, oversized
results capped, path traversal refused, labels and article text HTML-escaped,
and fuzzed paths and query texts answered without a crash.

The server and its helpers are those of ``tests/test_server.py`` (a real server
on a free port, over a store holding the sample build plus a hostile article).
"""

# The fixtures imported from tests.test_server are named as arguments: F811.
# ruff: noqa: F811

from __future__ import annotations

import http.client
import time
from urllib.parse import quote, unquote, urlencode

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg_builder.server import GraphServer
from tests.test_publish import BASE, HOSTILE
from tests.test_server import (  # noqa: F401  (fixtures, used by name)
    BLINKEN,
    CAP,
    OFFICIALS,
    SLOW,
    TIMEOUT,
    fetch,
    server,
    solutions,
    sparql_get,
    store_dir,
)

INSERT = f"INSERT DATA {{ <{BASE}official/intruder> a dal:Official }}"


def _count(server: GraphServer) -> int:
    rows = solutions(
        sparql_get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        ox.QueryResultsFormat.JSON,
    )
    return int(rows[0]["n"])


def test_updates_are_refused_every_way(server: GraphServer):
    before = _count(server)
    attempts = [
        fetch(
            server,
            "/sparql",
            method="POST",
            body=INSERT.encode(),
            content_type="application/sparql-update",
        ),
        fetch(
            server,
            "/sparql",
            method="POST",
            body=urlencode({"update": INSERT}).encode(),
            content_type="application/x-www-form-urlencoded",
        ),
        fetch(server, "/sparql?" + urlencode({"update": INSERT})),
        sparql_get(server, "PREFIX x: <http://x/> # SELECT\n" + INSERT),
        fetch(server, "/sparql", method="PUT", body=b"<a:a> <a:b> <a:c> ."),
        fetch(server, "/doc/official/antony-blinken.ttl", method="DELETE"),
    ]
    assert [a.status for a in attempts] == [403, 403, 403, 403, 405, 405]
    assert "read-only" in attempts[0].text
    assert _count(server) == before


def test_service_calls_are_refused(server: GraphServer):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    reply = sparql_get(server, q)
    assert reply.status == 400 and "SERVICE" in reply.text


def test_other_post_bodies_are_refused(server: GraphServer):
    reply = fetch(
        server, "/sparql", method="POST", body=b"{}", content_type="application/json"
    )
    assert reply.status == 415
    # Refused from the Content-Length alone, before the body is read.
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=60)
    try:
        conn.putrequest("POST", "/sparql")
        conn.putheader("Content-Type", "application/sparql-query")
        conn.putheader("Content-Length", str((1 << 20) + 1))
        conn.endheaders()
        big = conn.getresponse()
        big.read()
    finally:
        conn.close()
    assert big.status == 413


def test_a_slow_query_is_stopped_at_the_time_limit(server: GraphServer):
    started = time.monotonic()
    reply = sparql_get(server, SLOW)
    took = time.monotonic() - started
    assert reply.status == 503
    assert "query stopped" in reply.text and f"{TIMEOUT:g} s" in reply.text
    assert took < TIMEOUT + 20  # generous: the machine may be busy
    # The killed worker is replaced: the next query is answered.
    ok = sparql_get(server, f"ASK {{ <{BLINKEN}> ?p ?o }}")
    assert ok.status == 200


def test_results_are_capped(server: GraphServer):
    reply = sparql_get(server, OFFICIALS)
    assert len(solutions(reply, ox.QueryResultsFormat.JSON)) == CAP
    assert reply.headers["result-truncated"] == "true"
    exact = sparql_get(server, OFFICIALS + f" LIMIT {CAP}")
    assert len(solutions(exact, ox.QueryResultsFormat.JSON)) == CAP
    assert "result-truncated" not in exact.headers
    graph = sparql_get(
        server, "CONSTRUCT { ?s a dal:Official } WHERE { ?s a dal:Official }"
    )
    assert len(list(ox.parse(graph.body, format=ox.RdfFormat.TURTLE))) == CAP
    assert graph.headers["result-truncated"] == "true"


@pytest.mark.parametrize(
    "path",
    [
        "/doc/../../../../etc/passwd",
        "/id/../../etc/passwd",
        "/doc/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/doc/official/..%2f..%2f..%2fetc%2fpasswd.html",
        "/doc/..%5c..%5cetc%5cpasswd.html",
        "/ontology.ttl/../../../etc/passwd",
        "/doc/official/%00.html",
        "/doc/%ff%fe.html",
    ],
)
def test_path_traversal_is_refused(server: GraphServer, path: str):
    reply = fetch(server, path)
    assert reply.status in (400, 404), reply.status
    assert b"root:" not in reply.body


def test_a_label_with_markup_is_shown_as_text(server: GraphServer):
    page = fetch(server, "/doc/official/x-script.html").text
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    index = fetch(server, "/types/official.html").text
    assert "<script>" not in index
    article = fetch(server, "/doc/article/zz-hostile.html").text
    assert "<script>" not in article and "<img" not in article
    assert 'href="javascript:' not in article
    # and the IRI of the hostile resource answers as any other
    assert fetch(server, "/id/official/x-script", accept="text/turtle").status == 303
    assert HOSTILE in fetch(server, "/doc/official/x-script.nt").text


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=40))
def test_any_path_gets_an_answer_never_a_crash(server: GraphServer, text: str):
    path = "/" + quote(text, safe="/%.~")
    reply = fetch(server, path, accept="text/turtle")
    assert reply.status in (200, 303, 400, 404, 406), (path, reply.status)
    if reply.status == 200:
        assert ".." not in unquote(path).split("/")


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=60))
def test_any_query_text_gets_an_answer_never_a_crash(server: GraphServer, q: str):
    reply = fetch(
        server,
        "/sparql",
        method="POST",
        body=q.encode("utf-8", "surrogatepass"),
        content_type="application/sparql-query",
    )
    assert reply.status in (200, 400, 403, 406), (q, reply.status, reply.body)
