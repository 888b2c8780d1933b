"""``push``: a build sent graph by graph to a SPARQL 1.1 Graph Store Protocol
endpoint.

The main tests run against a real Oxigraph server (``oxigraph serve``, from the
PyPI package ``oxigraph``, installed by ``scripts/setup-gsp-server.sh``) started
on 127.0.0.1 with a temporary data directory. Without the binary they are
skipped, except under CI (``CI=true``), where they fail. The Oxigraph server has
no authentication, so the credential tests use a small recording HTTP server of
the standard library on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg_builder.cli import app
from kg_builder.errors import InputError, OutputError, UsageError
from kg_builder.push import PASSWORD_ENV, TOKEN_ENV, Auth, graph_url, push_build

ID = "https://w3id.org/defense-alliance/id/"
SETUP = "scripts/setup-gsp-server.sh"


# --- the real server -------------------------------------------------------


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server binary: $KG_BUILDER_OXIGRAPH, PATH, or this venv."""
    if os.environ.get("KG_BUILDER_OXIGRAPH"):
        return os.environ["KG_BUILDER_OXIGRAPH"]
    beside = Path(sys.executable).parent / "oxigraph"
    return shutil.which("oxigraph") or (str(beside) if beside.is_file() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    """A running Oxigraph server; yields its base URL (GSP endpoint: /store)."""
    binary = oxigraph_binary()
    if binary is None:
        reason = (
            "no Oxigraph server binary (`oxigraph`): run "
            f"{SETUP} as root, or pip install 'oxigraph>=0.5,<0.6'"
        )
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI must run the real Graph Store test: {reason}")
        pytest.skip(reason)
    data = tmp_path / "oxigraph-data"
    data.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "oxigraph.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [binary, "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {log_path.read_text()}")
            try:
                ask = urllib.parse.quote("ASK {}")
                with urllib.request.urlopen(f"{base}/query?query={ask}", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"oxigraph serve did not answer: {log_path.read_text()}"
                    )
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def sparql(base: str, query: str) -> list[dict[str, str]]:
    """Run a SELECT on the server over HTTP; each row as {var: value}."""
    request = urllib.request.Request(
        f"{base}/query",
        data=query.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        doc = json.load(response)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def server_graph(base: str, graph: str | None) -> set[ox.Triple]:
    """GET one graph from the server's Graph Store endpoint."""
    request = urllib.request.Request(
        graph_url(f"{base}/store", graph), headers={"Accept": "application/n-triples"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return {q.triple for q in ox.parse(response.read(), ox.RdfFormat.N_TRIPLES)}


def local_graphs(out: Path) -> dict[str | None, set[ox.Triple]]:
    """The build's graphs as an Oxigraph store keeps them (literals canonical)."""
    memory = ox.Store()
    memory.load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    graphs: dict[str | None, set[ox.Triple]] = {}
    for q in memory:
        key = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
        graphs.setdefault(key, set()).add(q.triple)
    return graphs


COUNT_ALL = (
    "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
)
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def test_push_sample_build_to_a_real_oxigraph_server(oxigraph, sample_out):
    local = local_graphs(sample_out)
    articles = sorted(g for g in local if g is not None)
    report = push_build(sample_out, f"{oxigraph}/store")

    assert [g.graph for g in report.graphs] == [None, *articles]
    assert all(g.status in (200, 201, 204) for g in report.graphs)
    assert report.triples == sum(len(t) for t in local.values())
    # What the server holds, asked over HTTP.
    (row,) = sparql(oxigraph, COUNT_ALL)
    assert int(row["n"]) == report.triples
    assert sorted(r["g"] for r in sparql(oxigraph, GRAPHS)) == articles
    one = f"{ID}article/004_1cc9e73e11f540ae"
    assert server_graph(oxigraph, one) == local[one]
    assert server_graph(oxigraph, None) == local[None]
    # Entity descriptions (default graph) and facts (article graphs) meet.
    rows = sparql(
        oxigraph,
        "PREFIX dal: <https://w3id.org/defense-alliance/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT DISTINCT ?name WHERE { ?o rdfs:label ?name . "
        "GRAPH ?g { ?o dal:holdsPosition ?p } } ORDER BY ?name",
    )
    assert "Antony Blinken" in {r["name"] for r in rows}


def write_nq(out: Path, lines: list[str]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "graph.nq").write_text("".join(f"{line}\n" for line in lines), "utf-8")
    return out


S = f"<{ID}official/x>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
P = "<https://w3id.org/defense-alliance/ontology#rule>"
A1, A2 = f"{ID}article/a1", f"{ID}article/a2"


def test_a_newer_build_replaces_article_graphs_on_the_server(oxigraph, tmp_path):
    endpoint = f"{oxigraph}/store"
    v1 = write_nq(
        tmp_path / "v1",
        [
            f'{S} {LABEL} "Old" .',
            f'<{A1}#m> {P} "a1 v1" <{A1}> .',
            f'<{A2}#m> {P} "a2 v1" <{A2}> .',
        ],
    )
    v2 = write_nq(
        tmp_path / "v2",
        [
            f'{S} {LABEL} "New" .',
            f'<{A1}#m> {P} "a1 v2" <{A1}> .',
            f'<{A1}#m> {P} "a1 v2, second" <{A1}> .',
        ],
    )
    push_build(v1, endpoint)
    push_build(v1, endpoint)  # again: nothing duplicated
    (row,) = sparql(oxigraph, COUNT_ALL)
    assert int(row["n"]) == 3

    push_build(v2, endpoint, syntax="turtle")
    assert {t.object.value for t in server_graph(oxigraph, A1)} == {
        "a1 v2",
        "a1 v2, second",
    }
    assert {t.object.value for t in server_graph(oxigraph, A2)} == {"a2 v1"}
    assert {t.object.value for t in server_graph(oxigraph, None)} == {"New"}

    push_build(v1, endpoint, merge_default=True)  # POST: added, not replaced
    assert {t.object.value for t in server_graph(oxigraph, None)} == {"Old", "New"}


def test_push_keeps_the_builds_literals_exactly(oxigraph, tmp_path):
    """No store in between: the body carries xsd:nonNegativeInteger as written."""
    out = write_nq(
        tmp_path / "b",
        [
            f"<{A1}#m> <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex> "
            f'"7"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> <{A1}> .'
        ],
    )
    seen = Recorder()
    with recording_server(seen) as base:
        push_build(out, base)
    assert b"XMLSchema#nonNegativeInteger" in seen.requests[1].body
    report = push_build(out, f"{oxigraph}/store")
    assert report.graphs[1].status in (200, 201, 204)


def test_wrong_endpoint_path_names_endpoint_and_status(oxigraph, sample_out):
    endpoint = f"{oxigraph}/nope"
    with pytest.raises(OutputError) as err:
        push_build(sample_out, endpoint)
    message = str(err.value)
    assert message.startswith(f"{endpoint}: HTTP 404")
    assert "Graph Store endpoint" in message


def test_unreachable_endpoint(tmp_path):
    out = write_nq(tmp_path / "b", [f'{S} {LABEL} "x" .'])
    endpoint = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(OutputError, match=rf"^{endpoint}: cannot connect"):
        push_build(out, endpoint, timeout=5)


# --- credentials, dry run and time-outs, on a recording server -------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """What the recording server saw, and how it should answer."""

    require: str | None = None  # an Authorization value; else 401
    delay: float = 0.0
    requests: list[Seen] = field(default_factory=list)


class recording_server:  # noqa: N801 - used like a function, in `with`
    """A stdlib HTTP server on 127.0.0.1 that records PUT/POST requests."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def __enter__(self) -> str:
        recorder = self.recorder

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_PUT(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append(
                    Seen(self.command, self.path, dict(self.headers), body)
                )
                time.sleep(recorder.delay)
                if recorder.require and self.headers.get("Authorization") != (
                    recorder.require
                ):
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="kg"')
                    self.send_header("Content-Length", "12")
                    self.end_headers()
                    self.wfile.write(b"unauthorized")
                    return
                self.send_response(204)
                self.end_headers()

            do_POST = do_PUT  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/gsp"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_nq(
        tmp_path_factory.mktemp("push") / "out",
        [
            f'{S} {LABEL} "X" .',
            f'<{A1}#m> {P} "1" <{A1}> .',
            f'<{A2}#m> {P} "2" <{A2}> .',
        ],
    )


def test_requests_follow_the_graph_store_protocol(small_build):
    seen = Recorder()
    with recording_server(seen) as base:
        report = push_build(small_build, base)
    assert [(r.method, r.path) for r in seen.requests] == [
        ("PUT", "/gsp?default"),
        ("PUT", "/gsp?" + urllib.parse.urlencode({"graph": A1})),
        ("PUT", "/gsp?" + urllib.parse.urlencode({"graph": A2})),
    ]
    assert all(
        r.headers["Content-Type"] == "application/n-triples" for r in seen.requests
    )
    assert "Authorization" not in seen.requests[0].headers
    (triple,) = ox.parse(seen.requests[1].body, ox.RdfFormat.N_TRIPLES)
    assert triple.object.value == "1"
    assert [g.status for g in report.graphs] == [204, 204, 204]


def test_basic_auth(small_build):
    seen = Recorder(require="Basic " + base64.b64encode(b"kg:s3cret").decode())
    with recording_server(seen) as base:
        push_build(small_build, base, auth=Auth(user="kg", password="s3cret"))
        assert len(seen.requests) == 3
        with pytest.raises(OutputError) as err:
            push_build(small_build, base, auth=Auth(user="kg", password="wrong"))
    message = str(err.value)
    assert message.startswith(f"{base}: HTTP 401")
    assert "unauthorized" in message and "--user" in message
    assert len(seen.requests) == 4  # stopped at the first refusal


def test_bearer_token(small_build):
    seen = Recorder(require="Bearer t0k3n")
    with recording_server(seen) as base:
        report = push_build(small_build, base, auth=Auth(token="t0k3n"))
    assert [g.status for g in report.graphs] == [204, 204, 204]


def test_dry_run_sends_nothing(small_build):
    seen = Recorder()
    with recording_server(seen) as base:
        report = push_build(small_build, base, dry_run=True)
    assert seen.requests == []
    assert report.dry_run and [g.status for g in report.graphs] == [None] * 3
    assert report.triples == 3


def test_timeout(small_build):
    seen = Recorder(delay=1.5)
    with recording_server(seen) as base:
        with pytest.raises(OutputError, match=r"no answer within 0\.3 s"):
            push_build(small_build, base, timeout=0.3)


def test_bad_arguments(small_build, tmp_path):
    with pytest.raises(UsageError, match="must be an http"):
        push_build(small_build, "ftp://x/store")
    with pytest.raises(UsageError, match="unknown syntax"):
        push_build(small_build, "http://127.0.0.1:9/store", syntax="rdfxml")
    with pytest.raises(InputError, match="graph.nq"):
        push_build(tmp_path, "http://127.0.0.1:9/store")
    with pytest.raises(UsageError, match="needs a password"):
        Auth(user="kg")
    with pytest.raises(UsageError, match="not both"):
        Auth(user="kg", password="x", token="t")


def test_graph_url():
    assert graph_url("http://h/store", None) == "http://h/store?default"
    assert (
        graph_url("http://h/s?a=1", "http://x/g?y=1#z")
        == "http://h/s?a=1&graph=http%3A%2F%2Fx%2Fg%3Fy%3D1%23z"
    )


def test_cli_push_takes_the_password_from_the_environment(small_build):
    seen = Recorder(require="Basic " + base64.b64encode(b"kg:envpw").decode())
    runner = CliRunner()
    with recording_server(seen) as base:
        ok = runner.invoke(
            app,
            ["push", str(small_build), "--endpoint", base, "--user", "kg"],
            env={PASSWORD_ENV: "envpw", TOKEN_ENV: ""},
        )
        refused = runner.invoke(
            app,
            ["push", str(small_build), "--endpoint", base, "--user", "kg"],
            env={PASSWORD_ENV: "nope", TOKEN_ENV: ""},
        )
    assert ok.exit_code == 0, ok.output
    assert f"pushed 3 graphs (3 triples) to {base}" in ok.output
    assert refused.exit_code == 2
    assert f"error: {base}: HTTP 401" in refused.output
    assert "Traceback" not in refused.output


def test_cli_dry_run_lists_requests(small_build):
    result = CliRunner().invoke(
        app, ["push", str(small_build), "-e", "http://127.0.0.1:9/store", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "(default graph)" in result.output and A1 in result.output
    assert "would push 3 graphs (3 triples)" in result.output
