"""A fast, conservative pre-check of SHACL shapes, for validating at scale.

pySHACL spends about 0.4 s on one article's graph (~900 triples); a corpus of
10,000 articles would take over an hour. :class:`ShapeCheck` compiles the shapes
graph once into plain Python checks over an index of the data and answers one
question quickly: *could* this data violate the shapes? It is conservative by
construction: it may suspect data that pySHACL accepts (then pySHACL, run on that
data only, has the last word), but whenever pySHACL would report a result it
suspects the data. :mod:`kg_builder.validate` uses it that way, so conformance
and reports are pySHACL's.

It covers what SHACL Core the project's shapes use (targets by class, node and
subjects/objects of; predicate and inverse paths; class, datatype, nodeKind,
in, pattern, min/maxLength, min/maxCount, min/maxInclusive, min/maxExclusive,
lessThan(OrEquals), hasValue, node, or, and, not), each with pySHACL's
semantics. SPARQL-based constraints (``sh:sparql``) whose query it knows (the
project's five, recognised by their normalised text) are checked in Python for
a sufficient condition of "no result row"; any other makes every focus node of
its shape a suspect. Shapes using anything else make :meth:`ShapeCheck.compile`
return ``None``, and the caller falls back to pySHACL alone.

>>> from rdflib import Graph
>>> from kg_builder.validate import load_shapes
>>> check = ShapeCheck.compile(load_shapes())
>>> check.suspects(Graph())
[]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, RDFS, SH, XSD
from rdflib.term import Node

from .namespace import DAL, NIF

__all__ = ["DataIndex", "ShapeCheck"]

Triple = tuple[Node, Node, Node]

# Annotations and structure that do not constrain anything by themselves.
_INERT = {
    RDF.type,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.declare,
    SH.prefixes,
    SH.property,
    SH.path,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.deactivated,
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
}
_VALUE = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.hasValue,
    SH.node,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.minCount,
    SH.maxCount,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.sparql,
}
_PY_TYPE: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
}


class UnsupportedError(Exception):
    """The shapes use something the pre-check does not model."""


class DataIndex:
    """The data graph, indexed for the checks: objects by subject and
    predicate, subjects by object and predicate, types with subclasses."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.out: dict[Node, dict[Node, set[Node]]] = {}
        self.inv: dict[Node, dict[Node, set[Node]]] = {}
        for s, p, o in triples:
            self.out.setdefault(s, {}).setdefault(p, set()).add(o)
            self.inv.setdefault(o, {}).setdefault(p, set()).add(s)
        self._supers: dict[Node, set[Node]] = {}
        self._classes: set[Node] | None = None

    def objects(self, s: Node, p: Node) -> set[Node]:
        return self.out.get(s, {}).get(p, set())

    def subjects(self, p: Node, o: Node) -> set[Node]:
        return self.inv.get(o, {}).get(p, set())

    def has(self, s: Node, p: Node, o: Node) -> bool:
        return o in self.objects(s, p)

    def superclasses(self, c: Node) -> set[Node]:
        """``c`` and everything it is an ``rdfs:subClassOf*`` of, in the data."""
        found = self._supers.get(c)
        if found is None:
            found, todo = {c}, [c]
            while todo:
                for sup in self.objects(todo.pop(), RDFS.subClassOf):
                    if sup not in found:
                        found.add(sup)
                        todo.append(sup)
            self._supers[c] = found
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return any(cls in self.superclasses(t) for t in self.objects(node, RDF.type))

    def instances(self, cls: Node) -> set[Node]:
        """Nodes typed ``cls`` or a subclass of it (``rdf:type/rdfs:subClassOf*``)."""
        if self._classes is None:
            self._classes = {
                c for preds in self.out.values() for c in preds.get(RDF.type, ())
            }
        out: set[Node] = set()
        for c in self._classes:
            if cls in self.superclasses(c):
                out |= self.subjects(RDF.type, c)
        return out


# --------------------------------------------------------------- known SPARQL


def _norm_query(text: str) -> str:
    text = re.sub(r"#[^\n]*", "", text)
    return " ".join(text.split())


