"""Pages and documents of a graph, shared by ``serve`` and ``publish``.

One layout, on the server and in a published static site::

    index.html                      entry page: types, articles, counts
    types/<kind>.html               one index per type (official, unit, article…)
    doc/<local>.html .ttl .jsonld .nt
                                    the documents about the resource {base}<local>
    ontology.html .ttl .jsonld .nt  the ontology (one section per term)
    404.html                        the page for a path that is not there

A resource IRI ``{base}<local>`` names a thing (an official, a treaty), not a
document, so it is answered with ``303 See Other`` to one of its documents
(``docs/publishing.md``). Pages link to pages with relative links, so a published
site works under any path of any web server. Every string from the graph is
HTML-escaped, and controls that could hide or reorder text are shown as ``U+XXXX``.
Pages carry no script, and a Content-Security-Policy that forbids any.

Queries run on pyoxigraph over the union of the default and the named graphs.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .errors import OutputError, UsageError
from .namespace import DAL, DEFAULT_BASE, ITSRDF, NIF, ONTOLOGY_IRI, PREFIXES
from .resources import ONTOLOGY_FILE
from .store import open_build
from .write import _swap

__all__ = [
    "DOCUMENT_TYPES",
    "RDF_FORMATS",
    "TYPE_INDEXES",
    "Paths",
    "PublishReport",
    "Site",
    "error_page",
    "esc",
    "ontology_rdf",
    "publish",
    "solutions_table",
    "sparql_page",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Document extension → (media type, pyoxigraph format) of the RDF documents.
RDF_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
}
#: Document extension → media type, HTML first (the default for people).
DOCUMENT_TYPES: dict[str, str] = {
    "html": "text/html",
    **{ext: media for ext, (media, _) in RDF_FORMATS.items()},
}

#: (kind in IRIs and in ``types/<kind>.html``, class, heading), in index order.
TYPE_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("official", str(DAL.Official), "Officials"),
    ("position", str(DAL.Position), "Positions"),
    ("unit", str(DAL.MilitaryUnit), "Military units"),
    ("base", str(DAL.MilitaryBase), "Military bases"),
    ("island", str(DAL.Island), "Islands"),
    ("treaty", str(DAL.Treaty), "Treaties"),
    ("treaty-article", str(DAL.TreatyArticle), "Treaty articles"),
    ("country", str(DAL.Country), "Countries"),
    ("organization", str(DAL.Organization), "Organizations"),
    ("place", str(DAL.Place), "Places"),
    ("equipment", str(DAL.Equipment), "Equipment"),
    ("article", str(DAL.SourceArticle), "Source articles"),
    ("run", str(DAL.ExtractionRun), "Extraction runs"),
)

_P = PREFIXES
RDF_TYPE = _P["rdf"] + "type"
RDFS_LABEL = _P["rdfs"] + "label"
ALT_LABEL = _P["skos"] + "altLabel"
SAME_AS = _P["owl"] + "sameAs"
TITLE = _P["dcterms"] + "title"
#: Predicates shown in a page's heading, not in its table of facts.
_HEADING = {RDF_TYPE, RDFS_LABEL, ALT_LABEL, SAME_AS}
#: Links from provenance records to entities: not listed as "referenced by".
_PROVENANCE_LINKS = {
    _P["rdf"] + "subject",
    _P["rdf"] + "object",
    _P["rdf"] + "predicate",
    str(ITSRDF.taIdentRef),
    str(DAL.mentions),
    str(DAL.evidence),
    str(DAL.personnelOf),
    str(NIF.referenceContext),
    _P["prov"] + "used",
    _P["prov"] + "wasDerivedFrom",
}
_QUERY_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._~-]*"
_LOCAL = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_LIST_CAP = 5000  # rows of an index or a "referenced by" list

# --- escaping ----------------------------------------------------------------

# C0/C1 controls (but tab, LF, CR) and the bidi embeddings, overrides and isolates:
# shown, never obeyed, so a label cannot hide or reorder the text around it.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def esc(text: str) -> str:
    """HTML text: escaped, hidden controls made visible.

    >>> esc('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    >>> esc("a\u202eb")
    'a<span class="ctl">U+202E</span>b'
    """
    return _HIDDEN.sub(
        lambda m: f'<span class="ctl">U+{ord(m.group()):04X}</span>', html.escape(text)
    )


def _attr(text: str) -> str:
    """An attribute value (or <title>): escaped, hidden controls replaced."""
    return html.escape(_HIDDEN.sub("\ufffd", text), quote=True)


def _web_link(url: str) -> bool:
    """Only http(s) URLs become links: never ``javascript:`` or ``data:``."""
    return url.lower().startswith(("http://", "https://"))


# --- paths -------------------------------------------------------------------


@dataclass(frozen=True)
class Paths:
    """Where the documents about an IRI live, relative to the site's root.

    >>> p = Paths("https://w3id.org/defense-alliance/id/")
    >>> p.document("https://w3id.org/defense-alliance/id/official/antony-blinken")
    ('doc/official/antony-blinken', '')
    >>> p.document("https://w3id.org/defense-alliance/id/article/a1#char=0,5")
    ('doc/article/a1', 'char=0,5')
    >>> p.document("https://w3id.org/defense-alliance/ontology#Official")
    ('ontology', 'Official')
    >>> p.document("https://example.org/x") is None
    True
    """

    base: str = DEFAULT_BASE

    def document(self, iri: str) -> tuple[str, str] | None:
        """(document path without extension, fragment), or None if not ours."""
        thing, _, fragment = iri.partition("#")
        if thing == str(ONTOLOGY_IRI):
            return "ontology", fragment
        if not iri.startswith(self.base):
            return None
        local, _, fragment = iri[len(self.base) :].partition("#")
        if not _LOCAL.fullmatch(local):
            return None  # not a path we can serve or write safely
        return f"doc/{local}", fragment

    def resource(self, local: str) -> str | None:
        """The IRI ``{base}<local>``, or None if ``local`` is not a safe path."""
        return self.base + local if _LOCAL.fullmatch(local) else None


class _Links:
    """Relative hrefs from the page at ``here`` (None: absolute, from ``/``)."""

    def __init__(self, paths: Paths, here: str | None) -> None:
        self.paths = paths
        self.here = here

    def to(self, target: str) -> str:
        """The href of ``target``, a path from the site's root."""
        if self.here is None:
            return "/" + target
        path, hash_, fragment = target.partition("#")
        rel = posixpath.relpath(path or ".", posixpath.dirname(self.here) or ".")
        return rel + hash_ + fragment

    def iri(self, iri: str) -> str | None:
        """The href of the page about ``iri``; the IRI itself if it is a web URL."""
        doc = self.paths.document(iri)
        if doc is not None:
            path, fragment = doc
            return self.to(f"{path}.html" + (f"#{fragment}" if fragment else ""))
        return iri if _web_link(iri) else None


def qname(iri: str) -> str:
    """``dal:holdsPosition`` for a prefixed IRI, else the IRI.

    >>> qname("http://www.w3.org/2004/02/skos/core#altLabel")
    'skos:altLabel'
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


# --- the ontology --------------------------------------------------------------


@lru_cache(maxsize=1)
def _ontology() -> dict[str, dict[str, list[Term]]]:
    """The ontology's triples by subject IRI (blank-node subjects left out)."""
    by_subject: dict[str, dict[str, list[Term]]] = {}
    for t in ox.parse(path=ONTOLOGY_FILE, format=ox.RdfFormat.TURTLE):
        if isinstance(t.subject, ox.NamedNode):
            props = by_subject.setdefault(t.subject.value, {})
            props.setdefault(t.predicate.value, []).append(t.object)
    return by_subject


def _ontology_value(iri: str, predicate: str) -> str | None:
    for term in _ontology().get(iri, {}).get(predicate, []):
        if isinstance(term, ox.Literal):
            return term.value
    return None


# --- page frame ----------------------------------------------------------------

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'"
)
_CSS = """
body{font:16px/1.55 system-ui,"DejaVu Sans",sans-serif;margin:0;color:#1f2328;
background:#fff}
header{background:#1e3a5f;color:#fff;padding:.6rem 1.2rem}
header a{color:#fff;margin-right:1.1rem;text-decoration:none}
header a:first-child{font-weight:700}
main{max-width:62rem;margin:0 auto;padding:1rem 1.2rem 3rem}
h1{font-size:1.7rem;margin:.6rem 0 .2rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
a{color:#0b5cad}
.iri{color:#57606a;font-size:.85rem;overflow-wrap:anywhere}
.types a,.badge{display:inline-block;background:#eef2f7;border-radius:.8rem;
padding:0 .6rem;margin-right:.3rem;font-size:.85rem;text-decoration:none}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;
border-bottom:1px solid #e5e8eb;overflow-wrap:break-word}
table.facts td:first-child{width:9rem}table.facts td:nth-child(2){width:13rem}
th{background:#f6f8fa;font-weight:600}
ul.sources{list-style:none;margin:0;padding:0}
ul.sources li{margin:.2rem 0 .6rem}
blockquote{margin:.1rem 0;padding:.1rem .7rem;border-left:3px solid #9ab;
color:#333;font-style:italic}
.meta{color:#57606a;font-size:.85rem}
.text{white-space:pre-wrap;border:1px solid #d0d7de;border-radius:6px;
padding:1rem 1.2rem;background:#fcfcfd;line-height:1.7}
mark{background:#fde68a;border-radius:3px;padding:0 1px}
mark a{color:inherit;text-decoration:none;border-bottom:1px dotted #7a5b00}
.ev:target{background:#dbeafe}
.ctl{font:.75em monospace;color:#b00;border:1px solid #b00;padding:0 2px}
dl.props{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.props dt{color:#57606a}
dl.props dd{margin:0;overflow-wrap:anywhere}
textarea{width:100%;font:14px monospace}
footer{color:#57606a;font-size:.85rem;margin-top:3rem}
"""


