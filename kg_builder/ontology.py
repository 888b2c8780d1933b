"""Load the OWL ontology and check graphs against it with a DL reasoner.

The ontology is kept in Turtle (``ontology/defense-alliance.ttl``), which owlready2
cannot read, so this module converts before reasoning: the ontology, plus any
individuals to check, is written as N-Triples into a temporary directory, loaded into
a fresh owlready2 ``World`` and classified by HermiT (which runs on the machine's
Java). Disjointness axioms in the ontology turn impossible typings (one resource
both a ``dal:Official`` and a ``dal:MilitaryUnit``) into an inconsistency.

>>> from kg_builder.ontology import load_ontology
>>> from kg_builder.namespace import ONTOLOGY_IRI
>>> from rdflib import OWL, RDF
>>> (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in load_ontology()
True
"""

from __future__ import annotations

import functools
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import owlready2
import owlready2.reasoning
from rdflib import Graph, URIRef

from kg_builder.resources import ONTOLOGY_FILE

__all__ = [
    "ReasonerResult",
    "check_consistency",
    "load_ontology",
    "reason",
    "to_rdfxml",
]

# _hermit_tmp_in swaps a module global of owlready2 for the length of one HermiT
# run; two runs in different threads must not interleave their swaps.
_REASONER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ReasonerResult:
    """What HermiT concluded about the ontology plus some individuals.

    Attributes:
        consistent: False if no model exists (e.g. an individual typed with two
            disjoint classes).
        unsatisfiable: named classes that can have no instance, sorted; always
            empty when ``consistent`` is False, since the reasoner stops there.
    """

    consistent: bool
    unsatisfiable: tuple[URIRef, ...] = ()


def load_ontology(path: str | Path = ONTOLOGY_FILE) -> Graph:
    """Read the ontology from its Turtle file.

    Args:
        path: the Turtle file; defaults to the ontology shipped with the project.

    Returns:
        A new graph holding the ontology's triples.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
    """
    graph = Graph()
    graph.parse(Path(path), format="turtle")
    return graph


def to_rdfxml(graph: Graph, path: str | Path) -> None:
    """Write a graph as RDF/XML, the format owlready2 and Protégé read best.

    Args:
        graph: the graph to write, usually from :func:`load_ontology`.
        path: the file to write; its parent directory must exist.
    """
    graph.serialize(destination=Path(path), format="xml", encoding="utf-8")


def reason(extra: Graph | None = None) -> ReasonerResult:
    """Run HermiT over the ontology merged with ``extra``.

    Args:
        extra: individuals (or any triples) to check against the ontology; None
            checks the ontology on its own.

    Returns:
        Whether the merged graph is consistent and which named classes, if any, are
        unsatisfiable.

    Raises:
        FileNotFoundError: if there is no ``java`` executable on the PATH.
        owlready2.OwlReadyJavaError: if HermiT fails for a reason other than
            inconsistency (e.g. an unsupported datatype).
    """
    merged = load_ontology()
    if extra is not None:
        merged += extra
    with tempfile.TemporaryDirectory(prefix="kg-builder-owl-") as tmp:
        # N-Triples rather than RDF/XML: it can express every predicate IRI, and
        # owlready2 parses it without guessing.
        source = Path(tmp) / "merged.nt"
        merged.serialize(destination=source, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            world.get_ontology(source.as_uri()).load()
            with _REASONER_LOCK, _hermit_tmp_in(tmp):
                try:
                    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
                except owlready2.OwlReadyInconsistentOntologyError:
                    return ReasonerResult(consistent=False)
            unsatisfiable = sorted(
                URIRef(cls.iri)
                for cls in world.inconsistent_classes()
                if isinstance(cls, owlready2.ThingClass)
                and cls is not owlready2.Nothing
            )
            return ReasonerResult(consistent=True, unsatisfiable=tuple(unsatisfiable))
        finally:
            world.close()


def check_consistency(extra: Graph | None = None) -> bool:
    """Tell whether the ontology, merged with ``extra``, is consistent under HermiT.

    Args:
        extra: individuals to check, e.g. a built graph (for a dataset, pass the
            union of its graphs); None checks the ontology on its own.

    Returns:
        True if consistent, False if HermiT proves it inconsistent.

    Raises:
        FileNotFoundError: if there is no ``java`` executable on the PATH.
        owlready2.OwlReadyJavaError: if HermiT fails for a reason other than
            inconsistency.
    """
    return reason(extra).consistent


@contextmanager
def _hermit_tmp_in(directory: str) -> Iterator[None]:
    """Make owlready2 dump the world for HermiT inside ``directory``.

    owlready2 writes its input for HermiT with ``NamedTemporaryFile(delete=False)``
    and removes it only when HermiT succeeds, so every inconsistent result would
    leave a copy of the whole graph in the system temp directory. Pointing it at our
    own temporary directory lets that directory's cleanup remove it.
    """
    module = owlready2.reasoning
    original = module.tempfile
    module.tempfile = SimpleNamespace(
        NamedTemporaryFile=functools.partial(tempfile.NamedTemporaryFile, dir=directory)
    )
    try:
        yield
    finally:
        module.tempfile = original
