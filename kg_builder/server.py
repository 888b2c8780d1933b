"""``kg-builder serve``: the graph over HTTP, as SPARQL and as linked data.

Routes (the layout of :mod:`kg_builder.site`)::

    /sparql                  SPARQL 1.1 Protocol: GET ?query=, POST form or
                             application/sparql-query; read-only
    /id/<local>              the resource {base}<local>: 303 See Other to its
                             document in the negotiated format
    /doc/<local>.<ext>       that document: html, ttl, jsonld or nt
    /ontology                303 to /ontology.<ext>; terms are ontology#<Name>
    /  /index.html           the entry page;  /types/<kind>.html  one per type

**Queries run in worker processes.** pyoxigraph cannot cancel a running query (no
timeout, no interrupt; a Python thread cannot be stopped), so each query goes to
one of a few worker processes, each with its own read-only handle on the store.
One that overruns ``query_timeout`` is killed and replaced, and the client gets
``503`` saying so. Results are cut at ``max_results`` rows or triples; the
response then says ``Result-Truncated: true`` (and every response gives its
``Result-Limit``). Updates (``update=``, ``application/sparql-update``, or an
update in ``query=``) are refused with ``403``; federated ``SERVICE`` calls, which
would make the server fetch any URL it is given, with ``400``.

The HTML pages are rendered in the server process from fixed, bounded queries.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from csv import writer as csv_writer
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from .errors import InputError, UsageError
from .namespace import DEFAULT_BASE, PREFIXES
from .site import (
    DOCUMENT_TYPES,
    RDF_FORMATS,
    Paths,
    Site,
    error_page,
    ontology_rdf,
    solutions_table,
    sparql_page,
)
from .store import open_store

__all__ = [
    "DEFAULT_MAX_RESULTS",
    "DEFAULT_QUERY_TIMEOUT",
    "GraphServer",
    "QueryPool",
    "make_server",
    "negotiate",
    "serve",
]

DEFAULT_QUERY_TIMEOUT = 10.0
DEFAULT_MAX_RESULTS = 10_000
MAX_REQUEST_BYTES = 1 << 20  # a POSTed query; larger ones get 413

log = logging.getLogger(__name__)

# --- content negotiation -----------------------------------------------------------

#: Media types offered for SELECT results, in the server's order of preference.
SOLUTION_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "text/html",
)
BOOLEAN_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/json",
    "text/html",
)
GRAPH_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "text/html",
)
_RDF_BY_TYPE = {media: fmt for media, fmt in RDF_FORMATS.values()}
#: ``format=`` on /sparql: a short name for the media type to answer in.
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the ``Accept`` header prefers (RFC 9110 §12.5.1), or None.

    A missing or empty header accepts anything; the most specific matching range
    gives an offer its quality; ties go to the earlier offer.

    >>> negotiate("text/html;q=0.5, text/*;q=0.8", ["text/html", "text/turtle"])
    'text/turtle'
    >>> negotiate("application/ld+json", ["text/html", "text/turtle"]) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    best, best_q = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0]
        matches = [
            (3 if m == offer else 2 if m == f"{kind}/*" else 1, q)
            for m, q in ranges
            if m in (offer, f"{kind}/*", "*/*")
        ]
        if matches and (q := max(matches)[1]) > best_q:
            best, best_q = offer, q
    return best


# --- reading a query: is it an update, does it call SERVICE ------------------------

_TOKENS = re.compile(
    r"""(?P<comment>\#[^\n\r]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
       |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$]\w+)
    |(?P<word>[A-Za-z_][\w.-]*(?::[\w.:%-]*)?|:[\w.:%-]*)
    |(?P<other>.)""",
    re.X | re.S,
)
_UPDATE_WORDS = {
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
    "WITH",
}  # fmt: skip


def _keywords(query: str) -> list[str]:
    """The bare words of a query, upper-cased: outside strings, IRIs, comments."""
    return [m.group().upper() for m in _TOKENS.finditer(query) if m.lastgroup == "word"]


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL update (its first keyword after the prologue).

    >>> is_update("PREFIX x: <http://x/> # SELECT\\nINSERT DATA { x:a x:b x:c }")
    True
    >>> is_update("SELECT * WHERE { ?s ?p 'INSERT' }")
    False
    """
    words = [
        w for w in _keywords(query) if w not in ("PREFIX", "BASE") and ":" not in w
    ]
    return bool(words) and words[0] in _UPDATE_WORDS


