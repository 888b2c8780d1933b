"""Check a graph against the project's SHACL shapes (``shapes/``).

A facade over :func:`pyshacl.validate`, shaped like it: it returns the outcome, the
report graph and the report text, and leaves printing and exit codes to the CLI.

>>> from rdflib import Graph
>>> validate(Graph()).conforms
True

Two choices made here, so that every caller gets them:

* Validation runs on the data exactly as given: ``inference="none"`` and no
  ontology mixed in. The shapes spell out subclasses where they need them (see
  ``dal-shapes:PlaceOrSubclassShape``), which keeps validation fast and the result
  independent of any reasoner.
* A dataset (``graph.trig``) is validated as the union of its graphs, because an
  entity is described in the default graph and mentioned in the per-article ones.

pySHACL runs each SPARQL-based constraint (``sh:sparql``) once per focus node and
hands rdflib the query as a string, which rdflib parses again every time: parsing
is ~97% of the cost, 20-40 ms a query. The data graph is therefore wrapped in
:class:`_PreparedQueryGraph`, which parses each distinct query string once. On a
graph of 5,000 mentions and 1,000 assertions (44k triples) that takes validation
from about 250 s to about 17 s; it changes nothing else (the wrapper shares the
caller's store and only reads it), and ``tests/test_shapes.py`` checks that the
reports are identical. pySHACL can also validate a pyoxigraph ``Store`` directly,
which is faster still, but Oxigraph stores literals in canonical form
(``"5"^^xsd:nonNegativeInteger`` comes back as ``xsd:integer``), so
``sh:datatype`` would no longer see what was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import pyshacl
from pyparsing import ParseBaseException
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, BNode, Graph, Literal
from rdflib.compare import to_isomorphic
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.plugins.stores.memory import Memory
from rdflib.query import Result
from rdflib.term import Node

from kg_builder.errors import UsageError
from kg_builder.resources import SHAPES_FILE
from kg_builder.shapecheck import ShapeCheck

__all__ = [
    "ValidationResult",
    "load_shapes",
    "merge_results",
    "validate",
    "validate_part",
]


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The outcome of :func:`validate`, as pySHACL gives it.

    Attributes:
        conforms: whether the data graph conforms to the shapes. Results of
            severity ``sh:Warning`` or ``sh:Info`` are reported but do not make it
            ``False``.
        report: the SHACL validation report (an ``sh:ValidationReport`` and its
            ``sh:result`` nodes), ready to be written as ``validation.ttl``.
        text: the same report in pySHACL's human-readable form.
    """

    conforms: bool
    report: Graph
    text: str

    def source_shapes(self) -> frozenset[Node]:
        """The shapes named as ``sh:sourceShape`` by at least one result.

        Property shapes in the project's shapes file have IRIs
        (``dal-shapes:MentionShape-anchorText``), so this says which rule failed.
        Only top-level results count, not the ``sh:detail`` pySHACL nests in them
        (e.g. the ``sh:or`` behind a failed ``sh:node``).
        """
        return frozenset(
            shape
            for result in self.report.objects(None, SH.result)
            for shape in self.report.objects(result, SH.sourceShape)
        )


