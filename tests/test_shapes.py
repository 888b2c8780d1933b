"""The SHACL shapes (``shapes/``) and the validation facade (``kg_builder/validate.py``).

Shapes are tested the way pySHACL's DASH tests are: each file in
``tests/fixtures/shapes/`` holds a small data graph and states its expected result
with ``urn:expect#`` triples about ``<urn:test>``::

    <urn:test> expect:conforms false ;
        expect:resultCount 1 ;
        expect:failsShape dal-shapes:MentionShape-anchorText .

The expectation triples are removed before validation. A fixture must fail exactly
the shapes it lists (as ``sh:sourceShape``), so each one also shows that nothing
else in its graph is wrong, and with exactly ``resultCount`` results, so that every
defect it plants is caught.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import SH
from rdflib.term import Node

from kg_builder.errors import UsageError
from kg_builder.namespace import DAL, NIF
from kg_builder.resources import ONTOLOGY_FILE, SHAPES_FILE
from kg_builder.validate import ValidationResult, load_shapes, validate

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))
EXPECT = Namespace("urn:expect#")
TEST = URIRef("urn:test")
DAL_SHAPES = Namespace("https://w3id.org/defense-alliance/shapes#")

#: Every class of the vocabulary that has instances in the graph (dal:Domain has only
#: the five ontology individuals, which the graph refers to but does not describe).
CLASSES = frozenset(
    DAL[name] for name in DAL.__annotations__ if name[0].isupper() and name != "Domain"
) - {DAL.Land, DAL.Sea, DAL.Air, DAL.Space, DAL.Cyberspace}


@dataclass(frozen=True)
class Fixture:
    """One fixture file: its data graph and the result it expects."""

    path: Path
    data: Graph
    conforms: bool
    fails: frozenset[Node]
    result_count: int


def load_fixture(path: Path) -> Fixture:
    graph = Graph().parse(path, format="turtle")
    expected = graph.value(TEST, EXPECT.conforms)
    assert isinstance(expected, Literal), f"{path.name}: no expect:conforms"
    fails = frozenset(graph.objects(TEST, EXPECT.failsShape))
    count = graph.value(TEST, EXPECT.resultCount, default=Literal(0))
    for triple in list(graph):
        if triple[0] == TEST or str(triple[1]).startswith(str(EXPECT)):
            graph.remove(triple)
    return Fixture(path, graph, bool(expected.toPython()), fails, int(count))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def fixtures() -> list[Fixture]:
    return [load_fixture(path) for path in FIXTURE_FILES]


def _names(nodes: frozenset[Node]) -> list[str]:
    return sorted(str(n).removeprefix(str(DAL_SHAPES)) for n in nodes)


def _node_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.subjects(SH.targetClass, None))


def _property_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.objects(None, SH.property))


# ---------------------------------------------------------------------------------------
# The fixtures


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    fixture = load_fixture(path)
    result = validate(fixture.data)
    assert result.conforms is fixture.conforms, result.text
    failed = result.source_shapes()
    assert failed == fixture.fails, (
        f"expected to fail {_names(fixture.fails)}\n"
        f"but failed {_names(failed)}\n{result.text}"
    )
    assert len(list(_results(result))) == fixture.result_count, result.text


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_messages_come_from_the_shapes(path: Path, shapes: Graph) -> None:
    """Every result carries the sh:message of the shape (or SPARQL constraint)
    that produced it, not pySHACL's generic text."""
    result = validate(load_fixture(path).data)
    for node in result.report.objects(None, SH.result):
        messages = set(result.report.objects(node, SH.resultMessage))
        constraint = result.report.value(node, SH.sourceConstraint)
        if constraint is not None:  # sh:sparql: the message is a filled-in template
            assert messages and all("{" not in m for m in messages), messages
            continue
        shape = result.report.value(node, SH.sourceShape)
        assert messages <= set(shapes.objects(shape, SH.message)), (shape, messages)
        assert messages, f"{shape} reported without a message"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_prepared_queries_change_no_result(path: Path) -> None:
    """validate() parses each SPARQL constraint once; plain pySHACL on the same
    graph must give the very same report."""
    data = load_fixture(path).data
    ours = validate(data)
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=load_shapes(), inference="none", allow_warnings=True
    )
    assert ours.conforms is conforms
    if not isomorphic(ours.report, report):
        _, only_ours, only_plain = graph_diff(
            to_isomorphic(ours.report), to_isomorphic(report)
        )
        pytest.fail(
            "reports differ\nonly ours:\n"
            + only_ours.serialize(format="turtle")
            + "\nonly plain pySHACL:\n"
            + only_plain.serialize(format="turtle")
        )