def calls_service(query: str) -> bool:
    """Whether the query uses ``SERVICE`` (a federated call to another endpoint).

    >>> calls_service("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }")
    True
    >>> calls_service("SELECT ?service { ?service <http://x/p> 'SERVICE' }")
    False
    """
    return "SERVICE" in _keywords(query)


# --- results, serialized in a worker -------------------------------------------------

_XSD_STRING = PREFIXES["xsd"] + "string"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SPARQL_NS = "http://www.w3.org/2005/sparql-results#"


def _json_term(t: object) -> dict[str, object]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != _XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    if isinstance(t, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(t.subject),
                "predicate": _json_term(t.predicate),
                "object": _json_term(t.object),
            },
        }
    raise TypeError(f"not an RDF term: {t!r}")


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry these characters at all, even escaped.
    return xml_escape(_XML_BAD.sub("\ufffd", text))


def _xml_term(t: object) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_text(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_text(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            attr = f" xml:lang={quoteattr(t.language)}"
        elif t.datatype.value != _XSD_STRING:
            attr = f" datatype={quoteattr(t.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{_xml_text(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(t.subject)}</subject>"
            f"<predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {t!r}")


def _csv_value(t: object) -> str:
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.NamedNode | ox.Literal):
        return t.value
    return "" if t is None else str(t)


def serialize_solutions(
    media: str, variables: list[str], rows: list[list[object]]
) -> bytes:
    """SELECT results in one of the W3C formats (JSON, XML, CSV, TSV).

    Our own writers, not pyoxigraph's, because pyoxigraph writes only a whole
    result set and the server sends the first ``max_results`` rows.
    """
    if media in ("application/sparql-results+json", "application/json"):
        bindings = [
            {
                v: _json_term(t)
                for v, t in zip(variables, row, strict=True)
                if t is not None
            }
            for row in rows
        ]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if media == "application/sparql-results+xml":
        out = [f'<?xml version="1.0"?>\n<sparql xmlns="{_SPARQL_NS}"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            ]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if media == "text/csv":
        buf = StringIO()
        w = csv_writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        w.writerows([_csv_value(t) for t in row] for row in rows)
        return buf.getvalue().encode("utf-8")
    if media == "text/tab-separated-values":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"no SELECT results writer for {media}")


def serialize_boolean(media: str, value: bool) -> bytes:
    """ASK results in SPARQL JSON or XML."""
    if media in ("application/sparql-results+json", "application/json"):
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    return (
        f'<?xml version="1.0"?>\n<sparql xmlns="{_SPARQL_NS}"><head/>'
        f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n"
    ).encode()


@dataclass(frozen=True)
class QueryRequest:
    """One query for a worker, with the media type chosen for each result form.

    A None media type means the client accepts no format for that form (406).
    """

    query: str
    solutions: str | None
    boolean: str | None
    graph: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryResponse:
    """What a worker (or the pool) answers: an HTTP status, body and flags."""

    status: int
    media_type: str
    body: bytes
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def _text(status: int, message: str) -> QueryResponse:
    return QueryResponse(status, "text/plain", (message + "\n").encode("utf-8"))


def _syntax_message(exc: SyntaxError) -> str:
    m = re.match(r"error at (\d+):(\d+): (.*)", str(exc), re.S)
    if m is None:
        return f"SPARQL syntax error: {exc}"
    return (
        f"SPARQL syntax error at line {m[1]}, column {m[2]}: {' '.join(m[3].split())}"
    )