def _ints(values: set[Node]) -> list[int] | None:
    out = []
    for v in values:
        if not isinstance(v, Literal) or type(v.value) is not int:
            return None
        out.append(v.value)
    return out


def _anchor_matches_text(d: DataIndex, f: Node, path: Node) -> bool:
    begins = _ints(d.objects(f, NIF.beginIndex))
    ends = _ints(d.objects(f, NIF.endIndex))
    values = d.objects(f, path)
    if begins is None or ends is None:
        return not values or not d.objects(f, NIF.referenceContext)
    for article in d.objects(f, NIF.referenceContext):
        for text in d.objects(article, NIF.isString):
            if not isinstance(text, Literal):
                return False
            t = str(text)
            for v in values:
                if not isinstance(v, Literal | URIRef):
                    return False
                for b in begins:
                    for e in ends:
                        if not (0 <= b <= e <= len(t)) or str(v) != t[b:e]:
                            return False
    return True


def _evidence_source(d: DataIndex, f: Node, path: Node) -> bool:
    sources = d.objects(f, PROV.wasDerivedFrom)
    return all(
        a in sources
        for v in d.objects(f, path)
        for a in d.objects(v, NIF.referenceContext)
    )


def _fact_asserted(d: DataIndex, f: Node, path: Node) -> bool:
    for s in d.objects(f, RDF.subject):
        for p in d.objects(f, RDF.predicate):
            if p == DAL.personnelCount:
                continue
            if not isinstance(p, URIRef):
                return False
            for v in d.objects(f, path):
                if not d.has(s, p, v):
                    return False
    return True


_UNSIGNED = re.compile("^[+]?[0-9]+$")


def _count_is_integer(d: DataIndex, f: Node, path: Node) -> bool:
    if DAL.personnelCount not in d.objects(f, RDF.predicate):
        return True
    return all(
        isinstance(v, Literal)
        and v.datatype == XSD.integer
        and _UNSIGNED.search(str(v)) is not None
        for v in d.objects(f, path)
    )


def _sha256_matches(d: DataIndex, f: Node, path: Node) -> bool:
    for text in d.objects(f, NIF.isString):
        digest = hashlib.sha256(str(text).encode("utf-8")).hexdigest()
        if not isinstance(text, Literal | URIRef):
            return False
        for v in d.objects(f, path):
            if str(v) != digest:
                return False
    return True


_Known = Callable[[DataIndex, Node, Node], bool]

#: normalised query text -> a sufficient condition for "no result row" for one
#: focus node; each mirrors the query it is keyed by (shapes/*.ttl).
_KNOWN: dict[str, _Known] = {
    _norm_query(q): fn
    for q, fn in (
        (
            """SELECT $this ?value ?begin ?end ?actual ?length
            WHERE {
                $this $PATH ?value ;
                    nif:referenceContext ?article ;
                    nif:beginIndex ?begin ;
                    nif:endIndex ?end .
                ?article nif:isString ?text .
                BIND (STRLEN(?text) AS ?length)
                BIND (STR(SUBSTR(?text, ?begin + 1, ?end - ?begin)) AS ?actual)
                FILTER (?end > ?length || STR(?value) != ?actual)
            }""",
            _anchor_matches_text,
        ),
        (
            """SELECT $this ?value ?article
            WHERE {
                $this $PATH ?value .
                ?value nif:referenceContext ?article .
                FILTER NOT EXISTS { $this prov:wasDerivedFrom ?article }
            }""",
            _evidence_source,
        ),
        (
            """SELECT $this ?value ?subject ?predicate
            WHERE {
                $this rdf:subject ?subject ;
                    rdf:predicate ?predicate ;
                    $PATH ?value .
                FILTER (?predicate != dal:personnelCount)
                FILTER NOT EXISTS { ?subject ?predicate ?value }
            }""",
            _fact_asserted,
        ),
        (
            """SELECT $this ?value
            WHERE {
                $this rdf:predicate dal:personnelCount ;
                    $PATH ?value .
                FILTER (!isLiteral(?value)
                    || DATATYPE(?value) != xsd:integer
                    || !REGEX(STR(?value), "^[+]?[0-9]+$"))
            }""",
            _count_is_integer,
        ),
        (
            """SELECT $this ?value ?actual
            WHERE {
                $this $PATH ?value ;
                    nif:isString ?text .
                BIND (SHA256(STR(?text)) AS ?actual)
                FILTER (STR(?value) != ?actual)
            }""",
            _sha256_matches,
        ),
    )
}
# The prefixes the known queries are written with (the shapes' sh:declare).
_KNOWN_PREFIXES = {
    "dal": str(DAL),
    "nif": str(NIF),
    "prov": str(PROV),
    "rdf": str(RDF),
    "xsd": str(XSD),
}


