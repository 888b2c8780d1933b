"""Write a build's outputs: deterministic bytes, replaced atomically.

A build ends with one :class:`rdflib.Dataset` (entity descriptions, article metadata
and the run in the default graph; one named graph per article, named by the article
IRI). :func:`write_outputs` turns it into::

    graph.ttl            the union of all graphs, Turtle
    graph.trig           default graph + one named graph per article, TriG
    graph.nq             the same as N-Quads, one quad a line, lines sorted
    articles/<id>.ttl    one self-contained Turtle file per article
    validation.ttl       the SHACL report (blank nodes canonicalized)
    report.json          the run report: read, skipped and why, counts

Why our own serializer: rdflib's Turtle/TriG writers take minutes on 200k triples,
its N-Quads writer follows insertion order, and its Turtle writer emits an invalid
long string for text that ends in a backslash and a quote. pyoxigraph's writers
are fast but follow input (or store) order and never group a subject's lines. The
writer here sorts subjects, predicates and objects, groups with ``;`` and ``,``,
writes multi-line text as ``\"\"\"`` strings, and escapes control and bidi
characters so that no output can hide or reorder text (CVE-2021-42574).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import SH
from rdflib.term import Node

from kg_builder.errors import KgBuilderError, OutputError
from kg_builder.iri import article_iri
from kg_builder.namespace import ITSRDF, PREFIXES

__all__ = [
    "article_file_name",
    "serialize_nquads",
    "serialize_trig",
    "serialize_turtle",
    "write_outputs",
]

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, Node | None]  # graph None: the default graph
NtTriple = tuple[str, str, str]  # the terms in N-Triples form

#: The report's vocabulary is SHACL's, so validation.ttl also binds ``sh:``.
_REPORT_PREFIXES: dict[str, str] = {**PREFIXES, "sh": str(SH)}

# --- terms ---------------------------------------------------------------------

# Characters escaped in every literal. ECHARs where Turtle has one; \uXXXX for the
# other C0/C1 controls, DEL, and the invisible characters that change how text
# around them displays: bidi controls, line/paragraph separators, the BOM.
_INVISIBLE = "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
_INVISIBLE += "\u2066\u2067\u2068\u2069\ufeff"
_ECHAR = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f"}
_SHORT_ESC: dict[int, str] = {
    c: f"\\u{c:04X}" for c in [*range(0x20), *range(0x7F, 0xA0), *map(ord, _INVISIBLE)]
}
_SHORT_ESC.update({ord(k): v for k, v in _ECHAR.items()})
_SHORT_ESC.update({ord('"'): '\\"', ord("\\"): "\\\\"})
# In a long ("""...""") string newlines stay as they are; quotes are handled apart.
_LONG_ESC = {c: e for c, e in _SHORT_ESC.items() if chr(c) not in '\n"'}
_CONTROLS = "\x00-\x1f\x7f-\x9f"
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEEDS_ESC = re.compile(f'["\\\\{_CONTROLS}{_INVISIBLE}\ud800-\udfff]')
# A quote is escaped in a long string when another quote or the closing """
# follows it, so no run of three unescaped quotes can occur.
_LONG_QUOTE = re.compile(r'"(?="|\Z)')
# IRIs: pyoxigraph checks RFC 3987; UCHAR-escape the bidi controls it allows.
_IRI_ESC: dict[int, str] = {ord(c): f"\\u{ord(c):04X}" for c in _INVISIBLE}
# A conservative PN_LOCAL: ASCII, no leading '-' or '.', no trailing '.'.
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_]+")
# Literals written bare in Turtle, when the lexical form is exactly the grammar's.
_BARE = {
    XSD.integer: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD.double: re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD.boolean: re.compile(r"true|false"),
}


def _quote(lexical: str, *, long: bool = False) -> str:
    if not long and not _NEEDS_ESC.search(lexical):
        return '"' + lexical + '"'  # the common case: one scan, no copy
    if _SURROGATE.search(lexical):
        raise OutputError(f"literal {lexical[:60]!r}: lone surrogate, not Unicode text")
    if long:
        return '"""' + _LONG_QUOTE.sub('\\\\"', lexical.translate(_LONG_ESC)) + '"""'
    return '"' + lexical.translate(_SHORT_ESC) + '"'