def evaluate(
    store: ox.Store, request: QueryRequest, *, max_results: int, base: str
) -> QueryResponse:
    """Run one query and serialize at most ``max_results`` rows or triples.

    This is what a worker process does; it is also usable in-process.
    """
    options: dict[str, object] = {"prefixes": PREFIXES}
    try:
        if request.default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if request.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    except ValueError as exc:
        return _text(400, f"invalid graph IRI: {exc}")
    try:
        result = store.query(request.query, **options)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryBoolean):
            media = request.boolean
            if media is None:
                return _text(406, f"ASK results come as: {', '.join(BOOLEAN_TYPES)}")
            if media == "text/html":
                page = sparql_page(request.query, base, boolean=bool(result))
                return QueryResponse(200, media, page.encode("utf-8"))
            return QueryResponse(200, media, serialize_boolean(media, bool(result)))
        if isinstance(result, ox.QuerySolutions):
            media = request.solutions
            if media is None:
                return _text(
                    406, f"SELECT results come as: {', '.join(SOLUTION_TYPES)}"
                )
            variables = [v.value for v in result.variables]
            rows: list[list[object]] = []
            for solution in result:
                if len(rows) == max_results:
                    break
                rows.append(list(solution))
            truncated = (
                len(rows) == max_results and next(iter(result), None) is not None
            )
            if media == "text/html":
                table = solutions_table(variables, rows, Paths(base), here="sparql")
                page = sparql_page(
                    request.query, base, table=table, truncated=truncated
                )
                return QueryResponse(200, media, page.encode("utf-8"), truncated)
            body = serialize_solutions(media, variables, rows)
            return QueryResponse(200, media, body, truncated)
        media = request.graph
        if media is None:
            return _text(406, f"CONSTRUCT results come as: {', '.join(GRAPH_TYPES)}")
        # A graph is a set: a triple matched in several graphs counts once.
        triples: dict[ox.Triple, None] = {}
        truncated = False
        for triple in result:
            if triple not in triples and len(triples) == max_results:
                truncated = True
                break
            triples[triple] = None
        fmt = _RDF_BY_TYPE.get(media, ox.RdfFormat.TURTLE)
        prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
        data = ox.serialize(list(triples), format=fmt, prefixes=prefixes) or b""
        if media == "text/html":
            text = data.decode("utf-8")
            page = sparql_page(request.query, base, turtle=text, truncated=truncated)
            return QueryResponse(200, media, page.encode("utf-8"), truncated)
        return QueryResponse(200, media, data, truncated)
    except SyntaxError as exc:
        return _text(400, _syntax_message(exc))
    except (OSError, RuntimeError, ValueError) as exc:
        return _text(500, f"query failed: {exc}")


# --- worker processes ------------------------------------------------------------