# --------------------------------------------------------------------- shapes

_Check = Callable[[DataIndex, Node], bool]  # focus node -> passes


@dataclass
class _Shape:
    node: Node
    targets: list[Callable[[DataIndex], set[Node]]] = field(default_factory=list)
    checks: list[_Check] = field(default_factory=list)


def _number(v: Node) -> Any:
    if isinstance(v, Literal) and type(v.value) in (int, Decimal, float):
        return v.value
    return None


def _comparable(a: Node, b: Node) -> tuple[Any, Any] | None:
    x, y = _number(a), _number(b)
    if x is None or y is None or getattr(a, "datatype", 0) != getattr(b, "datatype", 1):
        return None
    return x, y


class ShapeCheck:
    """Compiled shapes; see the module docstring."""

    def __init__(self, shapes: list[_Shape]) -> None:
        self.shapes = shapes

    @classmethod
    def compile(cls, sg: Graph) -> ShapeCheck | None:
        """Compile ``sg``, or ``None`` if it uses what the pre-check does not model."""
        try:
            return cls(_Compiler(sg).run())
        except UnsupportedError:
            return None

    def suspects(
        self, data: Graph | Iterable[Triple] | DataIndex, focus: set[Node] | None = None
    ) -> list[Node]:
        """Focus nodes that may fail a shape (sorted); ``[]`` means conforming.

        Args:
            data: the data graph (or its triples, or an index of them).
            focus: validate only these focus nodes (as pySHACL's ``focus_nodes``).
        """
        d = data if isinstance(data, DataIndex) else DataIndex(data)
        bad: set[Node] = set()
        for shape in self.shapes:
            nodes: set[Node] = set()
            for target in shape.targets:
                nodes |= target(d)
            if focus is not None:
                nodes &= focus
            for n in nodes - bad:
                if not all(check(d, n) for check in shape.checks):
                    bad.add(n)
        return sorted(bad, key=lambda n: (type(n).__name__, str(n)))


