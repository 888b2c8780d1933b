"""SPARQL over a store: find the query, run it, render the results.

A query is given as SPARQL text, as the path of a ``.rq`` file, or as the name of
a shipped competency query (``officials`` runs ``queries/officials.rq``; see
:func:`shipped_queries`). Queries run with the default graph as the union of all
graphs, so the shipped queries see entity descriptions and every article's facts
at once; ``GRAPH ?article { … }`` still reaches one article's graph. The
project's prefixes (``dal:``, ``prov:``, ``nif:``, … see
:data:`kg_builder.namespace.PREFIXES`) are predeclared.

Results render as an aligned text table for people, or in the W3C SPARQL 1.1
results formats ``csv``, ``tsv`` and ``json`` for programs. ``CONSTRUCT`` and
``DESCRIBE`` results are triples: a table, ``ntriples`` or ``turtle``.

A malformed query raises :class:`~kg_builder.errors.QueryError` whose message
names the query, the line and column, and shows the line with a caret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, QueryError, UsageError
from .namespace import PREFIXES
from .resources import QUERIES_DIR

__all__ = [
    "FORMATS",
    "Query",
    "Results",
    "render",
    "resolve_query",
    "run_query",
    "shipped_queries",
]

Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: Output formats: ``table`` for people; the W3C results formats for solutions
#: and booleans; RDF syntaxes for the triples of CONSTRUCT/DESCRIBE.
FORMATS = ("table", "csv", "tsv", "json", "ntriples", "turtle")

_RESULTS_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
_RDF_FORMATS = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_MAX_EXPECTED = 8  # tokens of an "expected one of …" list worth reading
_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in (
        "integer decimal double float int long short byte nonNegativeInteger "
        "positiveInteger negativeInteger nonPositiveInteger unsignedInt "
        "unsignedLong unsignedShort unsignedByte"
    ).split()
}


@dataclass(frozen=True)
class Query:
    """A SPARQL query and where it came from.

    Attributes:
        text: the SPARQL text.
        origin: what to call it in messages: the shipped name, the file path,
            or ``<query>`` for text given inline.
    """

    text: str
    origin: str = "<query>"


def shipped_queries() -> list[str]:
    """Names of the shipped competency queries (``queries/*.rq``), sorted.

    >>> "officials" in shipped_queries()
    True
    """
    return sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))


def resolve_query(arg: str) -> Query:
    """Turn a command-line QUERY into a :class:`Query`.

    Args:
        arg: the name of a shipped query, the path of a ``.rq`` file (any
            existing file), or SPARQL text.

    Returns:
        The query with its origin.

    Raises:
        InputError: a ``.rq`` file is missing or unreadable.
        UsageError: ``arg`` is a single word that names no shipped query or file.

    >>> resolve_query("officials").origin.endswith("officials.rq")
    True
    >>> resolve_query("ASK {}").text
    'ASK {}'
    """
    if _NAME.fullmatch(arg) and (QUERIES_DIR / f"{arg}.rq").is_file():
        path = QUERIES_DIR / f"{arg}.rq"
        return Query(path.read_text(encoding="utf-8"), str(path))
    stripped = arg.strip()
    looks_like_path = "\n" not in stripped and (
        stripped.endswith(".rq") or (" " not in stripped and Path(stripped).is_file())
    )
    if looks_like_path:
        path = Path(stripped)
        if not path.is_file():
            raise InputError(path, "no such query file")
        try:
            return Query(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, f"cannot read the query: {exc}") from exc
    if _NAME.fullmatch(stripped):
        raise UsageError(
            f"{arg!r} is not a shipped query, a file or SPARQL text; "
            f"shipped queries: {', '.join(shipped_queries())}"
        )
    return Query(arg)


def _split_expected(text: str) -> list[str]:
    """Split pyoxigraph's "expected one of A, [class], ",", B" list at the commas
    outside brackets and quotes."""
    items, depth, quoted, current = [], 0, False, ""
    for ch in text:
        if ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "[" and not quoted:
            depth += 1
        elif ch == "]" and not quoted:
            depth = max(depth - 1, 0)
        if ch == "," and depth == 0 and not quoted:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        items.append(current.strip())
    return items


def _explain(message: str) -> str:
    """Shorten pyoxigraph's parser message: keep keywords, drop character classes."""
    message = " ".join(message.split())
    if "Prefix not found" in message:
        return "undefined prefix: declare it with PREFIX, or use a full <IRI>"
    for lead in ("expected one of ", "expected "):
        if message.startswith(lead):
            items = _split_expected(message[len(lead) :])
            words = [i for i in items if not i.startswith("[")]
            if words and (len(words) < len(items) or len(words) > _MAX_EXPECTED):
                words = words[:_MAX_EXPECTED] + ["…"]
            if not words:
                return "unexpected character"
            if words == ["IRI parsing failed"]:
                return "invalid IRI"
            if len(words) == 1:
                return f"expected {words[0]}"
            return "expected one of " + ", ".join(words)
    return message


def _syntax_error(query: Query, exc: SyntaxError) -> QueryError:
    """A :class:`QueryError` naming ``origin:line:column``, with a caret."""
    match = _POSITION.match(str(exc))
    if not match:
        return QueryError(f"{query.origin}: SPARQL syntax error: {_explain(str(exc))}")
    line, column = int(match.group(1)), int(match.group(2))
    lines = query.text.splitlines() or [""]
    source = lines[min(line, len(lines)) - 1]
    caret = " " * (min(column, len(source) + 1) - 1) + "^"
    gutter = f"{line:>4} | "
    return QueryError(
        f"{query.origin}:{line}:{column}: SPARQL syntax error: "
        f"{_explain(match.group(3))}\n"
        f"{gutter}{source}\n{' ' * (len(gutter) - 2)}| {caret}"
    )


def run_query(store: ox.Store, query: Query) -> Results:
    """Run ``query`` on ``store``, the default graph being the union of all graphs.

    Args:
        store: an open store (see :func:`kg_builder.store.open_store`).
        query: the query.

    Returns:
        Solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE);
        they are evaluated lazily, as :func:`render` reads them.

    Raises:
        QueryError: the query is malformed (with line and column) or fails.
    """
    try:
        return store.query(
            query.text, prefixes=PREFIXES, use_default_graph_as_union=True
        )
    except SyntaxError as exc:
        raise _syntax_error(query, exc) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"{query.origin}: query failed: {exc}") from exc


def _prefixed(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and _NAME.fullmatch(iri[len(ns) :] or "_"):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _cell(term: object, max_width: int) -> str:
    """A term as a person reads it: prefixed IRIs, bare literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _prefixed(term.value)  # identifiers are never cut
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        text = " ".join(term.value.split())
    else:
        text = str(term)
    if max_width and len(text) > max_width:
        text = text[: max_width - 1] + "…"
    return text


def _is_numeric(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC


def _table(header: list[str], rows: list[list[object]], max_width: int) -> str:
    cells = [[_cell(t, max_width) for t in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    numeric = [
        bool(rows) and all(r[i] is None or _is_numeric(r[i]) for r in rows)
        for i in range(len(header))
    ]

    def line(values: list[str]) -> str:
        out = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(out).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8")


def _render(results: Results, fmt: str, max_width: int) -> str:
    if isinstance(results, ox.QueryBoolean):
        if fmt in _RESULTS_FORMATS:
            return _decode(results.serialize(format=_RESULTS_FORMATS[fmt]))
        if fmt == "table":
            return ("yes" if bool(results) else "no") + "\n"
        raise UsageError("ASK answers a boolean: use --format table, csv, tsv or json")
    if isinstance(results, ox.QueryTriples):
        if fmt in _RDF_FORMATS:
            return _decode(results.serialize(format=_RDF_FORMATS[fmt]))
        if fmt == "table":
            rows: list[list[object]] = [
                [t.subject, t.predicate, t.object] for t in results
            ]
            return _table(["subject", "predicate", "object"], rows, max_width)
        raise UsageError(
            f"CONSTRUCT/DESCRIBE give triples, not solutions: "
            f"use --format table, ntriples or turtle, not {fmt}"
        )
    if fmt in _RESULTS_FORMATS:
        return _decode(results.serialize(format=_RESULTS_FORMATS[fmt]))
    if fmt == "table":
        names = [v.value for v in results.variables]
        rows = [[solution[n] for n in names] for solution in results]
        return _table(names, rows, max_width)
    raise UsageError("SELECT gives solutions: use --format table, csv, tsv or json")


def render(
    results: Results,
    fmt: str = "table",
    *,
    query: Query | None = None,
    max_width: int = 60,
) -> str:
    """Render query results as text.

    Args:
        results: what :func:`run_query` returned (consumed by this call).
        fmt: one of :data:`FORMATS`. ``table`` aligns columns, shows IRIs with
            the project's prefixes and literals by value (cut at ``max_width``
            characters; IRIs are never cut), and ends with the row count.
            ``csv``, ``tsv`` and ``json`` are the W3C SPARQL 1.1 results formats.
        query: the query, to name it if evaluation fails.
        max_width: widest literal in a table cell; 0 for no limit.

    Returns:
        The rendered text.

    Raises:
        UsageError: ``fmt`` is unknown or does not fit the kind of result.
        QueryError: the query fails while its results are read.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    try:
        return _render(results, fmt, max_width)
    except (OSError, RuntimeError) as exc:
        origin = query.origin if query else "<query>"
        raise QueryError(f"{origin}: query failed: {exc}") from exc