def _worker_entry() -> None:
    """Body of a worker process: ``python -c ... FD STORE BASE MAX_RESULTS``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers
    fd, store_dir, base, max_results = sys.argv[1:5]
    conn = Connection(int(fd))
    try:
        store = open_store(store_dir, read_only=True)
    except InputError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the server closed its end: stop
        conn.send(evaluate(store, request, max_results=int(max_results), base=base))


class _Worker:
    """One worker process and the socket to it."""

    def __init__(self, store_dir: Path, base: str, max_results: int) -> None:
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p
        )
        # Not multiprocessing: its "spawn" re-runs the parent's __main__ module,
        # and "fork" in a threaded server can deadlock.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from kg_builder.server import _worker_entry; _worker_entry()",
                str(theirs.fileno()),
                str(store_dir),
                base,
                str(max_results),
            ],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.stop()
            raise UsageError(f"a query worker did not start within {timeout:.0f} s")
        try:
            status, message = self.conn.recv()
        except EOFError:
            status, message = "error", "a query worker exited at start"
        if status != "ready":
            self.stop()
            raise UsageError(message)

    def stop(self) -> None:
        self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class QueryPool:
    """Worker processes that run queries under a time limit.

    Args:
        store_dir: the store, opened read-only by each worker.
        base: the IRI base (for links in HTML results).
        workers: how many queries run at once.
        timeout: seconds a query may run before its worker is killed.
        max_results: rows (SELECT) or triples (CONSTRUCT) sent at most.
    """

    def __init__(
        self,
        store_dir: Path,
        *,
        base: str = DEFAULT_BASE,
        workers: int = 2,
        timeout: float = DEFAULT_QUERY_TIMEOUT,
        max_results: int = DEFAULT_MAX_RESULTS,
    ) -> None:
        self.store_dir = store_dir
        self.base = base
        self.timeout = timeout
        self.max_results = max_results
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._closed = False
        started = [self._spawn() for _ in range(workers)]
        try:
            for w in started:
                w.wait_ready(60)
        except BaseException:
            self.close()
            raise
        for w in started:
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store_dir, self.base, self.max_results)
        with self._lock:
            self._live.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.stop()
        self._idle.put(None)  # the next request starts a fresh worker

    def run(self, request: QueryRequest) -> QueryResponse:
        """Run ``request`` on an idle worker; stop it at the time limit."""
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return _text(503, "all query workers are busy; try again later")
        if worker is None:
            try:
                worker = self._spawn()
                worker.wait_ready(60)
            except Exception as exc:
                self._idle.put(None)
                return _text(500, f"cannot start a query worker: {exc}")
        try:
            worker.conn.send(request)
            if worker.conn.poll(self.timeout):
                response: QueryResponse = worker.conn.recv()
                self._idle.put(worker)
                return response
        except (EOFError, OSError) as exc:
            self._discard(worker)
            return _text(500, f"the query worker failed ({exc}); try again")
        self._discard(worker)
        return _text(
            503,
            f"query stopped: it ran longer than the server's limit of "
            f"{self.timeout:g} s (kg-builder serve --query-timeout); add a LIMIT "
            "or narrow the patterns",
        )

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            live, self._live = self._live, set()
        for worker in live:
            worker.stop()


# --- HTTP ------------------------------------------------------------------------

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_TEXT_TYPES = ("text/", "application/n-triples", "application/sparql-results+xml")


class GraphServer(ThreadingHTTPServer):
    """The HTTP server: a :class:`Site` for pages, a :class:`QueryPool` for SPARQL.

    Use it as a context manager, or call :meth:`server_close`, to stop the workers.
    """

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        site: Site,
        pool: QueryPool,
        *,
        quiet: bool = False,
    ) -> None:
        self.site = site
        self.pool = pool
        self.quiet = quiet
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """The server's root URL."""
        host, port = self.server_address[:2]
        host = host if isinstance(host, str) else host.decode()
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def _bad_path(path: str) -> bool:
    segments = path.split("/")
    return any(s in (".", "..") for s in segments) or "\\" in path or "\x00" in path