def _frame(
    title: str,
    body: str,
    links: _Links,
    *,
    sparql: bool,
    alternates: dict[str, str] | None = None,
) -> str:
    """A whole page: head, navigation, ``body`` and links to the RDF documents."""
    alt_links = "".join(
        f'<link rel="alternate" type="{DOCUMENT_TYPES[ext]}" href="{_attr(href)}">'
        for ext, href in (alternates or {}).items()
    )
    footer = ""
    if alternates:
        names = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples"}
        footer = "<footer>This page as data: " + " · ".join(
            f'<a href="{_attr(href)}">{names[ext]}</a>'
            for ext, href in alternates.items()
        )
        footer += "</footer>"
    nav = [
        f'<a href="{_attr(links.to("index.html"))}">Defense-alliance graph</a>',
        f'<a href="{_attr(links.to("types/official.html"))}">Officials</a>',
        f'<a href="{_attr(links.to("types/article.html"))}">Articles</a>',
        f'<a href="{_attr(links.to("ontology.html"))}">Ontology</a>',
    ]
    if sparql:
        nav.append(f'<a href="{_attr(links.to("sparql"))}">SPARQL</a>')
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{_attr(title)} · Defense-alliance graph</title>"
        f"<style>{_CSS}</style>{alt_links}</head>\n<body><header><nav>"
        + "".join(nav)
        + f"</nav></header>\n<main>\n{body}\n{footer}</main></body></html>\n"
    )


def error_page(status: int, message: str, *, sparql: bool = True) -> str:
    """A plain error page, with absolute links (it may answer any path)."""
    body = f"<h1>{status}</h1><p>{esc(message)}</p>"
    return _frame(str(status), body, _Links(Paths(), None), sparql=sparql)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _count(n: int, one: str, many: str | None = None) -> str:
    """A count and its noun: ``1 mention``, ``2 entities``."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def _number(value: str) -> str:
    return f"{int(value):,}" if re.fullmatch(r"-?\d{1,30}", value) else value


# --- the site --------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One assertion of a fact: the article that states it, and how."""

    article: str
    title: str
    publisher: str
    issued: str
    evidence: str | None
    quote: str | None
    confidence: str | None
    details: str  # qualifier, range, category, whose personnel


