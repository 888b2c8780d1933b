"""Send a build to a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

`SPARQL 1.1 Graph Store HTTP Protocol <https://www.w3.org/TR/sparql11-http-rdf-update/>`_
(GSP) addresses graphs indirectly: ``ENDPOINT?graph=IRI`` names a graph and
``ENDPOINT?default`` the default graph (section 4.2). Each article's named graph
is sent with ``PUT`` (section 5.3: the graph's content is replaced), so pushing a
newer build of an article replaces that article's graph on the server, as
:func:`kg_builder.store.load_build` does locally. The default graph (entity
descriptions, article metadata, runs) is sent first, with ``PUT`` (replacing the
server's default graph) or, with ``merge_default``, ``POST`` (section 5.5:
triples are added; an entity whose label changed then has both labels).

Graph Store endpoints of the common stores (see ``docs/stores.md``):

=============  ==================================================
Oxigraph       ``http://HOST:7878/store``
Jena Fuseki    ``http://HOST:3030/DATASET/data``
GraphDB        ``http://HOST:7200/repositories/REPO/rdf-graphs/service``
Virtuoso       ``http://HOST:8890/sparql-graph-crud``
=============  ==================================================

Only the standard library speaks HTTP here (:mod:`urllib.request`). Each graph
is written to a temporary file and streamed from it, exactly as the build wrote
its terms (no store in between rewrites literals).
"""

from __future__ import annotations

import base64
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .errors import InputError, OutputError, UsageError
from .namespace import PREFIXES
from .store import build_graph_file

__all__ = [
    "PASSWORD_ENV",
    "SYNTAXES",
    "TOKEN_ENV",
    "Auth",
    "GraphPush",
    "PushReport",
    "graph_url",
    "push_build",
]

#: Environment variables the CLI reads for credentials, so they stay off the
#: command line (and out of ``ps`` and shell history).
PASSWORD_ENV = "KG_BUILDER_PUSH_PASSWORD"
TOKEN_ENV = "KG_BUILDER_PUSH_TOKEN"

#: The RDF syntaxes a graph can be sent in, with their media types.
SYNTAXES: dict[str, tuple[str, ox.RdfFormat]] = {
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
}

# Splitting graph.nq by graph: bytes of N-Quads per bucket file, and at most
# this many buckets (open files).
_BUCKET_BYTES = 64 * 1024 * 1024
_MAX_BUCKETS = 64

_HINTS = {
    401: "the server wants credentials: give --user and --password "
    f"(or ${PASSWORD_ENV}), or --token",
    403: "the credentials were refused, or this user may not write",
    404: "is this the Graph Store endpoint? Oxigraph: …/store, Fuseki: …/DATASET/data, "
    "GraphDB: …/repositories/REPO/rdf-graphs/service, Virtuoso: …/sparql-graph-crud",
    405: "the endpoint does not accept writes (a read-only dataset?)",
    413: "the graph is larger than the server accepts",
    415: "the server does not accept this syntax; try --syntax turtle or ntriples",
}


@dataclass(frozen=True)
class Auth:
    """Credentials for the endpoint: HTTP basic (user and password) or a bearer token.

    >>> Auth(user="admin", password="pw").header()
    'Basic YWRtaW46cHc='
    >>> Auth(token="t0k").header()
    'Bearer t0k'
    """

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        if self.token and (self.user or self.password):
            raise UsageError("give either --user/--password or --token, not both")
        if self.user and self.password is None:
            raise UsageError(
                f"--user needs a password: give --password or set ${PASSWORD_ENV}"
            )
        if self.password is not None and not self.user:
            raise UsageError("a password was given without --user")

    def header(self) -> str | None:
        """The ``Authorization`` header value, or ``None`` without credentials."""
        if self.token:
            return f"Bearer {self.token}"
        if self.user:
            pair = f"{self.user}:{self.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None