class _Terms:
    """Formats RDF terms as N-Triples, then as Turtle; checks IRIs; cached.

    Everything downstream works on N-Triples strings: they hash and sort far faster
    than rdflib terms, and sorting them gives the order of every output.
    """

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = dict(sorted(prefixes.items()))
        self._by_ns = {ns: p for p, ns in self.prefixes.items()}
        self._nt: dict[Node, str] = {}
        self._node: dict[str, Node] = {}
        self._ttl: dict[str, str] = {}

    def nt(self, term: Node) -> str:
        """The N-Triples form: full IRIs, ``_:label``, short quoted literals."""
        text = self._nt.get(term)
        if text is None:
            text = self._nt[term] = self._make_nt(term)
            self._node.setdefault(text, term)
        return text

    def triples(self, triples: Iterable[Triple]) -> list[NtTriple]:
        nt = self.nt
        return [_checked((nt(s), nt(p), nt(o))) for s, p, o in triples]

    def _make_nt(self, term: Node) -> str:
        if isinstance(term, URIRef):
            return _iri(term)
        if isinstance(term, BNode):
            label = str(term)
            if not _BNODE_LABEL.fullmatch(label):
                digest = hashlib.sha256(label.encode("utf-8", "replace"))
                label = "h" + digest.hexdigest()
            return "_:" + label
        if isinstance(term, Literal):
            text = _quote(str(term))
            if term.language:  # tags are caseless; lower case, as Oxigraph writes
                return f"{text}@{term.language.lower()}"
            if term.datatype is not None and term.datatype != XSD.string:
                return f"{text}^^{self.nt(term.datatype)}"
            return text
        raise OutputError(f"{term!r}: not an RDF term (IRI, blank node or literal)")

    def ttl(self, nt: str) -> str:
        """The Turtle form of a term given in N-Triples: prefixed names, numbers."""
        text = self._ttl.get(nt)
        if text is None:
            text = self._ttl[nt] = self._make_ttl(self._node[nt], nt)
        return text

    def _make_ttl(self, term: Node, nt: str) -> str:
        if isinstance(term, URIRef):
            iri = str(term)
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            prefix = self._by_ns.get(iri[:cut])
            if prefix is not None and _LOCAL.fullmatch(iri[cut:]):
                return f"{prefix}:{iri[cut:]}"
        elif isinstance(term, Literal):
            lexical, datatype = str(term), term.datatype
            bare = _BARE.get(datatype) if datatype is not None else None
            if bare is not None and bare.fullmatch(lexical):
                return lexical
            text = _quote(lexical, long="\n" in lexical)
            if term.language:  # tags are caseless; lower case, as Oxigraph writes
                return f"{text}@{term.language.lower()}"
            if datatype is not None and datatype != XSD.string:
                return f"{text}^^{self.ttl(self.nt(datatype))}"
            return text
        return nt

    def header(self) -> str:
        lines = [f"@prefix {p}: <{ns}> ." for p, ns in self.prefixes.items()]
        return "\n".join(lines) + "\n" if lines else ""


def _iri(term: URIRef) -> str:
    iri = str(term)
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as exc:
        raise OutputError(
            f"<{iri}>: not a valid absolute IRI ({exc}); fix where it was minted"
        ) from exc
    if _SURROGATE.search(iri):
        raise OutputError(f"<{iri!r}>: lone surrogate in IRI")
    return "<" + iri.translate(_IRI_ESC) + ">"


def _checked(triple: NtTriple) -> NtTriple:
    s, p, _ = triple
    if s[0] == '"' or p[0] != "<":
        raise OutputError(f"{' '.join(triple)}: not a valid RDF triple")
    return triple


# RDFC-1.0 is the W3C algorithm (pyoxigraph >= 0.5); 0.4 only has its own.
_RDFC: pyoxigraph.CanonicalizationAlgorithm = getattr(
    pyoxigraph.CanonicalizationAlgorithm,
    "RDFC_1_0",
    pyoxigraph.CanonicalizationAlgorithm.UNSTABLE,
)