class Site:
    """The pages and documents of the graph in a pyoxigraph store.

    Args:
        store: the store (default graph plus one named graph per article).
        base: the IRI base the graph's resources were minted under.
        sparql: link to the server's ``/sparql`` endpoint from every page.
    """

    def __init__(
        self, store: ox.Store, *, base: str = DEFAULT_BASE, sparql: bool = False
    ) -> None:
        self.store = store
        self.paths = Paths(base)
        self.sparql = sparql

    # -- queries --

    def _select(self, query: str, **iris: str) -> list[ox.QuerySolution]:
        """Rows of a SELECT; ``$name`` in ``query`` becomes the IRI ``iris[name]``.

        The IRIs are validated by :class:`pyoxigraph.NamedNode` (an IRI cannot hold
        ``>``, quotes or spaces), so splicing them in cannot change the query.
        """
        for name, iri in iris.items():
            query = query.replace(f"${name}", str(ox.NamedNode(iri)))
        result = self.store.query(
            _QUERY_PROLOGUE + query, use_default_graph_as_union=True
        )
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """A display label for each IRI: rdfs:label, title, anchor, or a short form."""
        wanted = sorted(set(iris))
        found: dict[str, tuple[int, str]] = {}
        for i in range(0, len(wanted), 500):
            chunk = " ".join(str(ox.NamedNode(x)) for x in wanted[i : i + 500])
            rows = self._select(
                f"SELECT ?x ?r ?l WHERE {{ VALUES ?x {{ {chunk} }} "
                "{ ?x rdfs:label ?l BIND(0 AS ?r) } UNION "
                "{ ?x dcterms:title ?l BIND(1 AS ?r) } UNION "
                "{ ?x nif:anchorOf ?l BIND(2 AS ?r) } }"
            )
            for row in rows:
                x, r, label = _value(row["x"]), int(_value(row["r"])), _value(row["l"])
                if (r, label) < found.get(x, (9, "")):
                    found[x] = (r, label)
        labels = {}
        for x in wanted:
            if x in found:
                labels[x] = found[x][1]
            else:
                labels[x] = _ontology_value(x, RDFS_LABEL) or self._short(x)
        return labels

    def _short(self, iri: str) -> str:
        if iri.startswith(self.paths.base):
            return iri[len(self.paths.base) :]
        return qname(iri)

    def exists(self, iri: str) -> bool:
        """Whether the graph says anything about ``iri`` (as a subject)."""
        result = self.store.query(
            f"ASK {{ {ox.NamedNode(iri)} ?p ?o }}", use_default_graph_as_union=True
        )
        return bool(result)

    def resources(self) -> list[str]:
        """Every resource under the base with a document of its own, sorted."""
        rows = self._select(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
            f"STRSTARTS(STR(?s), {_string(self.paths.base)})) }}"
        )
        out = set()
        for row in rows:
            iri = _value(row["s"])
            doc = self.paths.document(iri)
            if doc is not None and not doc[1]:
                out.add(iri)
        return sorted(out)

    def describe(self, iri: str) -> list[ox.Triple]:
        """The triples of the document about ``iri``: its own, and its hash IRIs'."""
        rows = self._select(
            "SELECT DISTINCT ?s ?p ?o WHERE { { VALUES ?s { $iri } ?s ?p ?o } UNION "
            "{ ?s nif:referenceContext $iri ; ?p ?o "
            f"FILTER(STRSTARTS(STR(?s), {_string(iri + '#')})) }} }}",
            iri=iri,
        )
        triples = {ox.Triple(r["s"], r["p"], r["o"]) for r in rows}  # type: ignore[arg-type]
        return sorted(
            triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
        )

    def rdf(self, iri: str, ext: str) -> bytes:
        """The document about ``iri`` in the format of extension ``ext``."""
        return _serialize(self.describe(iri), ext)

    # -- pages --

    def index_page(self, here: str = "index.html") -> str:
        """The entry page: what the graph holds, by type, and its articles."""
        links = _Links(self.paths, here)
        counts = {
            _value(r["t"]): _value(r["n"])
            for r in self._select(
                "SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?t } GROUP BY ?t"
            )
        }
        rows = [
            (
                f'<a href="{_attr(links.to(f"types/{kind}.html"))}">{heading}</a>',
                _number(counts[cls]),
            )
            for kind, cls, heading in TYPE_INDEXES
            if cls in counts
        ]
        extra = [
            (heading, _number(counts.get(str(cls), "0")))
            for cls, heading in (
                (DAL.Mention, "Mentions (spans of text naming an entity)"),
                (DAL.Assertion, "Assertions (a fact as stated by one article)"),
            )
        ]
        body = [
            "<h1>Defense-alliance knowledge graph</h1>",
            "<p>Officials, military units, bases, islands and treaties named in "
            "defense news, each fact with the articles that state it and the "
            "quoted sentence.</p>",
            "<h2>Types</h2>",
            _table(["Type", "Resources"], [*rows, *extra]),
            "<h2>Source articles</h2>",
            self._article_list(links),
        ]
        return _frame("Index", "\n".join(body), links, sparql=self.sparql)

    def _article_list(self, links: _Links) -> str:
        rows = self._select(
            "SELECT ?a (SAMPLE(?t) AS ?title) (SAMPLE(?p) AS ?pub) "
            "(SAMPLE(?d) AS ?date) WHERE { ?a a dal:SourceArticle "
            "OPTIONAL { ?a dcterms:title ?t } OPTIONAL { ?a dcterms:publisher ?p } "
            "OPTIONAL { ?a dcterms:issued ?d } } "
            f"GROUP BY ?a ORDER BY ?date ?a LIMIT {_LIST_CAP}"
        )
        items = []
        for r in rows:
            iri = _value(r["a"])
            title = _value(r["title"]) or self._short(iri)
            meta = ", ".join(x for x in (_value(r["pub"]), _value(r["date"])) if x)
            items.append(
                f"<li>{self._link(links, iri, title)} "
                f'<span class="meta">{esc(meta)}</span></li>'
            )
        return "<ul>" + "".join(items) + "</ul>" if items else "<p>No articles.</p>"

    def type_page(self, kind: str) -> str | None:
        """The index of one type (``official``, ``article``…), or None."""
        heading, cls = next(((h, c) for k, c, h in TYPE_INDEXES if k == kind), ("", ""))
        if not cls:
            return None
        links = _Links(self.paths, f"types/{kind}.html")
        if cls == str(DAL.SourceArticle):
            body = self._article_list(links)
        else:
            rows = self._select(
                "SELECT ?x ?alt WHERE { ?x a $cls OPTIONAL { ?x skos:altLabel ?alt } }",
                cls=cls,
            )
            alts: dict[str, list[str]] = {}
            for r in rows:
                alts.setdefault(_value(r["x"]), [])
                if r["alt"] is not None:
                    alts[_value(r["x"])].append(_value(r["alt"]))
            counts = {
                _value(r["x"]): _value(r["n"])
                for r in self._select(
                    "SELECT ?x (COUNT(DISTINCT ?a) AS ?n) WHERE { ?x a $cls . "
                    "?a dal:mentions ?x } GROUP BY ?x",
                    cls=cls,
                )
            }
            labels = self.labels(alts)
            order = sorted(alts, key=lambda x: (labels[x].casefold(), x))
            body = _table(
                ["Name", "Also known as", "Articles"],
                (
                    (
                        self._link(links, x, labels[x]),
                        esc(", ".join(sorted(set(alts[x])))),
                        counts.get(x, "0"),
                    )
                    for x in order[:_LIST_CAP]
                ),
            )
            if len(order) > _LIST_CAP:
                body += f"<p>The first {_LIST_CAP} of {len(order)}.</p>"
        return _frame(heading, f"<h1>{heading}</h1>\n{body}", links, sparql=self.sparql)

    def page(self, iri: str) -> str | None:
        """The HTML page about ``iri``, or None if the graph knows nothing of it."""
        doc = self.paths.document(iri)
        if doc is None or doc[1] or not self.exists(iri):
            return None
        here = f"{doc[0]}.html"
        links = _Links(self.paths, here)
        props = self._properties(iri)
        types = [_value(t) for t in props.get(RDF_TYPE, [])]
        if str(DAL.SourceArticle) in types:
            title, body = self._article_body(iri, props, links)
        else:
            title, body = self._resource_body(iri, props, types, links)
        name = posixpath.basename(doc[0])
        alternates = {ext: f"{name}.{ext}" for ext in RDF_FORMATS}
        return _frame(title, body, links, sparql=self.sparql, alternates=alternates)

    def _properties(self, iri: str) -> dict[str, list[Term]]:
        props: dict[str, list[Term]] = {}
        for r in self._select("SELECT DISTINCT ?p ?o WHERE { $s ?p ?o }", s=iri):
            props.setdefault(_value(r["p"]), []).append(r["o"])  # type: ignore[arg-type]
        for values in props.values():
            values.sort(key=str)
        return props

    def _link(self, links: _Links, iri: str, label: str) -> str:
        href = links.iri(iri)
        text = f"<bdi>{esc(label)}</bdi>"
        return f'<a href="{_attr(href)}">{text}</a>' if href else text

    def _term(self, links: _Links, term: Term, labels: dict[str, str]) -> str:
        if isinstance(term, ox.NamedNode):
            return self._link(links, term.value, labels.get(term.value, term.value))
        if isinstance(term, ox.Literal):
            if term.datatype.value == _P["xsd"] + "anyURI" and _web_link(term.value):
                return f'<a href="{_attr(term.value)}">{esc(term.value)}</a>'
            return esc(_number(term.value))
        if isinstance(term, ox.BlankNode):
            return esc(f"_:{term.value}")
        return esc(str(term))

    def _heading(
        self, iri: str, title: str, props: dict[str, list[Term]], links: _Links
    ) -> list[str]:
        types = sorted(_value(t) for t in props.get(RDF_TYPE, []))
        labels = self.labels(types)
        badges = "".join(self._link(links, t, labels[t]) for t in types)
        out = [
            f"<h1><bdi>{esc(title)}</bdi></h1>",
            f'<p class="types">{badges}</p>' if badges else "",
            f'<p class="iri">IRI: <code>{esc(iri)}</code></p>',
        ]
        alts = [esc(_value(a)) for a in props.get(ALT_LABEL, [])]
        if alts:
            out.append(f"<p>Also known as: {', '.join(alts)}</p>")
        same = [
            self._link(links, _value(s), _value(s))
            for s in props.get(SAME_AS, [])
            if isinstance(s, ox.NamedNode)
        ]
        if same:
            out.append(f"<p>Same as: {', '.join(same)}</p>")
        return out

    def _sources(self, iri: str) -> dict[tuple[str, str], list[_Source]]:
        """The assertions about ``iri``, by (predicate, object in N-Triples)."""
        rows = self._select(
            "SELECT DISTINCT ?a ?p ?o ?art ?title ?pub ?date ?ev ?quote ?conf ?qual "
            "?cat ?of ?min ?max WHERE { ?a rdf:subject $s ; rdf:predicate ?p ; "
            "rdf:object ?o ; prov:wasDerivedFrom ?art . "
            "OPTIONAL { ?art dcterms:title ?title } "
            "OPTIONAL { ?art dcterms:publisher ?pub } "
            "OPTIONAL { ?art dcterms:issued ?date } "
            "OPTIONAL { ?a dal:evidence ?ev OPTIONAL { ?ev nif:anchorOf ?quote } } "
            "OPTIONAL { ?a dal:confidence ?conf } OPTIONAL { ?a dal:qualifier ?qual } "
            "OPTIONAL { ?a dal:personnelCategory ?cat } "
            "OPTIONAL { ?a dal:personnelOf ?of } "
            "OPTIONAL { ?a dal:minimumValue ?min } "
            "OPTIONAL { ?a dal:maximumValue ?max } } ORDER BY ?date ?art ?a",
            s=iri,
        )
        of_labels = self.labels(_value(r["of"]) for r in rows if r["of"] is not None)
        out: dict[tuple[str, str], list[_Source]] = {}
        for r in rows:
            # a numeric claim as the article put it: "about 54,000 troops of X"
            details = []
            if r["min"] is not None and r["max"] is not None:
                low, high = _number(_value(r["min"])), _number(_value(r["max"]))
                details.append(f"between {low} and {high}")
            elif r["qual"] is not None or r["cat"] is not None:
                details += [_value(r["qual"]), _number(_value(r["o"]))]
            details.append(_value(r["cat"]))
            if r["of"] is not None:
                details.append(f"of {of_labels[_value(r['of'])]}")
            source = _Source(
                article=_value(r["art"]),
                title=_value(r["title"]) or self._short(_value(r["art"])),
                publisher=_value(r["pub"]),
                issued=_value(r["date"]),
                evidence=_value(r["ev"]) or None,
                quote=_value(r["quote"]) or None,
                confidence=_value(r["conf"]) or None,
                details=" ".join(d for d in details if d),
            )
            out.setdefault((_value(r["p"]), str(r["o"])), []).append(source)
        return out

    def _source_html(self, links: _Links, s: _Source) -> str:
        quote = f"<blockquote>{esc(s.quote)}</blockquote>" if s.quote else ""
        target = s.evidence or s.article
        meta = [x for x in (s.publisher, s.issued) if x]
        parts = [
            f'<a href="{_attr(links.iri(target) or "")}"><bdi>{esc(s.title)}</bdi></a>'
        ]
        if meta:
            parts.append(esc(", ".join(meta)))
        if s.details:
            parts.append(esc(s.details))
        if s.confidence:
            parts.append(f"confidence {esc(s.confidence)}")
        return f'<li>{quote}<span class="meta">{" · ".join(parts)}</span></li>'

    def _resource_body(
        self, iri: str, props: dict[str, list[Term]], types: list[str], links: _Links
    ) -> tuple[str, str]:
        sources = self._sources(iri)
        objects = [o for p, vs in props.items() if p not in _HEADING for o in vs]
        incoming = self._select(
            "SELECT DISTINCT ?s ?p WHERE { ?s ?p $o FILTER(isIRI(?s)) } "
            f"ORDER BY ?p ?s LIMIT {_LIST_CAP}",
            o=iri,
        )
        incoming = [r for r in incoming if _value(r["p"]) not in _PROVENANCE_LINKS]
        wanted = {iri, *props, *(p for p, _ in sources)}
        wanted |= {o.value for o in objects if isinstance(o, ox.NamedNode)}
        wanted |= {_value(r["s"]) for r in incoming} | {
            _value(r["p"]) for r in incoming
        }
        labels = self.labels(wanted)
        title = labels[iri]
        out = self._heading(iri, title, props, links)

        rows: dict[tuple[str, str], tuple[str, Term | None]] = {}
        for p, values in props.items():
            if p not in _HEADING:
                for o in values:
                    rows[(p, str(o))] = (p, o)
        for key in sources:
            rows.setdefault(key, (key[0], None))
        if rows:
            table = []
            for key in sorted(rows, key=lambda k: (labels.get(k[0], k[0]), k[1])):
                p, obj = rows[key]
                value = (
                    self._term(links, obj, labels)
                    if obj is not None
                    else esc(_number(_ntriples_value(key[1])))
                )
                srcs = sources.get(key, [])
                cell = (
                    '<ul class="sources">'
                    + "".join(self._source_html(links, s) for s in srcs)
                    + "</ul>"
                    if srcs
                    else '<span class="meta">no article recorded</span>'
                )
                table.append((self._link(links, p, labels[p]), value, cell))
            heading = "Facts and their sources" if sources else "Properties"
            out += [
                f"<h2>{heading}</h2>",
                _table(["Relation", "Value", "Sources"], table, "facts"),
            ]
        if incoming:
            out.append("<h2>Referenced by</h2>")
            out.append(
                _table(
                    ["Resource", "Relation"],
                    (
                        (
                            self._link(links, _value(r["s"]), labels[_value(r["s"])]),
                            self._link(links, _value(r["p"]), labels[_value(r["p"])]),
                        )
                        for r in incoming
                    ),
                )
            )
        out += self._mentioned_in(iri, links)
        if str(DAL.Mention) in types:
            out += self._mention_context(props, links)
        return title, "\n".join(out)

    def _mentioned_in(self, iri: str, links: _Links) -> list[str]:
        rows = self._select(
            "SELECT DISTINCT ?art ?b ?e ?anchor WHERE { ?m itsrdf:taIdentRef $s ; "
            "nif:referenceContext ?art ; nif:beginIndex ?b ; nif:endIndex ?e ; "
            "nif:anchorOf ?anchor }",
            s=iri,
        )
        if not rows:
            return []
        by_article: dict[str, list[tuple[int, int, str]]] = {}
        for r in rows:
            span = (int(_value(r["b"])), int(_value(r["e"])), _value(r["anchor"]))
            by_article.setdefault(_value(r["art"]), []).append(span)
        labels = self.labels(by_article)
        items = []
        for art in sorted(by_article, key=lambda a: (labels[a].casefold(), a)):
            spans = sorted(by_article[art])
            first = links.iri(art) or ""
            forms = ", ".join(sorted({f"“{s[2]}”" for s in spans}))
            items.append(
                f'<li><a href="{_attr(first)}"><bdi>{esc(labels[art])}</bdi></a> '
                f'<span class="meta">{_count(len(spans), "mention")}: {esc(forms)} · '
                f'<a href="{_attr(first)}#m{spans[0][0]}-{spans[0][1]}">first</a>'
                "</span></li>"
            )
        return ["<h2>Mentioned in</h2>", "<ul>" + "".join(items) + "</ul>"]

    def _mention_context(
        self, props: dict[str, list[Term]], links: _Links
    ) -> list[str]:
        ctx = props.get(str(NIF.referenceContext), [])
        begin = props.get(str(NIF.beginIndex), [])
        end = props.get(str(NIF.endIndex), [])
        if not (ctx and begin and end):
            return []
        href = f"{links.iri(_value(ctx[0])) or ''}#m{_value(begin[0])}-{_value(end[0])}"
        return [f'<p><a href="{_attr(href)}">See this mention in its article</a></p>']

    def _article_body(
        self, iri: str, props: dict[str, list[Term]], links: _Links
    ) -> tuple[str, str]:
        text = next((_value(t) for t in props.get(str(NIF.isString), [])), "")
        mentions = self._select(
            "SELECT DISTINCT ?b ?e ?ent WHERE { ?m nif:referenceContext $a ; "
            "a dal:Mention ; nif:beginIndex ?b ; nif:endIndex ?e ; "
            "itsrdf:taIdentRef ?ent }",
            a=iri,
        )
        evidence = self._select(
            "SELECT DISTINCT ?ev ?b ?e WHERE { ?ev nif:referenceContext $a ; "
            "a dal:Evidence ; nif:beginIndex ?b ; nif:endIndex ?e }",
            a=iri,
        )
        facts = self._select(
            "SELECT DISTINCT ?s ?p ?o ?ev ?conf WHERE { ?x prov:wasDerivedFrom $a ; "
            "rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o "
            "OPTIONAL { ?x dal:evidence ?ev } OPTIONAL { ?x dal:confidence ?conf } } "
            "ORDER BY ?s ?p ?o",
            a=iri,
        )
        entities = {_value(r["ent"]) for r in mentions}
        wanted = {iri, *entities}
        for r in facts:
            wanted |= {
                _value(r[v]) for v in ("s", "p", "o") if isinstance(r[v], ox.NamedNode)
            }
        labels = self.labels(wanted)
        title = labels[iri]
        out = self._heading(iri, title, props, links)

        shown = {
            "dcterms:publisher": "Publisher",
            "dcterms:issued": "Published",
            "dcterms:language": "Language",
            "schema:url": "Original",
            "dcterms:identifier": "Identifier",
            "dal:machineTranslated": "Machine translated",
            "dal:sha256": "SHA-256 of the text",
        }
        meta = []
        for name, heading in shown.items():
            prefix, _, local = name.partition(":")
            for value in props.get(PREFIXES[prefix] + local, []):
                meta.append(
                    f"<dt>{heading}</dt><dd>{self._term(links, value, labels)}</dd>"
                )
        if meta:
            out.append('<dl class="props">' + "".join(meta) + "</dl>")

        spans = [
            (int(_value(r["b"])), int(_value(r["e"])), _value(r["ent"]))
            for r in mentions
        ]
        sentences = [(int(_value(r["b"])), int(_value(r["e"]))) for r in evidence]
        marked = _highlight(
            text,
            spans,
            sentences,
            lambda ent: (links.iri(ent) or "", labels.get(ent, ent)),
        )
        out += [
            "<h2>Text</h2>",
            f'<p class="meta">Highlighted: {_count(len(spans), "mention")} of '
            f"{_count(len(entities), 'entity', 'entities')}; each links to its "
            "entity.</p>",
            f'<div class="text" lang="{_attr(_lang(props))}">{marked}</div>',
        ]
        if facts:
            rows = []
            for r in facts:
                ev = _value(r["ev"])
                where = (
                    f'<a href="{_attr(links.iri(ev) or "")}">sentence</a>' if ev else ""
                )
                rows.append(
                    (
                        self._term(links, r["s"], labels),  # type: ignore[arg-type]
                        self._term(links, r["p"], labels),  # type: ignore[arg-type]
                        self._term(links, r["o"], labels),  # type: ignore[arg-type]
                        where,
                        esc(_value(r["conf"])),
                    )
                )
            out += [
                "<h2>Facts this article states</h2>",
                _table(
                    ["Subject", "Relation", "Object", "Evidence", "Confidence"], rows
                ),
            ]
        return title, "\n".join(out)

    # -- the ontology --

    def ontology_page(self, here: str = "ontology.html") -> str:
        """The ontology: its header, then one section per ``dal:`` term."""
        links = _Links(self.paths, here)
        terms = _ontology()
        head = terms.get(str(ONTOLOGY_IRI), {})
        ns = str(DAL._NS)
        groups: dict[str, list[str]] = {}
        kinds = {
            _P["owl"] + "Class": "Classes",
            _P["owl"] + "ObjectProperty": "Object properties",
            _P["owl"] + "DatatypeProperty": "Datatype properties",
        }
        for iri, props in terms.items():
            if iri.startswith(ns):
                types = {_value(t) for t in props.get(RDF_TYPE, [])}
                kind = next((v for k, v in kinds.items() if k in types), "Individuals")
                groups.setdefault(kind, []).append(iri)
        labels = {iri: _ontology_value(iri, RDFS_LABEL) or qname(iri) for iri in terms}

        def term_link(t: Term) -> str:
            if isinstance(t, ox.NamedNode):
                name = qname(t.value)
                href = links.iri(t.value)
                return f'<a href="{_attr(href)}">{esc(name)}</a>' if href else esc(name)
            return (
                esc(_value(t)) if isinstance(t, ox.Literal) else "(a class expression)"
            )

        shown = {
            RDF_TYPE: "Type",
            _P["rdfs"] + "subClassOf": "Subclass of",
            _P["rdfs"] + "subPropertyOf": "Subproperty of",
            _P["rdfs"] + "domain": "Domain",
            _P["rdfs"] + "range": "Range",
            _P["owl"] + "inverseOf": "Inverse of",
            _P["owl"] + "disjointWith": "Disjoint with",
        }
        out = [
            f"<h1>{esc(_ontology_value(str(ONTOLOGY_IRI), TITLE) or 'Ontology')}</h1>",
            f'<p class="iri">IRI: <code>{esc(str(ONTOLOGY_IRI))}</code> · namespace '
            f"<code>{esc(ns)}</code> (prefix <code>dal:</code>)</p>",
        ]
        out += [
            f"<p>{esc(_value(v))}</p>"
            for v in head.get(_P["dcterms"] + "description", [])
        ]
        out += [
            f"<p>Version {esc(_value(v))}</p>"
            for v in head.get(_P["owl"] + "versionInfo", [])
        ]
        for kind in (
            "Classes",
            "Object properties",
            "Datatype properties",
            "Individuals",
        ):
            out.append(f"<h2>{kind}</h2>")
            for iri in sorted(groups.get(kind, [])):
                props = terms[iri]
                local = iri[len(ns) :]
                rows = [
                    f"<dt>{label}</dt><dd>{', '.join(map(term_link, props[p]))}</dd>"
                    for p, label in shown.items()
                    if props.get(p)
                ]
                comment = _ontology_value(iri, _P["rdfs"] + "comment") or ""
                out.append(
                    f'<section id="{_attr(local)}"><h3>{esc(labels[iri])} '
                    f'<code class="meta">dal:{esc(local)}</code></h3>'
                    f"<p>{esc(comment)}</p>"
                    f'<dl class="props">{"".join(rows)}</dl></section>'
                )
        alternates = {ext: f"ontology.{ext}" for ext in RDF_FORMATS}
        return _frame(
            "Ontology", "\n".join(out), links, sparql=self.sparql, alternates=alternates
        )