def test_every_node_shape_has_a_failing_fixture(
    shapes: Graph, fixtures: list[Fixture]
) -> None:
    failed = frozenset().union(*(f.fails for f in fixtures))
    untested = {
        shape
        for shape in _node_shapes(shapes)
        if shape not in failed and not set(shapes.objects(shape, SH.property)) & failed
    }
    assert not untested, f"no fixture fails {_names(frozenset(untested))}"


def test_every_property_shape_has_a_failing_fixture(
    shapes: Graph, fixtures: list[Fixture]
) -> None:
    failed = frozenset().union(*(f.fails for f in fixtures))
    untested = _property_shapes(shapes) - failed
    assert not untested, f"no fixture fails {_names(frozenset(untested))}"


def test_every_node_shape_fails_on_its_own_constraint(
    shapes: Graph, fixtures: list[Fixture]
) -> None:
    failed = frozenset().union(*(f.fails for f in fixtures))
    assert _node_shapes(shapes) - {DAL_SHAPES.EntityShape} <= failed


def test_fixtures_name_only_existing_shapes(
    shapes: Graph, fixtures: list[Fixture]
) -> None:
    known = _node_shapes(shapes) | _property_shapes(shapes)
    for fixture in fixtures:
        assert fixture.fails <= known, (fixture.path.name, _names(fixture.fails))
        assert fixture.conforms is not bool(fixture.fails), fixture.path.name


def test_complete_fixture_has_every_class_and_relation() -> None:
    data = load_fixture(FIXTURES / "valid-complete.ttl").data
    assert set(data.objects(None, RDF.type)) >= CLASSES
    relations = {
        DAL.holdsPosition,
        DAL.ofCountry,
        DAL.reorganizedInto,
        DAL.stationedAt,
        DAL.locatedIn,
        DAL.partyTo,
        DAL.hasArticle,
        DAL.coversDomain,
        DAL.mentions,
    }
    assert relations <= set(data.predicates())
    assert DAL.personnelCount in set(data.objects(None, RDF.predicate))


# ---------------------------------------------------------------------------------------
# The shapes file itself