@dataclass(frozen=True)
class GraphPush:
    """One graph sent (or, in a dry run, to be sent).

    Attributes:
        graph: the graph IRI (an article IRI), or ``None`` for the default graph.
        method: ``PUT`` or ``POST``.
        url: the request URL.
        triples: triples in the graph.
        size: bytes in the request body.
        status: the HTTP status the server answered; ``None`` in a dry run.
    """

    graph: str | None
    method: str
    url: str
    triples: int
    size: int
    status: int | None


@dataclass(frozen=True)
class PushReport:
    """What :func:`push_build` did: the endpoint and every graph, in order sent."""

    endpoint: str
    graphs: tuple[GraphPush, ...]
    dry_run: bool
    seconds: float

    @property
    def triples(self) -> int:
        """Triples sent, over all graphs."""
        return sum(g.triples for g in self.graphs)


def graph_url(endpoint: str, graph: str | None) -> str:
    """The GSP request URL for ``graph`` (``None``: the default graph).

    >>> graph_url("http://h/store", "https://x/article/1")
    'http://h/store?graph=https%3A%2F%2Fx%2Farticle%2F1'
    >>> graph_url("http://h/rdf-graphs/service?x=1", None)
    'http://h/rdf-graphs/service?x=1&default'
    """
    sep = "&" if "?" in endpoint else "?"
    if graph is None:
        return f"{endpoint}{sep}default"
    return f"{endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"


def _check_endpoint(endpoint: str) -> None:
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--endpoint {endpoint!r} must be an http(s) URL")
    if parts.fragment:
        raise UsageError(f"--endpoint {endpoint!r} must not have a #fragment")


def _send(
    endpoint: str,
    method: str,
    url: str,
    body: Path,
    content_type: str,
    auth: Auth,
    timeout: float,
) -> int:
    """Send one request whose body is the file ``body``; return the HTTP status."""
    size = body.stat().st_size
    what = f"{method} {url}"
    with body.open("rb") as data:
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", content_type)
        request.add_header("Content-Length", str(size))
        request.add_header("User-Agent", f"kg-builder/{__version__}")
        header = auth.header()
        if header:
            request.add_header("Authorization", header)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as exc:
            with exc:  # close the response, or it warns when collected
                detail = exc.read(300).decode("utf-8", "replace").strip()
            hint = _HINTS.get(exc.code, "")
            message = f"{endpoint}: HTTP {exc.code} {exc.reason} for {what}"
            if detail:
                message += f": {' '.join(detail.split())}"
            if hint:
                message += f"; {hint}"
            raise OutputError(message) from exc
        except TimeoutError as exc:
            raise OutputError(
                f"{endpoint}: no answer within {timeout:g} s for {what}; "
                "raise --timeout for large graphs"
            ) from exc
        except urllib.error.URLError as exc:
            raise OutputError(f"{endpoint}: cannot connect: {exc.reason}") from exc
        except OSError as exc:
            raise OutputError(f"{endpoint}: {what} failed: {exc}") from exc