def ontology_rdf(ext: str) -> bytes:
    """The ontology file in the format of extension ``ext`` (Turtle as written)."""
    if ext == "ttl":
        return ONTOLOGY_FILE.read_bytes()
    # Blank nodes (the OWL axioms) get canonical labels: the same bytes every time.
    dataset = ox.Dataset(ox.parse(path=ONTOLOGY_FILE, format=ox.RdfFormat.TURTLE))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return _serialize(sorted((q.triple for q in dataset), key=str), ext)


def _serialize(triples: list[ox.Triple], ext: str) -> bytes:
    fmt = RDF_FORMATS[ext][1]
    if fmt != ox.RdfFormat.TURTLE:
        return ox.serialize(triples, format=fmt) or b""
    data = ox.serialize(triples, format=fmt, prefixes=PREFIXES) or b""
    # pyoxigraph writes the prefixes in its own order: sort them, for the same
    # bytes from the same graph whatever the library version.
    lines = data.split(b"\n")
    n = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix")), 0)
    return b"\n".join([*sorted(lines[:n]), *lines[n:]])


# --- the SPARQL endpoint's pages ----------------------------------------------------

_EXAMPLE_QUERY = """SELECT ?official ?name ?position WHERE {
  ?official a dal:Official ; rdfs:label ?name .
  OPTIONAL { ?official dal:holdsPosition/rdfs:label ?position }
} ORDER BY ?name LIMIT 100"""


