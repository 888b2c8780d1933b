"""Tests for ontology/defense-alliance.ttl and kg_builder/ontology.py.

The structural tests read the Turtle with rdflib and are instant. The reasoner tests
run HermiT on Java, about a second each, so there are only a few of them: the ontology
alone, then one per fixture under ``tests/fixtures/ontology/`` (a file named
``consistent-*.ttl`` must be consistent with the ontology, ``inconsistent-*.ttl``
must not be).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import owlready2
import pytest
from rdflib import DCTERMS, OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, XSD
from rdflib.term import Node

from kg_builder.namespace import DAL, NIF, ONTOLOGY_IRI, SCHEMA
from kg_builder.ontology import (
    check_consistency,
    load_ontology,
    reason,
    to_rdfxml,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"
ORG = "http://www.w3.org/ns/org#"
#: The dal: namespace as a plain string: ``iri in DAL`` only knows declared terms.
DAL_NS = str(DAL)

requires_java = pytest.mark.skipif(
    shutil.which(owlready2.JAVA_EXE) is None, reason="HermiT needs a java executable"
)

#: Every term of the closed namespace (its ``dir()`` lists full IRIs).
DAL_TERMS = frozenset(URIRef(term) for term in dir(DAL))
CLASSES = {
    DAL.Official,
    DAL.MilitaryUnit,
    DAL.MilitaryBase,
    DAL.Island,
    DAL.Treaty,
    DAL.TreatyArticle,
    DAL.Country,
    DAL.Organization,
    DAL.Place,
    DAL.Position,
    DAL.Equipment,
    DAL.Domain,
    DAL.SourceArticle,
    DAL.Mention,
    DAL.Assertion,
    DAL.Evidence,
    DAL.ExtractionRun,
}
DOMAINS = {DAL.Land, DAL.Sea, DAL.Air, DAL.Space, DAL.Cyberspace}

#: property -> (domain classes, range), the contract of DESIGN.md and the brief.
SIGNATURES: dict[URIRef, tuple[set[URIRef], URIRef]] = {
    DAL.holdsPosition: ({DAL.Official}, DAL.Position),
    DAL.ofCountry: (
        {DAL.Position, DAL.Official, DAL.MilitaryUnit, DAL.MilitaryBase},
        DAL.Country,
    ),
    DAL.reorganizedInto: ({DAL.MilitaryUnit}, DAL.MilitaryUnit),
    DAL.stationedAt: ({DAL.MilitaryUnit}, DAL.Place),
    DAL.locatedIn: ({DAL.Place}, DAL.Place),
    DAL.partyTo: ({DAL.Country}, DAL.Treaty),
    DAL.hasArticle: ({DAL.Treaty}, DAL.TreatyArticle),
    DAL.coversDomain: ({DAL.Treaty, DAL.TreatyArticle}, DAL.Domain),
    DAL.mentions: ({DAL.SourceArticle}, OWL.Thing),
    DAL.evidence: ({DAL.Assertion}, DAL.Evidence),
    DAL.personnelOf: ({DAL.Assertion}, DAL.Country),
    DAL.personnelCount: ({DAL.MilitaryUnit, DAL.Place}, XSD.integer),
    DAL.personnelCategory: ({DAL.Assertion}, XSD.string),
    DAL.qualifier: ({DAL.Assertion}, XSD.string),
    DAL.minimumValue: ({DAL.Assertion}, XSD.integer),
    DAL.maximumValue: ({DAL.Assertion}, XSD.integer),
    DAL.articleNumber: ({DAL.TreatyArticle}, XSD.integer),
    DAL.confidence: ({DAL.Assertion}, XSD.decimal),
    DAL.rule: ({DAL.Mention, DAL.Assertion}, XSD.string),
    DAL.sha256: ({DAL.SourceArticle}, XSD.string),
    DAL.machineTranslated: ({DAL.SourceArticle}, XSD.boolean),
    DAL.toolVersion: ({DAL.ExtractionRun}, XSD.string),
    DAL.modelName: ({DAL.ExtractionRun}, XSD.string),
    DAL.modelVersion: ({DAL.ExtractionRun}, XSD.string),
}
OBJECT_PROPERTIES = {
    p for p, (_, rng) in SIGNATURES.items() if not rng.startswith(str(XSD))
}
DATATYPE_PROPERTIES = set(SIGNATURES) - OBJECT_PROPERTIES

#: class -> the W3C / schema.org classes it must stay a subclass of.
ALIGNMENTS: dict[URIRef, set[URIRef]] = {
    DAL.Official: {PROV.Person, SCHEMA.Person},
    DAL.MilitaryUnit: {URIRef(ORG + "Organization")},
    DAL.MilitaryBase: {DAL.Place},
    DAL.Island: {DAL.Place},
    DAL.Treaty: {SCHEMA.Legislation},
    DAL.Country: {DAL.Place},
    DAL.Organization: {URIRef(ORG + "Organization")},
    DAL.Place: {SCHEMA.Place},
    DAL.Position: {URIRef(ORG + "Post")},
    DAL.SourceArticle: {PROV.Entity, SCHEMA.NewsArticle, NIF.Context},
    DAL.Mention: {NIF.Phrase},
    DAL.Evidence: {NIF.Sentence},
    DAL.Assertion: {RDF.Statement},
    DAL.ExtractionRun: {PROV.Activity},
}

KINDS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


def _declared_dal_terms(graph: Graph) -> dict[URIRef, set[Node]]:
    """Map every dal: IRI declared in ``graph`` to its OWL declaration types."""
    declared: dict[URIRef, set[Node]] = {}
    for subject, kind in graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and subject.startswith(DAL_NS) and kind in KINDS:
            declared.setdefault(subject, set()).add(kind)
    return declared


def _class_set(graph: Graph, node: Node) -> set[Node]:
    """A named class, or the members of an owl:unionOf class expression."""
    union = graph.value(node, OWL.unionOf)
    if union is None:
        return {node}
    return set(Collection(graph, union))


def _fixtures() -> list[object]:
    """One param per fixture file; its name states the expected result."""
    params: list[object] = []
    for path in sorted(FIXTURES.glob("*.ttl")):
        expected = path.name.startswith("consistent-")
        assert expected or path.name.startswith("inconsistent-"), path.name
        params.append(pytest.param(path, expected, id=path.stem))
    return params


# Structure (rdflib only) ---------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    for annotation in (DCTERMS.title, DCTERMS.description, RDFS.comment):
        value = ontology.value(ONTOLOGY_IRI, annotation)
        assert isinstance(value, Literal) and value.language == "en", annotation
    assert isinstance(ontology.value(ONTOLOGY_IRI, DCTERMS.license), URIRef)


def test_ontology_declares_exactly_the_namespace_terms(ontology: Graph) -> None:
    declared = set(_declared_dal_terms(ontology))
    assert declared == DAL_TERMS, (
        f"only in namespace.py: {sorted(DAL_TERMS - declared)}; "
        f"only in the ontology: {sorted(declared - DAL_TERMS)}"
    )


def test_no_undeclared_dal_iri_is_used(ontology: Graph) -> None:
    used = {
        node
        for triple in ontology
        for node in triple
        if isinstance(node, URIRef) and node.startswith(DAL_NS)
    }
    assert used <= DAL_TERMS, sorted(used - DAL_TERMS)


def test_every_term_has_exactly_one_kind(ontology: Graph) -> None:
    kinds = _declared_dal_terms(ontology)
    assert {t for t, k in kinds.items() if k == {OWL.Class}} == CLASSES
    assert {t for t, k in kinds.items() if k == {OWL.ObjectProperty}} == (
        OBJECT_PROPERTIES
    )
    assert {t for t, k in kinds.items() if k == {OWL.DatatypeProperty}} == (
        DATATYPE_PROPERTIES
    )
    assert {t for t, k in kinds.items() if k == {OWL.NamedIndividual}} == DOMAINS


@pytest.mark.parametrize("term", sorted(DAL_TERMS), ids=lambda t: t.split("#")[1])
def test_every_term_has_english_label_and_comment(
    ontology: Graph, term: URIRef
) -> None:
    for annotation in (RDFS.label, RDFS.comment):
        values = list(ontology.objects(term, annotation))
        assert len(values) == 1, f"{term} needs one {annotation}"
        assert isinstance(values[0], Literal) and values[0].language == "en"


@pytest.mark.parametrize("prop", sorted(SIGNATURES), ids=lambda p: p.split("#")[1])
def test_property_domain_and_range(ontology: Graph, prop: URIRef) -> None:
    expected_domain, expected_range = SIGNATURES[prop]
    domains = list(ontology.objects(prop, RDFS.domain))
    ranges = list(ontology.objects(prop, RDFS.range))
    assert len(domains) == 1 and len(ranges) == 1, prop
    assert _class_set(ontology, domains[0]) == expected_domain
    assert ranges[0] == expected_range


def test_located_in_is_transitive(ontology: Graph) -> None:
    assert (DAL.locatedIn, RDF.type, OWL.TransitiveProperty) in ontology


def test_personnel_count_is_documented_as_assertion_only(ontology: Graph) -> None:
    comment = str(ontology.value(DAL.personnelCount, RDFS.comment))
    assert "rdf:predicate" in comment and "dal:Assertion" in comment


@pytest.mark.parametrize("cls", sorted(ALIGNMENTS), ids=lambda c: c.split("#")[1])
def test_alignment_by_subclassing(ontology: Graph, cls: URIRef) -> None:
    parents = set(ontology.objects(cls, RDFS.subClassOf))
    assert ALIGNMENTS[cls] <= parents
    for parent in parents:
        # Declared locally so that a DL reasoner needs no owl:imports.
        assert (parent, RDF.type, OWL.Class) in ontology, parent
    assert not set(ontology.objects(cls, OWL.equivalentClass))


def test_domains_are_distinct_individuals(ontology: Graph) -> None:
    assert set(ontology.subjects(RDF.type, DAL.Domain)) == DOMAINS
    groups = [
        set(Collection(ontology, members))
        for node in ontology.subjects(RDF.type, OWL.AllDifferent)
        for members in ontology.objects(node, OWL.distinctMembers)
    ]
    assert DOMAINS in groups


def test_unknown_term_raises() -> None:
    with pytest.raises(AttributeError, match="Offical"):
        _ = DAL.Offical


def test_owlready2_loads_the_rdfxml_conversion(ontology: Graph, tmp_path: Path) -> None:
    path = tmp_path / "defense-alliance.owl"
    to_rdfxml(ontology, path)
    world = owlready2.World()
    try:
        onto = world.get_ontology(path.as_uri()).load()
        assert onto.base_iri == DAL_NS
        assert {URIRef(c.iri) for c in onto.classes()} & DAL_TERMS == CLASSES
        assert {URIRef(p.iri) for p in onto.object_properties()} == (OBJECT_PROPERTIES)
        assert {URIRef(p.iri) for p in onto.data_properties()} == (DATATYPE_PROPERTIES)
        domain = world[str(DAL.Domain)]
        assert {URIRef(i.iri) for i in domain.instances()} == DOMAINS
    finally:
        world.close()


# Reasoning (HermiT on Java) --------------------------------------------------


@requires_java
def test_ontology_is_consistent_and_every_class_satisfiable() -> None:
    result = reason()
    assert result.consistent
    assert result.unsatisfiable == ()


@requires_java
@pytest.mark.parametrize(("path", "expected"), _fixtures())
def test_fixture_consistency(path: Path, expected: bool) -> None:
    assert check_consistency(Graph().parse(path)) is expected


@requires_java
def test_inconsistent_check_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # owlready2 deletes its dump for HermiT only when HermiT succeeds.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    clash = Graph()
    clash.add((URIRef("https://example.org/x"), RDF.type, DAL.Domain))
    clash.add((URIRef("https://example.org/x"), RDF.type, DAL.Place))
    assert check_consistency(clash) is False
    assert list(tmp_path.iterdir()) == []
