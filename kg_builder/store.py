"""The embedded triple store: a build loaded into an on-disk pyoxigraph store.

The store keeps the layout of ``graph.nq``: one named graph per article (graph IRI
= article IRI) holding that article's mentions, facts and assertions; entity
descriptions, article metadata and runs in the default graph.

Loading is incremental, so builds of different batches of articles accumulate in
one store, and loading the same build twice changes nothing:

* **Article graphs are replaced.** Every named graph in the build is removed from
  the store before the build is loaded, so a newer build of an article replaces
  that article's graph; the graphs of articles the build does not contain are
  left untouched.
* **Descriptions merge by resource; the newest build wins.** For every resource
  the build describes in its default graph (each entity, article and run), the
  store's default-graph description of that resource is replaced by the build's,
  so a changed ``rdfs:label``, type or ``owl:sameAs`` does not leave the old value
  beside the new one. The one exception is ``skos:altLabel``: surface forms are
  kept from earlier loads (the older articles that used them may still be in the
  store, and their mentions still point at the entity), except one that became
  the canonical ``rdfs:label``. Resources the build does not describe keep their
  descriptions.
* **Nothing is duplicated**: an RDF store is a set of quads and the extracted
  graph has no blank nodes, so reloading a quad is a no-op.

Oxigraph keeps literals by value, in canonical form: ``"5"^^xsd:nonNegativeInteger``
(the NIF offsets) reads back as ``"5"^^xsd:integer``, ``"0.90"^^xsd:decimal`` as
``"0.9"``. Values and SPARQL comparisons are unchanged; a datatype test such as
``datatype(?begin) = xsd:nonNegativeInteger`` is not. ``kg-builder push`` sends
the build's own terms, and ``graph.nq`` stays the exact record.

A description is never garbage-collected: an entity whose last mentioning article
was rebuilt without it keeps its description. Load into a fresh ``--store`` to
start over.

Large builds are loaded with :meth:`pyoxigraph.Store.bulk_load`, which streams
the file and is not transactional (an interrupted load is repaired by loading
the same build again); small ones with :meth:`pyoxigraph.Store.load`, in one
transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError

__all__ = [
    "BULK_THRESHOLD",
    "LoadReport",
    "build_graph_file",
    "is_store",
    "load_build",
    "open_build",
    "open_store",
]

#: ``graph.nq`` files at least this large (bytes) are bulk-loaded by default.
BULK_THRESHOLD = 32 * 1024 * 1024

_SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Subjects per SPARQL update when replacing default-graph descriptions: large
# enough to be fast, small enough to keep each update's text modest.
_BATCH = 500


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_build` did.

    Attributes:
        build: the build directory that was loaded.
        store: the store directory.
        quads: quads in the build's ``graph.nq``.
        articles: article graphs in the build.
        replaced: of those, how many were already in the store (and were replaced).
        described: resources the build describes in its default graph (entities,
            articles, runs), whose default-graph descriptions were replaced.
        store_quads: quads in the store after loading.
        store_graphs: named graphs (articles) in the store after loading.
        bulk: whether the build was bulk-loaded.
        seconds: wall-clock time of the load.
    """

    build: Path
    store: Path
    quads: int
    articles: int
    replaced: int
    described: int
    store_quads: int
    store_graphs: int
    bulk: bool
    seconds: float


def is_store(path: Path) -> bool:
    """Whether ``path`` holds an on-disk Oxigraph (RocksDB) store."""
    return (path / "CURRENT").is_file()