def sparql_page(
    query: str,
    base: str,
    *,
    table: str | None = None,
    boolean: bool | None = None,
    turtle: str | None = None,
    error: str | None = None,
    truncated: bool = False,
) -> str:
    """The query form at ``/sparql``, with the results or the error below it."""
    links = _Links(Paths(base), "sparql")
    prefixes = ", ".join(f"{p}:" for p in PREFIXES)
    out = [
        "<h1>SPARQL</h1>",
        f'<form method="get" action="{_attr(links.to("sparql"))}">'
        f'<textarea name="query" rows="9" spellcheck="false">'
        f"{esc(query or _EXAMPLE_QUERY)}</textarea>"
        '<p><button type="submit">Run</button> <span class="meta">The default '
        "graph is the union of all graphs; these prefixes need no declaration: "
        f"{esc(prefixes)}</span></p></form>",
    ]
    if error is not None:
        out.append(f'<h2>Error</h2><p class="error">{esc(error)}</p>')
    if boolean is not None:
        out.append(f"<h2>Result</h2><p>{'true' if boolean else 'false'}</p>")
    if table is not None:
        out += ["<h2>Results</h2>", table]
    if truncated:
        out.append('<p class="meta">Cut at the server\'s result limit.</p>')
    if turtle is not None:
        out += ["<h2>Results</h2>", f"<pre>{esc(turtle)}</pre>"]
    return _frame("SPARQL", "\n".join(out), links, sparql=True)


