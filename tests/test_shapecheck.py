"""The fast pre-check of the shapes (``kg_builder/shapecheck.py``).

It must never let through what pySHACL rejects: on every shape fixture (one per
way of failing, see ``tests/test_shapes.py``) each focus node pySHACL reports is
a suspect, and on the valid fixtures nothing is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from kg_builder.namespace import DAL, NIF
from kg_builder.shapecheck import ShapeCheck
from kg_builder.validate import load_shapes, validate, validate_part
from tests.test_shapes import FIXTURE_FILES, load_fixture


@pytest.fixture(scope="module")
def check() -> ShapeCheck:
    compiled = ShapeCheck.compile(load_shapes())
    assert compiled is not None, "the project's shapes should all be modelled"
    return compiled


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_suspects_every_node_pyshacl_reports(check: ShapeCheck, path: Path) -> None:
    fixture = load_fixture(path)
    result = validate(fixture.data)
    reported = {
        result.report.value(r, SH.focusNode)
        for r in result.report.objects(None, SH.result)
    }
    suspects = set(check.suspects(fixture.data))
    assert reported <= suspects
    assert bool(suspects) == bool(reported)  # and no false alarm on valid data


def test_focus_nodes_restrict_the_check(check: ShapeCheck) -> None:
    g = Graph()
    a, b = URIRef("urn:x:a"), URIRef("urn:x:b")
    for m in (a, b):
        g.add((m, RDF.type, DAL.Mention))  # no offsets, no anchor: invalid
    assert check.suspects(g) == [a, b]
    assert check.suspects(g, focus={b}) == [b]


def test_unknown_sparql_queries_leave_it_to_pyshacl(check: ShapeCheck) -> None:
    shapes = load_shapes()
    for constraint in list(shapes.subjects(SH.select, None)):
        query = shapes.value(constraint, SH.select)
        shapes.set((constraint, SH.select, Literal(str(query) + "\n# changed")))
    # A comment does not change what a query means...
    assert ShapeCheck.compile(shapes) is not None
    for constraint in list(shapes.subjects(SH.select, None)):
        query = shapes.value(constraint, SH.select)
        shapes.set((constraint, SH.select, Literal(str(query).replace("?", "?x_"))))
    # ...but another query is not known: every focus node it applies to is suspect.
    other = ShapeCheck.compile(shapes)
    assert other is not None
    fixture = load_fixture(Path(__file__).parent / "fixtures/shapes/valid-complete.ttl")
    assert other.suspects(fixture.data) and not check.suspects(fixture.data)


def test_shapes_it_does_not_model_fall_back_to_pyshacl() -> None:
    shapes = load_shapes()
    shape = next(shapes.subjects(SH.targetClass, DAL.Mention))
    shapes.add((shape, SH.closed, Literal(True)))
    assert ShapeCheck.compile(shapes) is None


def test_validate_part_is_pyshacl_when_suspected() -> None:
    g = [
        (BNode(), RDF.type, DAL.Mention),
        (URIRef("urn:x"), NIF.anchorOf, Literal("x")),
    ]
    part = validate_part(g)
    whole = validate(_graph(g))
    assert part.conforms is whole.conforms is False
    assert len(list(part.report.objects(None, SH.result))) == len(
        list(whole.report.objects(None, SH.result))
    )


def _graph(triples: list[tuple[BNode | URIRef, URIRef, URIRef | Literal]]) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g
