"""Every IRI the project writes, in one place.

``DAL`` is a closed :class:`rdflib.namespace.DefinedNamespace`: a misspelt term
raises ``AttributeError`` instead of silently minting a new IRI (rdflib's own
``_PROV.py`` does the same). ``tests/test_ontology.py`` checks that this list and
``ontology/defense-alliance.ttl`` declare exactly the same terms.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "DAL",
    "DEFAULT_BASE",
    "ITSRDF",
    "NIF",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "SCHEMA",
    "WD",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/defense-alliance/ontology")
DEFAULT_BASE = "https://w3id.org/defense-alliance/id/"


class DAL(DefinedNamespace):
    """The defense-alliance ontology (``dal:``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/defense-alliance/ontology#")

    # Classes: the domain
    Official: URIRef
    MilitaryUnit: URIRef
    MilitaryBase: URIRef
    Island: URIRef
    Treaty: URIRef
    TreatyArticle: URIRef
    Country: URIRef
    Organization: URIRef
    Place: URIRef
    Position: URIRef
    Equipment: URIRef
    Domain: URIRef
    # Classes: provenance
    SourceArticle: URIRef
    Mention: URIRef
    Assertion: URIRef
    Evidence: URIRef
    ExtractionRun: URIRef

    # Individuals of dal:Domain
    Land: URIRef
    Sea: URIRef
    Air: URIRef
    Space: URIRef
    Cyberspace: URIRef

    # Object properties between entities
    holdsPosition: URIRef
    ofCountry: URIRef
    reorganizedInto: URIRef
    stationedAt: URIRef
    locatedIn: URIRef
    partyTo: URIRef
    hasArticle: URIRef
    coversDomain: URIRef
    mentions: URIRef
    # Provenance properties
    evidence: URIRef
    personnelOf: URIRef
    # Datatype properties
    personnelCount: URIRef
    personnelCategory: URIRef
    qualifier: URIRef
    minimumValue: URIRef
    maximumValue: URIRef
    articleNumber: URIRef
    confidence: URIRef
    rule: URIRef
    sha256: URIRef
    machineTranslated: URIRef
    toolVersion: URIRef
    modelName: URIRef
    modelVersion: URIRef


NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

#: Prefixes bound on every graph we serialize, so outputs read the same everywhere.
PREFIXES: dict[str, str] = {
    "dal": str(DAL._NS),
    "prov": "http://www.w3.org/ns/prov#",
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "schema": str(SCHEMA),
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": str(WD),
}