class _Handler(BaseHTTPRequestHandler):
    server: GraphServer
    server_version = "kg-builder"
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers

    # -- plumbing --

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not self.server.quiet:
            super().log_message(format, *args)

    def _send(
        self,
        status: int,
        body: bytes,
        media: str,
        *,
        head: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        charset = "; charset=utf-8" if media.startswith(_TEXT_TYPES) else ""
        self.send_header("Content-Type", media + charset)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if media == "text/html":
            self.send_header("Content-Security-Policy", _CSP)
        else:
            self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(self, status: int, message: str, *, head: bool = False) -> None:
        if self._wants_html():
            page = error_page(status, message, sparql=True)
            self._send(status, page.encode("utf-8"), "text/html", head=head)
        else:
            self._send(
                status, (message + "\n").encode("utf-8"), "text/plain", head=head
            )

    def _wants_html(self) -> bool:
        """Errors are plain text unless the client prefers HTML (a browser)."""
        offers = ["text/plain", "text/html"]
        return negotiate(self.headers.get("Accept"), offers) == "text/html"

    def _see_other(self, location: str, *, head: bool) -> None:
        body = f"See {location}\n".encode()
        self._send(
            303,
            body,
            "text/plain",
            head=head,
            headers={"Location": location, "Vary": "Accept"},
        )

    # -- methods --

    def _guarded(self, answer: Callable[[], None]) -> None:
        """Answer; a bug becomes a 500 and a logged traceback, not a dropped line."""
        try:
            answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left
        except Exception:
            log.exception("error answering %s %s", self.command, self.path)
            try:
                self._error(500, "internal error; the server's log has the details")
            except OSError:
                pass

    def do_GET(self) -> None:  # noqa: N802
        self._guarded(lambda: self._route(head=False))

    def do_HEAD(self) -> None:  # noqa: N802
        self._guarded(lambda: self._route(head=True))

    def do_POST(self) -> None:  # noqa: N802
        self._guarded(self._post)

    def _post(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._error(405, "only /sparql takes POST")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._error(411, "a POST needs a Content-Length")
            return
        if int(length) > MAX_REQUEST_BYTES:
            self._error(413, f"the request is over {MAX_REQUEST_BYTES} bytes")
            return
        data = self.rfile.read(int(length))
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self._error(400, "the request body is not UTF-8")
            return
        params = parse_qs(url.query, keep_blank_values=True)
        if media == "application/x-www-form-urlencoded":
            params.update(parse_qs(text, keep_blank_values=True))
        elif media == "application/sparql-query":
            params["query"] = [text]
        elif media == "application/sparql-update":
            self._read_only()
            return
        else:
            self._error(
                415,
                "POST a query as application/sparql-query or as an "
                "application/x-www-form-urlencoded form with query=",
            )
            return
        self._sparql(params, head=False)

    def _refuse(self) -> None:
        self._send(
            405,
            b"this server is read-only\n",
            "text/plain",
            headers={"Allow": "GET, HEAD, POST"},
        )

    do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815

    def _read_only(self) -> None:
        self._error(403, "this endpoint is read-only: SPARQL updates are not accepted")

    # -- routes --

    def _route(self, *, head: bool) -> None:
        url = urlsplit(self.path)
        try:
            path = unquote(url.path, errors="strict")
        except UnicodeDecodeError:
            self._error(400, "the path is not UTF-8", head=head)
            return
        if _bad_path(url.path) or _bad_path(path):
            message = "paths with '.' or '..' segments, '\\' or NUL are refused"
            self._error(400, message, head=head)
            return
        site = self.server.site
        accept = self.headers.get("Accept")
        if path == "/sparql":
            self._sparql(parse_qs(url.query, keep_blank_values=True), head=head)
        elif path in ("/", "/index.html"):
            self._page(site.index_page(), head)
        elif m := re.fullmatch(r"/types/([a-z-]+)\.html", path):
            self._page(site.type_page(m[1]), head)
        elif path == "/ontology":
            ext = self._pick(accept)
            if ext is None:
                self._not_acceptable(head)
            else:
                self._see_other(f"/ontology.{ext}", head=head)
        elif path == "/ontology.html":
            self._page(site.ontology_page(), head)
        elif m := re.fullmatch(r"/ontology\.(ttl|jsonld|nt)", path):
            self._send(200, ontology_rdf(m[1]), RDF_FORMATS[m[1]][0], head=head)
        elif path.startswith("/id/"):
            iri = site.paths.resource(path[len("/id/") :])
            if iri is None or not site.exists(iri):
                self._error(404, f"no resource {path}", head=head)
            elif (ext := self._pick(accept)) is None:
                self._not_acceptable(head)
            else:
                self._see_other(f"/doc/{path[len('/id/') :]}.{ext}", head=head)
        elif m := re.fullmatch(r"/doc/(.+)\.(html|ttl|jsonld|nt)", path):
            iri = site.paths.resource(m[1])
            if iri is None or not site.exists(iri):
                self._error(404, f"no document {path}", head=head)
            elif m[2] == "html":
                self._page(site.page(iri), head)
            else:
                self._send(200, site.rdf(iri, m[2]), RDF_FORMATS[m[2]][0], head=head)
        else:
            self._error(404, f"nothing at {path}", head=head)

    def _pick(self, accept: str | None) -> str | None:
        offers = list(DOCUMENT_TYPES.values())
        chosen = negotiate(accept, [*offers, "application/json"])
        if chosen == "application/json":
            chosen = "application/ld+json"
        return next((ext for ext, m in DOCUMENT_TYPES.items() if m == chosen), None)

    def _not_acceptable(self, head: bool) -> None:
        offered = ", ".join(DOCUMENT_TYPES.values())
        self._error(406, f"this resource is available as {offered}", head=head)

    def _page(self, page: str | None, head: bool) -> None:
        if page is None:
            self._error(404, "no such page", head=head)
        else:
            self._send(200, page.encode("utf-8"), "text/html", head=head)

    def _sparql(self, params: dict[str, list[str]], *, head: bool) -> None:
        if "update" in params:
            self._read_only()
            return
        queries = params.get("query", [])
        accept = self.headers.get("Accept")
        if not queries:
            if negotiate(accept, ["text/html"]):
                page = sparql_page("", self.server.site.paths.base)
                self._send(200, page.encode("utf-8"), "text/html", head=head)
            else:
                self._error(400, "missing the query parameter (query=…)", head=head)
            return
        if len(queries) > 1:
            self._error(400, "give one query parameter, not several", head=head)
            return
        query = queries[0]
        if is_update(query):
            self._read_only()
            return
        if calls_service(query):
            self._error(400, "SERVICE (federated query) is not allowed here", head=head)
            return
        formats = params.get("format", [])
        if formats:
            if formats[0] not in FORMAT_NAMES:
                names = ", ".join(sorted(FORMAT_NAMES))
                self._error(400, f"format= takes one of: {names}", head=head)
                return
            accept = FORMAT_NAMES[formats[0]]
        request = QueryRequest(
            query=query,
            solutions=negotiate(accept, SOLUTION_TYPES),
            boolean=negotiate(accept, BOOLEAN_TYPES),
            graph=negotiate(accept, GRAPH_TYPES),
            default_graphs=tuple(params.get("default-graph-uri", [])),
            named_graphs=tuple(params.get("named-graph-uri", [])),
        )
        response = self.server.pool.run(request)
        headers = {"Result-Limit": str(self.server.pool.max_results), "Vary": "Accept"}
        if response.truncated:
            headers["Result-Truncated"] = "true"
        if response.status != 200 and self._wants_html():
            message = response.body.decode("utf-8", "replace").strip()
            page = sparql_page(query, self.server.site.paths.base, error=message)
            self._send(response.status, page.encode(), "text/html", head=head)
            return
        self._send(
            response.status,
            response.body,
            response.media_type,
            head=head,
            headers=headers,
        )


def make_server(
    store_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    base: str = DEFAULT_BASE,
    query_timeout: float = DEFAULT_QUERY_TIMEOUT,
    max_results: int = DEFAULT_MAX_RESULTS,
    workers: int = 2,
    quiet: bool = False,
) -> GraphServer:
    """Open the store, start the query workers and bind the server (not serving yet).

    Raises:
        InputError: ``store_dir`` is not a store.
        UsageError: a bad setting, the address is taken, or workers cannot start.
    """
    if query_timeout <= 0 or max_results < 1 or workers < 1:
        raise UsageError(
            "--query-timeout, --max-results and --workers must be positive"
        )
    site = Site(open_store(store_dir, read_only=True), base=base, sparql=True)
    pool = QueryPool(
        Path(store_dir),
        base=base,
        workers=workers,
        timeout=query_timeout,
        max_results=max_results,
    )
    try:
        return GraphServer((host, port), site, pool, quiet=quiet)
    except OSError as exc:
        pool.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from exc


def serve(
    store_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    base: str = DEFAULT_BASE,
    query_timeout: float = DEFAULT_QUERY_TIMEOUT,
    max_results: int = DEFAULT_MAX_RESULTS,
    workers: int = 2,
    quiet: bool = False,
    ready: Callable[[GraphServer], None] | None = None,
) -> None:
    """Serve the store until interrupted (Ctrl-C); then stop the workers.

    Args:
        store_dir: a store written by ``kg-builder load``.
        host: the address to listen on (``0.0.0.0`` for every interface).
        port: the port (0 picks a free one).
        base: the IRI base of the graph's resources; ``{base}<local>`` is
            served at ``/id/<local>``.
        query_timeout: seconds a SPARQL query may run.
        max_results: rows or triples a SPARQL response holds at most.
        workers: SPARQL queries that run at once.
        quiet: do not log each request to stderr.
        ready: called with the bound server before it starts serving.

    Raises:
        InputError: ``store_dir`` is not a store.
        UsageError: a bad setting, or the address is taken.
    """
    with make_server(
        store_dir,
        host,
        port,
        base=base,
        query_timeout=query_timeout,
        max_results=max_results,
        workers=workers,
        quiet=quiet,
    ) as server:
        if ready is not None:
            ready(server)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            log.info("stopped")