def _canonical(quads: Iterable[Quad]) -> list[Quad]:
    """The quads with their blank nodes renamed canonically (RDFC-1.0).

    pyoxigraph, not :func:`rdflib.compare.to_canonical_graph`: rdflib's took 1.4 s
    on a 100-result SHACL report and grows steeply; pyoxigraph does 20,000 results
    (160k triples) in under 3 s. Terms other than blank nodes come back as the
    very rdflib terms that went in.
    """
    back: dict[Any, Node] = {}
    blanks: dict[Node, pyoxigraph.BlankNode] = {}

    def to_ox(term: Node) -> Any:
        if isinstance(term, BNode):
            if term not in blanks:
                blanks[term] = pyoxigraph.BlankNode()
            return blanks[term]
        if isinstance(term, URIRef):
            ox_term: Any = pyoxigraph.NamedNode(str(term))
        elif isinstance(term, Literal):
            if term.language:
                ox_term = pyoxigraph.Literal(str(term), language=term.language)
            else:
                dt = pyoxigraph.NamedNode(str(term.datatype or XSD.string))
                ox_term = pyoxigraph.Literal(str(term), datatype=dt)
        else:
            raise OutputError(f"{term!r}: not an RDF term")
        back.setdefault(ox_term, term)
        return ox_term

    def from_ox(term: Any) -> Node:
        if isinstance(term, pyoxigraph.BlankNode):
            return BNode(term.value)
        return back[term]

    try:
        dataset = pyoxigraph.Dataset(
            pyoxigraph.Quad(
                to_ox(s),
                to_ox(p),
                to_ox(o),
                pyoxigraph.DefaultGraph() if g is None else to_ox(g),
            )
            for s, p, o, g in quads
        )
    except ValueError as exc:
        raise OutputError(f"cannot canonicalize blank nodes: {exc}") from exc
    dataset.canonicalize(_RDFC)
    return [
        (
            from_ox(q.subject),
            from_ox(q.predicate),
            from_ox(q.object),
            None
            if isinstance(q.graph_name, pyoxigraph.DefaultGraph)
            else from_ox(q.graph_name),
        )
        for q in dataset
    ]


# --- Turtle --------------------------------------------------------------------

_INDENT = "    "
_MAX_NESTING = 32  # deeper blank-node chains get labels instead of [ ... ]
_WIDTH = 88
_RDF_TYPE = f"<{RDF.type}>"
_PRED_RANK = {_RDF_TYPE: 0, f"<{RDFS.label}>": 1}


class _TurtleBody:
    """Sorted, grouped Turtle statements for one set of triples.

    With ``inline`` (Turtle files), a blank node that is the object of exactly one
    triple is written in place as ``[ ... ]`` and one that is no object at all as
    ``[]``; cycles and very deep chains fall back to ``_:bN`` labels. Without it
    (TriG, where one blank node may appear in several graphs), every blank node
    keeps its N-Triples label.
    """

    def __init__(self, triples: Iterable[NtTriple], terms: _Terms, *, inline: bool):
        self.terms = terms
        self.inline = inline
        self.props: dict[str, dict[str, set[str]]] = {}
        for s, p, o in triples:
            self.props.setdefault(s, {}).setdefault(p, set()).add(o)
        self.refs: Counter[str] = Counter()
        if inline:
            for preds in self.props.values():
                for objs in preds.values():
                    self.refs.update(o for o in objs if o[0] == "_")
        self.done: set[str] = set()
        self.labels: dict[str, str] = {}

    def statements(self, indent: str = "") -> list[str]:
        top = [s for s in self.props if not self._inlinable(s)]
        out = [self._statement(s, indent) for s in sorted(top)]
        # Whatever is left is only reachable from itself (a blank-node cycle) or
        # sat too deep to nest: give the first one a label and start there.
        while left := [s for s in self.props if s not in self.done]:
            out.append(self._statement(min(left), indent))
        return out

    def _inlinable(self, node: str) -> bool:
        return self.inline and node[0] == "_" and self.refs[node] == 1

    def _label(self, node: str) -> str:
        if not self.inline:
            return node
        label = self.labels.get(node)
        if label is None:
            label = self.labels[node] = f"_:b{len(self.labels)}"
        return label

    def _statement(self, subject: str, indent: str) -> str:
        self.done.add(subject)
        if subject[0] != "_":
            head = self.terms.ttl(subject)
        elif self.inline and not self.refs[subject]:
            head = "[]"
        else:
            head = self._label(subject)
        return f"{indent}{head} {self._predicates(subject, indent + _INDENT)} ."

    def _predicates(self, subject: str, indent: str) -> str:
        preds = self.props[subject]
        ttl = self.terms.ttl
        parts = []
        for p in sorted(preds, key=lambda p: (_PRED_RANK.get(p, 2), p)):
            verb = "a" if p == _RDF_TYPE else ttl(p)
            objs = [self._object(o, indent) for o in sorted(preds[p])]
            line = ", ".join(objs)
            # One object a line when they are too long together, except for
            # multi-line ones ([ ... ] blocks, long strings): "], [" reads best.
            if "\n" not in line and len(indent) + len(line) > _WIDTH:
                line = (",\n" + indent + _INDENT).join(objs)
            parts.append(f"{verb} {line}")
        return (" ;\n" + indent).join(parts)

    def _object(self, obj: str, indent: str) -> str:
        if obj[0] != "_":
            return self.terms.ttl(obj)
        nested = len(indent) // len(_INDENT) < _MAX_NESTING
        if not (self._inlinable(obj) and obj not in self.done and nested):
            return self._label(obj)
        self.done.add(obj)
        if obj not in self.props:
            return "[]"
        inner = indent + _INDENT
        return f"[\n{inner}{self._predicates(obj, inner)}\n{indent}]"