def solutions_table(
    variables: list[str], rows: list[list[object]], paths: Paths, *, here: str
) -> str:
    """SELECT results as an HTML table; IRIs of the graph link to their pages."""
    links = _Links(paths, here)

    def cell(t: object) -> str:
        if isinstance(t, ox.NamedNode):
            href = links.iri(t.value)
            text = esc(qname(t.value))
            return f'<a href="{_attr(href)}">{text}</a>' if href else text
        if isinstance(t, ox.Literal):
            return esc(t.value)
        return "" if t is None else esc(str(t))

    return (
        _table(
            [esc(f"?{v}") for v in variables], ([cell(t) for t in row] for row in rows)
        )
        + f'<p class="meta">{len(rows)} row(s)</p>'
    )


# --- small helpers ----------------------------------------------------------------


def _value(term: object) -> str:
    """The lexical value of a term; "" for an unbound variable."""
    if term is None:
        return ""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def _string(text: str) -> str:
    """A SPARQL string literal."""
    return str(ox.Literal(text))


def _ntriples_value(nt: str) -> str:
    """The lexical form of a literal given in N-Triples (for display only)."""
    m = re.match(r'^"(.*)"(?:\^\^<[^>]*>|@[\w-]+)?$', nt, re.S)
    return m.group(1) if m else nt