def _graphs(nq: Path, tmp: Path) -> Iterator[tuple[str | None, list[ox.Triple]]]:
    """Yield each graph of ``nq`` with its triples: the default graph first
    (``None``), then the named graphs in IRI order.

    ``graph.nq`` is sorted by line, not by graph. The quads are split into
    bucket files of neighbouring graph names, each read back and grouped in
    memory, so memory is bounded by a bucket (about :data:`_BUCKET_BYTES`, or the
    largest single graph), not by the build. Terms are copied as parsed: going
    through a pyoxigraph ``Store`` would rewrite literals to their canonical
    form (``"5"^^xsd:nonNegativeInteger`` becomes ``"5"^^xsd:integer``).
    """
    try:
        names = sorted(
            {
                q.graph_name.value
                for q in _parse(nq)
                if isinstance(q.graph_name, ox.NamedNode)
            }
        )
        n_buckets = 1 + min(_MAX_BUCKETS - 1, nq.stat().st_size // _BUCKET_BYTES)
        # Bucket 0 holds the default graph; named graphs fill 1… in IRI order.
        rank = {g: 1 + i * n_buckets // max(len(names), 1) for i, g in enumerate(names)}
        paths = [tmp / f"bucket-{i}.nq" for i in range(n_buckets + 1)]
        pending: list[list[ox.Quad]] = [[] for _ in paths]

        def flush(i: int) -> None:
            with paths[i].open("ab") as f:
                ox.serialize(pending[i], f, ox.RdfFormat.N_QUADS)
            pending[i].clear()

        for q in _parse(nq):
            g = q.graph_name
            i = rank[g.value] if isinstance(g, ox.NamedNode) else 0
            pending[i].append(q)
            if len(pending[i]) >= 10_000:
                flush(i)
        for i in range(len(paths)):
            flush(i)
        for path in paths:
            groups: dict[str | None, list[ox.Triple]] = {}
            for q in _parse(path):
                g = q.graph_name
                key = g.value if isinstance(g, ox.NamedNode) else None
                groups.setdefault(key, []).append(q.triple)
            path.unlink()
            if path == paths[0]:
                yield None, groups.pop(None, [])
            for key in sorted(k for k in groups if k is not None):
                yield key, groups[key]
    except SyntaxError as exc:
        raise InputError(nq, f"not valid N-Quads: {exc}") from exc


def _parse(path: Path) -> Iterator[ox.Quad]:
    return ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)


def push_build(
    out_dir: str | Path,
    endpoint: str,
    *,
    auth: Auth | None = None,
    syntax: str = "ntriples",
    timeout: float = 60.0,
    merge_default: bool = False,
    dry_run: bool = False,
    progress: Callable[[GraphPush], None] | None = None,
) -> PushReport:
    """Send the build in ``out_dir`` to a Graph Store Protocol endpoint, graph by graph.

    The default graph goes first, then each article's graph in IRI order; the
    push stops at the first refused request.

    Args:
        out_dir: a directory written by ``kg-builder build --out``.
        endpoint: the GSP endpoint URL, e.g. ``http://localhost:7878/store``.
        auth: credentials (basic or bearer); none by default.
        syntax: ``ntriples`` (``application/n-triples``) or ``turtle``
            (``text/turtle``).
        timeout: seconds to wait for each answer.
        merge_default: ``POST`` the default graph (add to the server's) instead
            of ``PUT`` (replace it).
        dry_run: prepare every request and report it, send nothing.
        progress: called with each :class:`GraphPush` as soon as it is done.

    Returns:
        A :class:`PushReport`.

    Raises:
        InputError: ``out_dir`` is not a build.
        UsageError: bad endpoint, syntax or credentials.
        OutputError: a request failed (the message names the endpoint, the
            request and the HTTP status).
    """
    started = time.perf_counter()
    nq = build_graph_file(Path(out_dir))
    _check_endpoint(endpoint)
    if syntax not in SYNTAXES:
        raise UsageError(f"unknown syntax {syntax!r}: use {' or '.join(SYNTAXES)}")
    content_type, rdf_format = SYNTAXES[syntax]
    auth = auth or Auth()
    done: list[GraphPush] = []
    with tempfile.TemporaryDirectory(prefix="kg-builder-push-") as tmp:
        body = Path(tmp) / "body"
        for name, triples in _graphs(nq, Path(tmp)):
            method = "POST" if name is None and merge_default else "PUT"
            url = graph_url(endpoint, name)
            ox.serialize(triples, str(body), rdf_format, prefixes=PREFIXES)
            status = None
            if not dry_run:
                status = _send(endpoint, method, url, body, content_type, auth, timeout)
            item = GraphPush(
                name, method, url, len(triples), body.stat().st_size, status
            )
            done.append(item)
            if progress:
                progress(item)
    return PushReport(endpoint, tuple(done), dry_run, time.perf_counter() - started)