def _document(terms: _Terms, blocks: list[str]) -> bytes:
    text = terms.header()
    if blocks:
        text += ("\n" if text else "") + "\n\n".join(blocks) + "\n"
    return text.encode("utf-8")


def _turtle(triples: Iterable[NtTriple], terms: _Terms) -> bytes:
    return _document(terms, _TurtleBody(triples, terms, inline=True).statements())


def serialize_turtle(
    triples: Graph | Iterable[Triple], *, prefixes: Mapping[str, str] = PREFIXES
) -> bytes:
    """Sorted, grouped Turtle: the same triples give the same bytes.

    Subjects, predicates (``rdf:type`` then ``rdfs:label`` first) and objects are
    sorted by their N-Triples form; a blank node that is the object of one triple
    is nested as ``[ ... ]``. Blank nodes are first renamed by RDFC-1.0, so
    isomorphic graphs give the same bytes whatever their blank-node ids.

    >>> g = Graph()
    >>> s, name = URIRef("https://schema.org/x"), URIRef("https://schema.org/name")
    >>> _ = g.add((s, name, Literal('say "hi"'))).add((s, name, Literal("a\\nb")))
    >>> print(serialize_turtle(g, prefixes={"schema": "https://schema.org/"}).decode())
    @prefix schema: <https://schema.org/> .
    <BLANKLINE>
    schema:x schema:name \"\"\"a
    b\"\"\", "say \\"hi\\"" .
    <BLANKLINE>

    Args:
        triples: a graph, or any iterable of ``(s, p, o)`` (duplicates are fine).
        prefixes: prefix → namespace IRI, all written in the header.

    Returns:
        UTF-8 Turtle.

    Raises:
        OutputError: a term cannot be written (invalid IRI, lone surrogate…).
    """
    terms = _Terms(prefixes)
    triples = list(triples)
    nt_triples = terms.triples(triples)
    if any(s[0] == "_" or o[0] == "_" for s, _, o in nt_triples):
        quads = _canonical((s, p, o, None) for s, p, o in triples)
        nt_triples = terms.triples((s, p, o) for s, p, o, _ in quads)
    return _turtle(nt_triples, terms)


def _split(
    dataset: Dataset, terms: _Terms
) -> tuple[list[NtTriple], dict[str, list[NtTriple]]]:
    """Default-graph triples, and triples per named graph; blank nodes canonical."""
    # Graph by graph: twice as fast as Dataset.quads, which looks up every
    # triple's graphs again.
    graphs = [(g.identifier, g) for g in dataset.graphs()]
    default, named = _split_as_is(graphs, terms)
    blank = any(s[0] == "_" or o[0] == "_" for s, _, o in default) or any(
        g[0] == "_" or s[0] == "_" or o[0] == "_"
        for g, triples in named.items()
        for s, _, o in triples
    )
    if not blank:  # the usual case: the extracted graph has no blank nodes
        return default, named
    quads = _canonical(
        (s, p, o, None if name == DATASET_DEFAULT_GRAPH_ID else name)
        for name, graph in graphs
        for s, p, o in graph
    )
    grouped: dict[Node, list[Triple]] = {}
    for s, p, o, g in quads:
        grouped.setdefault(g or DATASET_DEFAULT_GRAPH_ID, []).append((s, p, o))
    return _split_as_is(grouped.items(), terms)


def _split_as_is(
    graphs: Iterable[tuple[Node, Iterable[Triple]]], terms: _Terms
) -> tuple[list[NtTriple], dict[str, list[NtTriple]]]:
    nt = terms.nt
    default: list[NtTriple] = []
    named: dict[str, list[NtTriple]] = {}
    for name, triples in graphs:
        out = default if name == DATASET_DEFAULT_GRAPH_ID else []
        out.extend(_checked((nt(s), nt(p), nt(o))) for s, p, o in triples)
        if out and out is not default:
            named.setdefault(nt(name), []).extend(out)
    return default, named