def _lang(props: dict[str, list[Term]]) -> str:
    langs = props.get(_P["dcterms"] + "language", [])
    return _value(langs[0]) if langs else "en"


def _highlight(
    text: str,
    mentions: list[tuple[int, int, str]],
    sentences: list[tuple[int, int]],
    target: Callable[[str], tuple[str, str]],
) -> str:
    """``text`` as HTML: mentions in ``<mark>`` linking to their entity; each
    evidence sentence in a ``<span id="char=B,E">`` that its assertions link to.

    Of overlapping mentions the first (then longest) is marked, the others get
    an empty anchor; a mention that crosses a sentence boundary is cut in pieces,
    so the elements always nest.
    """
    n = len(text)
    kept: list[tuple[int, int, str]] = []
    anchors: dict[int, set[str]] = {}  # the ids of mentions left unmarked
    for b, e, ent in sorted(mentions, key=lambda m: (m[0], -m[1], m[2])):
        if 0 <= b < e <= n and (not kept or b >= kept[-1][1]):
            kept.append((b, e, ent))
        elif 0 <= b < e <= n and (b, e) != kept[-1][:2]:
            anchors.setdefault(b, set()).add(f"m{b}-{e}")
    sents: list[tuple[int, int]] = []
    for b, e in sorted(set(sentences)):
        if 0 <= b < e <= n and (not sents or b >= sents[-1][1]):
            sents.append((b, e))
    cuts = sorted(
        {
            0,
            n,
            *anchors,
            *(x for m in kept for x in m[:2]),
            *(x for s in sents for x in s),
        }
    )
    out: list[str] = []
    mi = si = 0
    open_m: tuple[int, int, str] | None = None
    open_s: tuple[int, int] | None = None
    for a, b in zip(cuts, cuts[1:], strict=False):
        while mi < len(kept) and kept[mi][1] <= a:
            mi += 1
        while si < len(sents) and sents[si][1] <= a:
            si += 1
        m = kept[mi] if mi < len(kept) and kept[mi][0] <= a else None
        s = sents[si] if si < len(sents) and sents[si][0] <= a else None
        if s != open_s:
            if open_m is not None:
                out.append("</a></mark>")
                open_m = None
            if open_s is not None:
                out.append("</span>")
            if s is not None:
                out.append(f'<span class="ev" id="char={s[0]},{s[1]}">')
            open_s = s
        if m != open_m:
            if open_m is not None:
                out.append("</a></mark>")
            if m is not None:
                href, label = target(m[2])
                ident = f' id="m{m[0]}-{m[1]}"' if a == m[0] else ""
                out.append(
                    f'<mark{ident} title="{_attr(label)}"><a href="{_attr(href)}">'
                )
            open_m = m
        out += [f'<span id="{i}"></span>' for i in sorted(anchors.get(a, ()))]
        out.append(esc(text[a:b]))
    if open_m is not None:
        out.append("</a></mark>")
    if open_s is not None:
        out.append("</span>")
    return "".join(out)