def load_shapes(path: str | Path | None = None) -> Graph:
    """Parse a SHACL shapes file (Turtle) into a new graph.

    Args:
        path: the shapes file; the project's ``shapes/defense-alliance.shapes.ttl``
            when omitted.

    Returns:
        A fresh graph the caller may change; :func:`validate` keeps its own copy
        of the default shapes.

    Raises:
        UsageError: the file cannot be read or is not valid Turtle.
    """
    source = Path(path) if path is not None else SHAPES_FILE
    try:
        return Graph().parse(source, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise UsageError(
            f"{source}: cannot load the SHACL shapes ({exc}); "
            "pass a readable Turtle file of shapes"
        ) from exc


@lru_cache(maxsize=1)
def _default_shapes() -> Graph:
    return load_shapes()


def validate(
    data: Graph,
    shapes: Graph | None = None,
    *,
    focus_nodes: Iterable[Node] | None = None,
) -> ValidationResult:
    """Validate ``data`` against SHACL shapes.

    Args:
        data: the graph to check. A :class:`rdflib.Dataset` (or
            ``ConjunctiveGraph``) is checked as the union of its graphs. It is
            not modified.
        shapes: the shapes graph; the project's shapes (parsed once, then
            cached) when omitted.
        focus_nodes: validate only these of the nodes the shapes target
            (pySHACL's ``focus_nodes``); all when omitted.

    Returns:
        Whether ``data`` conforms, with the report as a graph and as text.

    Raises:
        UsageError: the shapes cannot be used (a malformed constraint, or an
            ``sh:select`` query that does not parse or is not allowed); the
            message carries pySHACL's or the SPARQL parser's explanation.

    >>> from rdflib import BNode, Graph, RDF
    >>> from kg_builder.namespace import DAL
    >>> g = Graph()
    >>> _ = g.add((BNode(), RDF.type, DAL.Mention))
    >>> result = validate(g)
    >>> result.conforms
    False
    """
    shapes_graph = _default_shapes() if shapes is None else shapes
    try:
        conforms, report, text = pyshacl.validate(
            _PreparedQueryGraph.over(data),
            shacl_graph=shapes_graph,
            # The data as written: no RDFS/OWL entailment, no ontology mixed in.
            inference="none",
            # sh:sparql constraints are core SHACL-SPARQL; "advanced" only adds
            # SHACL-AF rules and functions, and would make pySHACL copy the graph.
            advanced=False,
            # Warnings and infos are reported, but only violations fail a build.
            allow_warnings=True,
            focus_nodes=cast(Any, list(focus_nodes))
            if focus_nodes is not None
            else None,
        )
    except ReportableRuntimeError as exc:
        raise UsageError(f"the SHACL shapes cannot be used: {exc}") from exc
    except ParseBaseException as exc:
        raise UsageError(
            "the SHACL shapes cannot be used: an sh:select query does not parse "
            f"({exc}; in line {exc.line!r})"
        ) from exc
    if not isinstance(report, Graph):
        # pySHACL returns a ValidationFailure instead of a report when a shape
        # cannot be evaluated at all.
        raise UsageError(f"the SHACL shapes cannot be used: {text}")
    return ValidationResult(conforms=bool(conforms), report=report, text=str(text))


@lru_cache(maxsize=1)
def _default_check() -> ShapeCheck | None:
    return ShapeCheck.compile(_default_shapes())


@lru_cache(maxsize=1)
def _conforming() -> ValidationResult:
    # pySHACL's own report for data with no result, so that a build whose parts
    # all pass writes the same validation.ttl as one pass over everything.
    return validate(Graph())


def validate_part(
    triples: Iterable[tuple[Node, Node, Node]],
    *,
    focus_nodes: Iterable[Node] | None = None,
) -> ValidationResult:
    """Validate one part of a large graph against the project's shapes.

    The part is checked first by :class:`kg_builder.shapecheck.ShapeCheck`, which
    is fast and conservative; only a part it suspects (or any part, when the
    shapes use what it does not model) goes through :func:`validate`, so the
    result is always pySHACL's.

    The pipeline validates each article's named graph with its metadata and the
    descriptions of the entities it mentions, then the entity layer and the run
    once (with ``focus_nodes``: the run, and entities no article mentions), and
    merges the results (:func:`merge_results`). Every constraint in the shapes
    looks only at a node, its values and their types, and, for an entity, the
    mentions pointing at it, so that is the same as validating the union, as
    long as every mention of an entity is in some article's part (which
    :mod:`kg_builder.graph` guarantees). ``tests/test_pipeline.py`` plants
    violations and checks they are still caught.

    Args:
        triples: the part's triples.
        focus_nodes: as for :func:`validate`.

    Returns:
        The result for this part.
    """
    triples = list(triples)
    focus = set(focus_nodes) if focus_nodes is not None else None
    check = _default_check()
    if check is not None and not check.suspects(triples, focus):
        return _conforming()
    g = Graph()
    for t in triples:
        g.add(t)
    return validate(g, focus_nodes=focus)


def merge_results(results: Iterable[ValidationResult]) -> ValidationResult:
    """One result for several parts: conforms if all do; every result once.

    Results are deduplicated (an entity described in two articles' parts is
    reported once), and blank nodes of different reports are kept apart.
    """
    results = list(results)
    if all(r is _conforming() for r in results):
        return _conforming()
    report = Graph()
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    conforms = all(r.conforms for r in results)
    report.add((node, SH.conforms, Literal(conforms)))
    seen: set[str] = set()
    texts: list[str] = []
    for r in results:
        for result in r.report.objects(None, SH.result):
            sub = Graph()
            todo, done = [result], set()
            while todo:
                n = todo.pop()
                done.add(n)
                for p, o in r.report.predicate_objects(n):
                    sub.add((n, p, o))
                    if isinstance(o, BNode) and o not in done:
                        todo.append(o)
            key = to_isomorphic(sub).graph_digest()
            if str(key) in seen:
                continue
            seen.add(str(key))
            report.add((node, SH.result, result))
            for t in sub:
                report.add(t)
        head, _, rest = r.text.partition(":\n")
        if rest and "Results" in head and rest not in texts:
            texts.append(rest)
    text = f"Validation Report\nConforms: {conforms}\n"
    if texts:
        text += f"Results ({len(seen)}):\n" + "".join(texts)
    return ValidationResult(conforms=conforms, report=report, text=text)


@lru_cache(maxsize=256)
def _prepare(query: str) -> Query:
    return prepareQuery(query)


class _PreparedQueryGraph(Graph):
    """A read view of a graph whose string queries are parsed once and reused.

    Only what pySHACL needs: the query text it builds per focus node is the same
    for every focus node of a constraint (``$this`` arrives as a binding), so a
    small cache of prepared queries serves a whole validation.
    """

    @classmethod
    def over(cls, data: Graph) -> _PreparedQueryGraph:
        """A view of ``data``, sharing its store when that is safe."""
        if not isinstance(data, ConjunctiveGraph | Dataset) and isinstance(
            data.store, Memory
        ):
            return cls(store=data.store, identifier=data.identifier)
        # A dataset is flattened into one graph: its union is what is validated.
        # Other stores may answer queries themselves and not take prepared ones.
        view = cls()
        triples = (
            ((s, p, o) for s, p, o, _ in data.quads())
            if isinstance(data, ConjunctiveGraph | Dataset)
            else data.triples((None, None, None))
        )
        for triple in triples:
            view.add(triple)
        return view

    def query(  # type: ignore[override]
        self, query_object: str | Query, *args: Any, **kwargs: Any
    ) -> Result:
        if isinstance(query_object, str):
            query_object = _prepare(query_object)
        return super().query(query_object, *args, **kwargs)