def test_shapes_target_every_class(shapes: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    assert targeted == CLASSES
    for cls in CLASSES:
        own = [
            s
            for s in shapes.subjects(SH.targetClass, cls)
            if s != DAL_SHAPES.EntityShape
        ]
        assert own == [DAL_SHAPES[cls.fragment + "Shape"]], cls


def test_shapes_use_only_vocabulary_terms(shapes: Graph) -> None:
    """A misspelt dal: term in a shape would silently match nothing."""
    declared = {str(DAL[name]) for name in DAL.__annotations__}
    used = {
        str(term)
        for triple in shapes
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(str(DAL._NS))
    }
    assert used <= declared, sorted(used - declared)


def test_shapes_are_named_and_documented(shapes: Graph) -> None:
    for shape in _node_shapes(shapes) | _property_shapes(shapes):
        assert isinstance(shape, URIRef), f"unnamed shape {shape}"
        assert shapes.value(shape, SH.name) is not None, shape
        assert shapes.value(shape, SH.description) is not None, shape
        has_message = shapes.value(shape, SH.message) is not None or all(
            shapes.value(c, SH.message) is not None
            for c in shapes.objects(shape, SH.sparql)
        )
        assert has_message, f"{shape} has no sh:message"


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    """pySHACL checks the shapes against SHACL-SHACL and raises if they fail."""
    conforms, _, _ = pyshacl.validate(
        Graph(), shacl_graph=shapes, meta_shacl=True, inference="none"
    )
    assert conforms


def test_place_subclasses_agree_with_the_ontology(shapes: Graph) -> None:
    """PlaceOrSubclassShape spells out the subclasses of dal:Place; keep it in
    step with the ontology."""
    if not ONTOLOGY_FILE.is_file() or ONTOLOGY_FILE.stat().st_size == 0:
        pytest.skip(f"{ONTOLOGY_FILE} not written yet")
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    subclasses = set(ontology.transitive_subjects(RDFS.subClassOf, DAL.Place))
    members = Collection(
        shapes, shapes.value(DAL_SHAPES.PlaceOrSubclassShape, SH["or"])
    )
    in_shape = {shapes.value(member, SH["class"]) for member in members}
    assert in_shape == subclasses


# ---------------------------------------------------------------------------------------
# The facade


def _minimal() -> Graph:
    return load_fixture(FIXTURES / "valid-minimal.ttl").data


def test_empty_graph_conforms() -> None:
    result = validate(Graph())
    assert result.conforms
    assert result.source_shapes() == frozenset()
    assert "Conforms: True" in result.text


def test_result_is_frozen() -> None:
    result = validate(Graph())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.conforms = False  # type: ignore[misc]


def test_validate_does_not_change_the_data() -> None:
    data = load_fixture(FIXTURES / "mention-anchor-mismatch.ttl").data
    before = Graph()
    for triple in data:
        before.add(triple)
    assert not validate(data).conforms
    assert isomorphic(data, before)


def test_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    """graph.trig keeps entities in the default graph and mentions in per-article
    graphs; an entity's mentions are found across them."""
    dataset = Dataset()
    for s, p, o in _minimal():
        is_mention = (s, RDF.type, DAL.Mention) in _minimal()
        if is_mention:
            article = _minimal().value(s, NIF.referenceContext)
            dataset.graph(article).add((s, p, o))
        else:
            dataset.default_graph.add((s, p, o))
    assert validate(dataset).conforms
    default_only = validate(dataset.default_graph)
    assert default_only.source_shapes() == {DAL_SHAPES["EntityShape-mention"]}


def test_anchor_message_quotes_the_text() -> None:
    result = validate(load_fixture(FIXTURES / "mention-anchor-mismatch.ttl").data)
    (message,) = {
        str(m)
        for r in result.report.subjects(
            SH.sourceShape, DAL_SHAPES["MentionShape-anchorText"]
        )
        for m in result.report.objects(r, SH.resultMessage)
    }
    assert "Antony Blinkn" in message
    assert "Antony Blinken" in message
    assert "[22, 36)" in message


WARNING_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dal: <https://w3id.org/defense-alliance/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<urn:shape> a sh:NodeShape ;
    sh:targetClass dal:Country ;
    sh:property [ sh:path owl:sameAs ; sh:minCount 1 ; sh:severity sh:Warning ] .
"""


def test_warnings_are_reported_but_do_not_fail() -> None:
    result = validate(_minimal(), Graph().parse(data=WARNING_SHAPES, format="turtle"))
    assert result.conforms
    assert set(result.report.objects(None, SH.resultSeverity)) == {SH.Warning}


def test_shapes_argument_replaces_the_default() -> None:
    shapes = Graph().parse(data=WARNING_SHAPES, format="turtle")
    result = validate(
        load_fixture(FIXTURES / "mention-anchor-mismatch.ttl").data, shapes
    )
    assert result.conforms


BROKEN_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dal: <https://w3id.org/defense-alliance/ontology#> .
<urn:shape> a sh:NodeShape ;
    sh:targetClass dal:Country ;
    sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o . VALUES ?x { 1 } }" ] .
"""


def test_unusable_shapes_raise_usage_error() -> None:
    shapes = Graph().parse(data=BROKEN_SHAPES, format="turtle")
    with pytest.raises(UsageError, match="VALUES"):
        validate(_minimal(), shapes)


def test_unparsable_query_raises_usage_error() -> None:
    broken = BROKEN_SHAPES.replace(" . VALUES ?x { 1 } }", "")
    shapes = Graph().parse(data=broken, format="turtle")
    with pytest.raises(UsageError, match="does not parse"):
        validate(_minimal(), shapes)


def test_load_shapes_default_and_fresh() -> None:
    first = load_shapes()
    assert (DAL_SHAPES.MentionShape, SH.targetClass, DAL.Mention) in first
    first.remove((None, None, None))
    assert len(load_shapes(SHAPES_FILE)) > 0
    assert validate(
        load_fixture(FIXTURES / "mention-anchor-mismatch.ttl").data
    ).source_shapes()


def test_load_shapes_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot load the SHACL shapes"):
        load_shapes(tmp_path / "nope.ttl")


def test_load_shapes_bad_turtle(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(UsageError, match=str(bad.name)):
        load_shapes(bad)


def _results(result: ValidationResult) -> Iterator[Node]:
    yield from result.report.objects(None, SH.result)


def test_blank_node_focus_is_reported() -> None:
    data = Graph()
    data.add((BNode(), RDF.type, DAL.Mention))
    result = validate(data)
    assert not result.conforms
    assert DAL_SHAPES.MentionShape in result.source_shapes()
    assert len(list(_results(result))) == 6