class _Compiler:
    def __init__(self, sg: Graph) -> None:
        self.sg = sg
        self.cache: dict[Node, list[_Check]] = {}

    def run(self) -> list[_Shape]:
        out = []
        for s in sorted(set(self.sg.subjects()), key=str):
            targets = self._targets(s)
            if not targets:
                continue
            if self._deactivated(s):
                continue
            shape = _Shape(s, targets)
            shape.checks = self.checks(s)
            out.append(shape)
        return out

    def _deactivated(self, s: Node) -> bool:
        return any(v == Literal(True) for v in self.sg.objects(s, SH.deactivated))

    def _targets(self, s: Node) -> list[Callable[[DataIndex], set[Node]]]:
        def of_class(c: Node) -> Callable[[DataIndex], set[Node]]:
            return lambda d: d.instances(c)

        def node(n: Node) -> Callable[[DataIndex], set[Node]]:
            return lambda d: {n}

        def subjects_of(p: Node) -> Callable[[DataIndex], set[Node]]:
            return lambda d: {x for x, preds in d.out.items() if preds.get(p)}

        def objects_of(p: Node) -> Callable[[DataIndex], set[Node]]:
            return lambda d: {x for x, preds in d.inv.items() if preds.get(p)}

        out = [of_class(c) for c in self.sg.objects(s, SH.targetClass)]
        out += [node(n) for n in self.sg.objects(s, SH.targetNode)]
        out += [subjects_of(p) for p in self.sg.objects(s, SH.targetSubjectsOf)]
        out += [objects_of(p) for p in self.sg.objects(s, SH.targetObjectsOf)]
        if (s, RDF.type, RDFS.Class) in self.sg and (
            (s, RDF.type, SH.NodeShape) in self.sg
            or (s, RDF.type, SH.PropertyShape) in self.sg
        ):
            out.append(of_class(s))  # implicit class target
        return out

    def checks(self, s: Node) -> list[_Check]:
        """Checks on a focus node of shape ``s`` (node or property shape)."""
        if s in self.cache:
            return self.cache[s]
        self.cache[s] = []  # a recursive shape: treated as passing while compiled
        if self._deactivated(s):
            return []
        for p in set(self.sg.predicates(s)):
            if p not in _INERT and p not in _VALUE:
                raise UnsupportedError(f"{s}: {p}")
        path = self.sg.value(s, SH.path)
        values = self._values(s, path)
        out: list[_Check] = []
        for p, o in self.sg.predicate_objects(s):
            if p in _VALUE:
                out.append(self._component(s, p, o, values, path))
        for prop in self.sg.objects(s, SH.property):
            out.append(self._all(self.checks(prop)))
        self.cache[s] = out
        return out

    @staticmethod
    def _all(checks: list[_Check]) -> _Check:
        return lambda d, f: all(c(d, f) for c in checks)

    def _values(
        self, s: Node, path: Node | None
    ) -> Callable[[DataIndex, Node], set[Node]]:
        if path is None:  # a node shape: the value is the focus node itself

            def itself(d: DataIndex, f: Node) -> set[Node]:
                return {f}

            return itself
        if isinstance(path, URIRef):

            def objects(d: DataIndex, f: Node) -> set[Node]:
                return d.objects(f, path)

            return objects
        inverse = self.sg.value(path, SH.inversePath)
        if not isinstance(inverse, URIRef) or len(set(self.sg.predicates(path))) != 1:
            raise UnsupportedError(f"{s}: path {path}")

        def subjects(d: DataIndex, f: Node) -> set[Node]:
            return d.subjects(inverse, f)

        return subjects

    def _conforms(self, shape: Node) -> _Check:
        def check(d: DataIndex, v: Node) -> bool:
            return all(c(d, v) for c in self.checks(shape))

        return check

    def _list(self, head: Node) -> list[Node]:
        return list(Collection(self.sg, head))

    def _component(
        self,
        s: Node,
        p: Any,
        o: Any,
        values: Callable[[DataIndex, Node], set[Node]],
        path: Node | None,
    ) -> _Check:
        def each(ok: Callable[[DataIndex, Node], bool]) -> _Check:
            return lambda d, f: all(ok(d, v) for v in values(d, f))

        if p == SH.minCount:
            n = int(o)
            return lambda d, f: len(values(d, f)) >= n
        if p == SH.maxCount:
            n = int(o)
            return lambda d, f: len(values(d, f)) <= n
        if p == SH["class"]:
            return each(lambda d, v: not isinstance(v, Literal) and d.is_instance(v, o))
        if p == SH.datatype:
            return each(lambda d, v: _datatype_ok(v, o))
        if p == SH.nodeKind:
            kinds = {
                SH.IRI: (URIRef,),
                SH.BlankNode: (BNode,),
                SH.Literal: (Literal,),
                SH.BlankNodeOrIRI: (BNode, URIRef),
                SH.BlankNodeOrLiteral: (BNode, Literal),
                SH.IRIOrLiteral: (URIRef, Literal),
            }
            if o not in kinds:
                raise UnsupportedError(f"{s}: sh:nodeKind {o}")
            allowed = kinds[o]
            return each(lambda d, v: isinstance(v, allowed))
        if p == SH["in"]:
            members = self._list(o)
            return each(lambda d, v: v in members)
        if p == SH.hasValue:
            return lambda d, f: o in values(d, f)
        if p == SH.pattern:
            if self.sg.value(s, SH.flags) is not None:
                raise UnsupportedError(f"{s}: sh:flags")
            rx = re.compile(str(o))
            return each(
                lambda d, v: not isinstance(v, BNode) and bool(rx.search(str(v)))
            )
        if p in (SH.minLength, SH.maxLength):
            n = int(o)
            if p == SH.minLength:
                return each(lambda d, v: not isinstance(v, BNode) and len(str(v)) >= n)
            return each(lambda d, v: not isinstance(v, BNode) and len(str(v)) <= n)
        if p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            op: Callable[[Any, Any], bool] = {
                SH.minInclusive: lambda x, y: x >= y,
                SH.maxInclusive: lambda x, y: x <= y,
                SH.minExclusive: lambda x, y: x > y,
                SH.maxExclusive: lambda x, y: x < y,
            }[p]

            def in_range(d: DataIndex, v: Node) -> bool:
                pair = _comparable(v, o)
                return pair is not None and op(*pair)

            return each(in_range)
        if p in (SH.lessThan, SH.lessThanOrEquals):
            strict = p == SH.lessThan

            def less(d: DataIndex, f: Node) -> bool:
                for v in values(d, f):
                    for w in d.objects(f, o):
                        pair = _comparable(v, w)
                        if pair is None:
                            return False
                        if not (pair[0] < pair[1] if strict else pair[0] <= pair[1]):
                            return False
                return True

            return less
        if p == SH.node:
            return each(self._conforms(o))
        if p == SH["or"]:
            alts = [self._conforms(x) for x in self._list(o)]
            return each(lambda d, v: any(a(d, v) for a in alts))
        if p == SH["and"]:
            parts = [self._conforms(x) for x in self._list(o)]
            return each(lambda d, v: all(a(d, v) for a in parts))
        if p == SH["not"]:
            # Passing "not S" needs S to fail for sure, which this pre-check
            # cannot promise: suspect every value.
            return each(lambda d, v: False)
        if p == SH.sparql:
            return self._sparql(s, o, path)
        raise UnsupportedError(f"{s}: {p}")  # pragma: no cover - _VALUE covers the rest

    def _sparql(self, s: Node, c: Node, path: Node | None) -> _Check:
        for p in set(self.sg.predicates(c)):
            if p not in _INERT and p not in (SH.select, RDF.type):
                raise UnsupportedError(f"{s}: sh:sparql {p}")
        query = self.sg.value(c, SH.select)
        known = _KNOWN.get(_norm_query(str(query))) if query is not None else None
        if known is None or not isinstance(path, URIRef) or not self._prefixes_ok(c):
            return lambda d, f: False  # unknown query: pySHACL decides
        return lambda d, f: known(d, f, path)

    def _prefixes_ok(self, c: Node) -> bool:
        declared: dict[str, str] = {}
        for src in self.sg.objects(c, SH.prefixes):
            for decl in self.sg.objects(src, SH.declare):
                prefix = self.sg.value(decl, SH.prefix)
                ns = self.sg.value(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    declared[str(prefix)] = str(ns)
        return all(declared.get(k) == v for k, v in _KNOWN_PREFIXES.items())


def _datatype_ok(v: Node, dt: Node) -> bool:
    """pySHACL's DatatypeConstraintComponent, value by value."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual(v, dt)
    if dt == RDFS.Literal:
        return True
    if dt == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and dt == XSD.string:
        return _actual(v, dt)
    if dt == RDF.langString and v.language:
        return _actual(v, dt)
    return False


def _actual(v: Literal, dt: Any) -> bool:
    expected = _PY_TYPE.get(dt)
    if expected is None:
        # pySHACL also checks date, time and dateTime by Python type; other
        # datatypes pass once well-formed.
        import datetime as _dt

        other = {
            XSD.date: _dt.date,
            XSD.time: _dt.time,
            XSD.dateTime: _dt.datetime,
        }.get(dt)
        return other is None or isinstance(v.value, other)
    return isinstance(v.value, expected)