# --- publish ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublishReport:
    """What :func:`publish` wrote.

    Attributes:
        site_dir: the site's directory.
        resources: resources with their own documents.
        files: files written, relative to ``site_dir``, sorted.
    """

    site_dir: Path
    resources: int
    files: tuple[str, ...]


def publish(
    out_dir: Path, site_dir: Path, *, base: str = DEFAULT_BASE
) -> PublishReport:
    """Write the pages and documents of a build as a static site.

    The site is written in a fresh directory beside ``site_dir``, which then
    replaces it: readers never see half a site, and a failure leaves the old one.

    Args:
        out_dir: a build's output directory (``graph.nq`` is read).
        site_dir: where the site goes; replaced if it holds an earlier site.
        base: the IRI base the build minted its resources under.

    Returns:
        The number of resources and the files written.

    Raises:
        InputError: ``out_dir`` holds no loadable ``graph.nq``.
        UsageError: no resource of the graph has an IRI under ``base``.
        OutputError: ``site_dir`` is something else, or cannot be written.
    """
    site = Site(open_build(out_dir), base=base)
    resources = site.resources()
    if not resources:
        raise UsageError(
            f"{out_dir}: no resource has an IRI under --base {base}; "
            "pass the --base the graph was built with"
        )
    target = Path(os.path.abspath(site_dir))
    _check_site_target(target)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    written: list[str] = []

    def put(rel: str, data: str | bytes) -> None:
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        written.append(rel)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        put("index.html", site.index_page())
        put(
            "404.html",
            error_page(404, "There is no page at this address.", sparql=False),
        )
        put("ontology.html", site.ontology_page())
        for ext in RDF_FORMATS:
            put(f"ontology.{ext}", ontology_rdf(ext))
        for kind, _, _ in TYPE_INDEXES:
            page = site.type_page(kind)
            if page is not None:
                put(f"types/{kind}.html", page)
        for iri in resources:
            doc, _ = site.paths.document(iri) or ("", "")
            page = site.page(iri)
            if page is None:
                continue
            put(f"{doc}.html", page)
            triples = site.describe(iri)
            for ext in RDF_FORMATS:
                put(f"{doc}.{ext}", _serialize(triples, ext))
        _swap(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: site not written ({exc})") from exc
        raise
    return PublishReport(target, len(resources), tuple(sorted(written)))


def _check_site_target(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target}: exists and is not a directory; choose another")
    content = {p.name for p in target.iterdir()}
    if content and not {"index.html", "ontology.html"} <= content:
        raise OutputError(
            f"{target}: not empty and not a kg-builder site, so it is not replaced; "
            "choose a new or empty directory"
        )