def _trig(
    default: list[NtTriple], named: Mapping[str, list[NtTriple]], terms: _Terms
) -> bytes:
    blocks = _TurtleBody(default, terms, inline=False).statements()
    for name in sorted(named):
        body = _TurtleBody(named[name], terms, inline=False).statements(_INDENT)
        blocks.append(f"{terms.ttl(name)} {{\n" + "\n".join(body) + "\n}")
    return _document(terms, blocks)


def _nquads(default: list[NtTriple], named: Mapping[str, list[NtTriple]]) -> bytes:
    lines = [f"{s} {p} {o} .\n" for s, p, o in default]
    for g, triples in named.items():
        lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in triples)
    lines.sort()
    return "".join(lines).encode("utf-8")


def serialize_trig(
    dataset: Dataset, *, prefixes: Mapping[str, str] = PREFIXES
) -> bytes:
    """Sorted TriG: the default graph first, then each named graph by name.

    Args:
        dataset: the dataset to write.
        prefixes: prefix → namespace IRI, all written in the header.

    Returns:
        UTF-8 TriG.

    Raises:
        OutputError: a term cannot be written.
    """
    terms = _Terms(prefixes)
    return _trig(*_split(dataset, terms), terms)


def serialize_nquads(dataset: Dataset) -> bytes:
    """N-Quads, one line per quad, lines sorted; default-graph quads as triples.

    Args:
        dataset: the dataset to write.

    Returns:
        UTF-8 N-Quads (sorted by code point, i.e. like ``LC_ALL=C sort``).

    Raises:
        OutputError: a term cannot be written.
    """
    return _nquads(*_split(dataset, _Terms({})))


# --- files ---------------------------------------------------------------------


def article_file_name(article_id: str) -> str:
    """The file name of an article's Turtle file: the last segment of its IRI.

    Ids that are already safe (``[A-Za-z0-9][A-Za-z0-9._-]*``, ≤ 100 characters)
    are kept; others become a slug plus a hash of the id, as in
    :func:`kg_builder.iri.article_iri`.

    >>> article_file_name("000_882f0b8c3bdfd23a")
    '000_882f0b8c3bdfd23a.ttl'
    >>> article_file_name("../etc/passwd")
    'etc-passwd-7fef78f5.ttl'
    """
    return article_iri("", article_id).removeprefix("article/") + ".ttl"


_TA_IDENT_REF = f"<{ITSRDF.taIdentRef}>"


def _article_triples(
    article: str,
    named: Mapping[str, list[NtTriple]],
    by_subject: Mapping[str, list[NtTriple]],
) -> list[NtTriple]:
    """An article's graph, its metadata, and its mentioned entities' descriptions."""
    own = named.get(article, [])
    entities = {o for _, p, o in own if p == _TA_IDENT_REF}
    out = list(own)
    for subject in [article, *sorted(entities)]:
        out.extend(by_subject.get(subject, ()))
    return out


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(
    tmp: Path,
    dataset: Dataset,
    article_iris: Mapping[str, str],
    report: Graph,
    summary: Mapping[str, object],
) -> list[str]:
    """Write every output under ``tmp``; return their paths relative to it."""
    names: dict[str, str] = {}
    for article_id in sorted(article_iris):
        name = article_file_name(article_id)
        # Refuse names that differ only in case: they clash on macOS and Windows.
        other = names.setdefault(name.casefold(), article_id)
        if other != article_id:
            raise OutputError(
                f"articles {other!r} and {article_id!r} would both be written "
                f"to articles/{name}; rename one of the inputs"
            )

    written = []

    def put(rel: str, data: bytes) -> None:
        _write_file(tmp / rel, data)
        written.append(rel)

    terms = _Terms(PREFIXES)
    default, named = _split(dataset, terms)
    put("graph.nq", _nquads(default, named))
    put("graph.trig", _trig(default, named, terms))
    union = [*default, *(t for triples in named.values() for t in triples)]
    put("graph.ttl", _turtle(union, terms))

    by_subject: dict[str, list[NtTriple]] = {}
    for triple in default:
        by_subject.setdefault(triple[0], []).append(triple)
    (tmp / "articles").mkdir()
    for article_id in sorted(article_iris):
        article = terms.nt(URIRef(article_iris[article_id]))
        triples = _article_triples(article, named, by_subject)
        put(f"articles/{article_file_name(article_id)}", _turtle(triples, terms))
    _fsync_dir(tmp / "articles")

    put("validation.ttl", serialize_turtle(report, prefixes=_REPORT_PREFIXES))
    text = json.dumps(
        summary, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
    )
    put("report.json", (text + "\n").encode("utf-8"))
    _fsync_dir(tmp)
    return written