def build_graph_file(out_dir: Path) -> Path:
    """Return the ``graph.nq`` of a build directory, checking that it is one.

    Args:
        out_dir: a directory written by ``kg-builder build --out``.

    Returns:
        The path of its ``graph.nq``.

    Raises:
        InputError: ``out_dir`` is missing or has no ``graph.nq``.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise InputError(out_dir, "no such build directory")
    nq = out_dir / "graph.nq"
    if not nq.is_file():
        raise InputError(
            out_dir,
            "not a kg-builder build (no graph.nq); "
            "build one with `kg-builder build INPUT… --out DIR`",
        )
    return nq


def open_store(path: str | Path, *, read_only: bool = False) -> ox.Store:
    """Open the on-disk store at ``path``.

    The store is a RocksDB directory; one process at a time may open it for
    writing (the lock is released when the returned object and every query
    result drawn from it are garbage-collected). Read-only instances may be
    opened beside a writer.

    Args:
        path: the store directory. Created (with parents) when opened for
            writing; it must already be a store to be opened read-only.
        read_only: open a read-only instance (queries only).

    Returns:
        The opened :class:`pyoxigraph.Store`.

    Raises:
        InputError: ``path`` is not a store (read-only), is a non-empty directory
            that is not a store, or is locked by another process.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     len(open_store(Path(d) / "store"))
    0
    """
    path = Path(path)
    if read_only:
        if not is_store(path):
            raise InputError(
                path,
                "no store here; create one with `kg-builder load OUT_DIR --store DIR`",
            )
        try:
            return ox.Store.read_only(str(path))
        except OSError as exc:
            raise InputError(path, f"cannot open the store: {exc}") from exc
    if path.exists() and not path.is_dir():
        raise InputError(path, "not a directory; --store must name a directory")
    if path.is_dir() and any(path.iterdir()) and not is_store(path):
        raise InputError(
            path,
            "this directory is not empty and is not an Oxigraph store; "
            "give a new or empty directory to --store",
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise InputError(
                path,
                "the store is in use by another process (a running "
                "`kg-builder serve`?); stop it and try again",
            ) from exc
        raise InputError(path, f"cannot open the store: {exc}") from exc


def _scan(nq: Path) -> tuple[int, set[ox.NamedNode], set[ox.NamedNode]]:
    """Count the quads of ``nq`` and collect its named graphs and the subjects
    of its default graph, streaming (memory grows with resources, not text)."""
    quads = 0
    graphs: set[ox.NamedNode] = set()
    subjects: set[ox.NamedNode] = set()
    try:
        for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS):
            quads += 1
            g = q.graph_name
            if isinstance(g, ox.DefaultGraph):
                if isinstance(q.subject, ox.NamedNode):
                    subjects.add(q.subject)
            elif isinstance(g, ox.NamedNode):
                graphs.add(g)
            if isinstance(q.subject, ox.BlankNode) or isinstance(
                q.object, ox.BlankNode
            ):
                # Reloading would mint fresh blank nodes and duplicate the quad.
                raise InputError(
                    nq,
                    "contains blank nodes, which cannot be replaced on reload; "
                    "rebuild it with this version of kg-builder",
                )
    except SyntaxError as exc:
        raise InputError(nq, f"not valid N-Quads: {exc}") from exc
    except OSError as exc:
        raise InputError(nq, f"cannot read: {exc}") from exc
    return quads, graphs, subjects


def _forget_descriptions(store: ox.Store, subjects: list[ox.NamedNode]) -> None:
    """Remove the default-graph triples of ``subjects``, except their altLabels."""
    for i in range(0, len(subjects), _BATCH):
        values = " ".join(str(s) for s in subjects[i : i + _BATCH])
        store.update(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} "
            f"?s ?p ?o FILTER(?p != <{_SKOS_ALT_LABEL}>) }}"
        )


def load_build(
    out_dir: str | Path, store_dir: str | Path, *, bulk: bool | None = None
) -> LoadReport:
    """Load the build in ``out_dir`` into the on-disk store at ``store_dir``.

    Article graphs in the build replace the store's graphs of the same name;
    the build's default-graph descriptions replace the store's descriptions of
    the same resources, keeping earlier ``skos:altLabel`` values (see the module
    docstring). Loading the same build twice leaves the store unchanged.

    Args:
        out_dir: a directory written by ``kg-builder build --out``.
        store_dir: the store directory (created if missing).
        bulk: use :meth:`pyoxigraph.Store.bulk_load` (streaming, not
            transactional); ``None`` decides by size (:data:`BULK_THRESHOLD`).

    Returns:
        A :class:`LoadReport`.

    Raises:
        InputError: ``out_dir`` is not a build, its ``graph.nq`` is unreadable,
            or the store cannot be opened.
    """
    started = time.perf_counter()
    out_dir, store_dir = Path(out_dir), Path(store_dir)
    nq = build_graph_file(out_dir)
    quads, graphs, subjects = _scan(nq)
    if bulk is None:
        bulk = nq.stat().st_size >= BULK_THRESHOLD

    store = open_store(store_dir)
    replaced = 0
    for g in sorted(graphs, key=str):
        if store.contains_named_graph(g):
            replaced += 1
            store.remove_graph(g)
    _forget_descriptions(store, sorted(subjects, key=str))
    try:
        if bulk:
            store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        else:
            store.load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:  # already parsed once; kept for a file changed since
        raise InputError(nq, f"not valid N-Quads: {exc}") from exc
    # An older surface form that is now the canonical label is no longer "alt".
    store.update(
        f"DELETE {{ ?s <{_SKOS_ALT_LABEL}> ?l }} "
        f"WHERE {{ ?s <{_RDFS_LABEL}> ?l ; <{_SKOS_ALT_LABEL}> ?l }}"
    )
    store.flush()
    report = LoadReport(
        build=out_dir,
        store=store_dir,
        quads=quads,
        articles=len(graphs),
        replaced=replaced,
        described=len(subjects),
        store_quads=len(store),
        store_graphs=sum(1 for _ in store.named_graphs()),
        bulk=bulk,
        seconds=time.perf_counter() - started,
    )
    del store  # release the RocksDB lock now, not at the next collection
    return report


def open_build(out_dir: str | Path) -> ox.Store:
    """Load a build's ``graph.nq`` into an in-memory store, to query it unloaded.

    Args:
        out_dir: a directory written by ``kg-builder build --out``.

    Returns:
        An in-memory :class:`pyoxigraph.Store` with the build's dataset.

    Raises:
        InputError: ``out_dir`` is not a build or its ``graph.nq`` is invalid.
    """
    nq = build_graph_file(Path(out_dir))
    store = ox.Store()
    try:
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise InputError(nq, f"not valid N-Quads: {exc}") from exc
    return store