_OUTPUT_NAMES = {
    "graph.nq",
    "graph.trig",
    "graph.ttl",
    "report.json",
    "validation.ttl",
}


def _check_target(target: Path) -> None:
    if not target.exists():
        if target.is_symlink():
            raise OutputError(f"{target}: a broken symbolic link; remove it or fix it")
        return
    if not target.is_dir():
        raise OutputError(f"{target}: exists and is not a directory; choose another")
    # The whole directory is replaced: never do that to one we did not write.
    content = {p.name for p in target.iterdir()}
    if content and not content & _OUTPUT_NAMES:
        raise OutputError(
            f"{target}: not empty and holds no kg-builder outputs, so it is not "
            "replaced; choose a new or empty directory"
        )


def _make_tmp(target: Path) -> Path:
    """A fresh directory beside ``target`` (so on the same file system).

    Not :func:`tempfile.mkdtemp`: its directories are private (0700), and the
    outputs are for others to read; ``os.mkdir`` applies the umask instead.
    """
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return tmp
    raise OutputError(f"{target}: cannot find a free temporary name next to it")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one system call (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where that is not available (other systems, old kernels,
    file systems without it); raises OSError when the exchange itself fails.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no libc symbol (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange):
        err = ctypes.get_errno()
        if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise OSError(err, os.strerror(err), str(b))
    return True


def _swap(tmp: Path, target: Path) -> None:
    """Put ``tmp`` where ``target`` is; the old target survives any failure.

    Where the system can, old and new are exchanged in one step, so even a
    process killed mid-swap leaves ``target`` whole (old or new); elsewhere two
    renames leave, for an instant, only the backup beside it.
    """
    if not target.exists():
        os.rename(tmp, target)
    elif _exchange(tmp, target):
        shutil.rmtree(tmp, ignore_errors=True)  # now the old outputs
    else:
        backup = tmp.with_name(tmp.name + ".old")
        os.rename(target, backup)
        try:
            os.rename(tmp, target)
        except BaseException:
            os.rename(backup, target)
            raise
        shutil.rmtree(backup, ignore_errors=True)
    _fsync_dir(target.parent)


def write_outputs(
    dataset: Dataset,
    out_dir: Path,
    *,
    article_iris: Mapping[str, str],
    report: Graph,
    summary: Mapping[str, object],
) -> dict[str, Path]:
    """Write all outputs of a build to ``out_dir``, all or nothing.

    Everything is written and fsync'd in a fresh directory beside ``out_dir``; only
    then does it replace ``out_dir`` (old → backup, new → ``out_dir``, backup
    removed). On any failure the previous ``out_dir`` is left as it was and the
    temporary directory is removed.

    Args:
        dataset: the build's graph: default graph plus one named graph per article.
        out_dir: the output directory; created (with its parents) if missing.
        article_iris: article id → article IRI (the name of its graph).
        report: the SHACL validation report graph.
        summary: JSON-able run summary.

    Returns:
        Path relative to ``out_dir`` (``"graph.ttl"``, ``"articles/x.ttl"``…) →
        the written file.

    Raises:
        OutputError: ``out_dir`` is a file or a foreign non-empty directory, a term
            cannot be serialized, the summary is not JSON, or the file system
            refused; the message names the path and the cause.
    """
    target = Path(os.path.abspath(out_dir))
    if target.is_symlink() and target.exists():
        target = target.resolve()  # replace what the link points at, keep the link
    _check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _make_tmp(target)
    except OSError as exc:
        raise OutputError(
            f"{target}: cannot create a directory next to it: {exc}"
        ) from exc
    try:
        if target.is_dir():  # keep the permissions the old outputs had
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        written = _write_all(tmp, dataset, article_iris, report, summary)
        _swap(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, KgBuilderError):
            raise OutputError(f"{target}: {exc}") from exc
        if isinstance(exc, Exception):
            cause = f"{type(exc).__name__}: {exc}"
            raise OutputError(f"{target}: outputs not written ({cause})") from exc
        raise
    return {rel: target / rel for rel in written}
