"""Write a build's outputs from per-article parts, in bounded memory.

:func:`kg_builder.write.write_outputs` needs the whole graph as one
:class:`rdflib.Dataset`. At scale the pipeline never holds that: each article's
triples are rendered on their own (:func:`render_article`, which may run in a
worker process or on a cluster), the pieces are kept on disk as sorted runs, and
:class:`PartsWriter` merges the runs into the same files, byte for byte, as
``write_outputs`` writes for the same graph:

* ``graph.nq``: every article's quads are sorted lines; runs are merged;
* ``graph.ttl`` and the default graph of ``graph.trig``: one statement per
  subject, in subject order. A subject an article owns (the article, its
  mentions, assertions and evidence) is rendered with the article; the shared
  ones (entities, the run) are rendered by the writer from the entity layer
  plus the triples articles state about them (facts), which are small;
* the named graphs of ``graph.trig``: one block per article, ordered by name;
* ``articles/<id>.ttl``: written as each article arrives.

The merge relies on the extracted graph having no blank nodes (DESIGN.md: every
node is minted from content); a part that has one is refused.
"""

from __future__ import annotations

import heapq
import json
import os
import pickle
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg_builder.errors import KgBuilderError, OutputError
from kg_builder.namespace import PREFIXES
from kg_builder.write import (
    _INDENT,
    _REPORT_PREFIXES,
    _check_target,
    _document,
    _fsync_dir,
    _make_tmp,
    _swap,
    _Terms,
    _TurtleBody,
    _write_file,
    article_file_name,
    serialize_turtle,
)

__all__ = ["PartsWriter", "RenderedArticle", "render_article"]

Triple = tuple[Node, Node, Node]
NtTriple = tuple[str, str, str]
Block = tuple[str, str]  # (sort key: an N-Triples term, rendered text)


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    """One article's share of every output, ready to merge."""

    article_id: str
    file_name: str
    article_ttl: bytes  # articles/<id>.ttl
    nquads: tuple[str, ...]  # sorted N-Quads lines, with their newline
    ttl_blocks: tuple[Block, ...]  # statements of the subjects it owns, sorted
    trig_default: tuple[Block, ...]  # its default-graph statements, sorted
    trig_named: Block  # (graph name, its named-graph block)
    shared: tuple[Triple, ...] = ()  # triples about shared subjects (facts)


def _no_blank(triples: list[NtTriple], where: str) -> None:
    for s, _, o in triples:
        if s[0] == "_" or o[0] == "_":
            raise OutputError(f"{where}: a blank node ({s} … {o}); not mergeable")


def render_article(
    article_id: str,
    graph_name: URIRef,
    default: Sequence[Triple],
    named: Sequence[Triple],
    descriptions: Mapping[URIRef, Iterable[Triple]],
    shared: frozenset[URIRef],
) -> RenderedArticle:
    """Render one article's triples for :class:`PartsWriter`.

    Args:
        article_id: the article's id (names ``articles/<id>.ttl``).
        graph_name: the article's IRI, the name of its graph.
        default: what the article adds to the default graph.
        named: its named graph.
        descriptions: default-graph triples of the entities it mentions, for
            ``articles/<id>.ttl``.
        shared: subjects rendered by the writer, not here (the entities).

    Raises:
        OutputError: a term cannot be written, or there is a blank node.
    """
    terms = _Terms(PREFIXES)
    nt = terms.nt
    own = terms.triples(default)
    graph = terms.triples(named)
    _no_blank(own + graph, f"article {article_id}")
    g = nt(graph_name)
    lines = [f"{s} {p} {o} .\n" for s, p, o in own]
    lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in graph)
    lines.sort()

    shared_nt = {nt(x) for x in shared}
    keep = [t for t in own + graph if t[0] not in shared_nt]
    ttl = _TurtleBody(keep, terms, inline=True)
    ttl_blocks = tuple(zip(sorted(ttl.props), ttl.statements(), strict=True))
    own_keep = [t for t in own if t[0] not in shared_nt]
    trig = _TurtleBody(own_keep, terms, inline=False)
    trig_default = tuple(zip(sorted(trig.props), trig.statements(), strict=True))
    body = _TurtleBody(graph, terms, inline=False).statements(_INDENT)
    named_block = f"{terms.ttl(g)} {{\n" + "\n".join(body) + "\n}"

    # articles/<id>.ttl: its graph, its metadata, its entities' descriptions
    # (as kg_builder.write._article_triples puts them together).
    taident = "<http://www.w3.org/2005/11/its/rdf#taIdentRef>"
    entities = sorted({o for _, p, o in graph if p == taident})
    by_iri = {nt(k): v for k, v in descriptions.items()}
    file_triples = list(graph) + [t for t in own if t[0] == g]
    for e in entities:
        file_triples.extend(terms.triples(by_iri.get(e, ())))
    article_ttl = _document(
        terms, _TurtleBody(file_triples, terms, inline=True).statements()
    )
    return RenderedArticle(
        article_id=article_id,
        file_name=article_file_name(article_id),
        article_ttl=article_ttl,
        nquads=tuple(lines),
        ttl_blocks=ttl_blocks,
        trig_default=trig_default,
        trig_named=(g, named_block),
        shared=tuple(
            t
            for t in [*default, *named]
            if t[0] in shared  # type: ignore[misc]
        ),
    )


# --- runs on disk ------------------------------------------------------------


def _dump_blocks(path: Path, blocks: Iterable[Block]) -> None:
    with open(path, "wb") as f:
        for block in blocks:
            pickle.dump(block, f, protocol=pickle.HIGHEST_PROTOCOL)


def _load_blocks(path: Path) -> Iterator[Block]:
    with open(path, "rb") as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as f:
        yield from f


@dataclass
class _Runs:
    """Sorted runs of one output, on disk, merged at the end."""

    folder: Path
    name: str
    paths: list[Path] = field(default_factory=list)

    def _next(self, suffix: str) -> Path:
        path = self.folder / f"{self.name}-{len(self.paths):06d}.{suffix}"
        self.paths.append(path)
        return path

    def add_lines(self, lines: list[str]) -> None:
        if lines:
            lines.sort()
            _write_file(self._next("nq"), "".join(lines).encode("utf-8"))

    def add_blocks(self, blocks: list[Block]) -> None:
        if blocks:
            blocks.sort()
            _dump_blocks(self._next("pickle"), blocks)

    def merged_lines(self, extra: list[str]) -> Iterator[str]:
        extra.sort()
        iters = [_lines(p) for p in self.paths] + [iter(extra)]
        last = None
        for line in heapq.merge(*iters):
            if line != last:
                yield line
                last = line

    def merged_blocks(self, extra: list[Block]) -> Iterator[Block]:
        extra.sort()
        iters = [_load_blocks(p) for p in self.paths] + [iter(extra)]
        last: str | None = None
        for key, text in heapq.merge(*iters):
            if key == last:
                raise OutputError(f"{key}: rendered twice; cannot merge the parts")
            last = key
            yield key, text


def _write_stream(path: Path, chunks: Iterable[str]) -> None:
    with open(path, "xb") as f:
        buf: list[str] = []
        size = 0
        for chunk in chunks:
            buf.append(chunk)
            size += len(chunk)
            if size > 1 << 22:
                f.write("".join(buf).encode("utf-8"))
                buf, size = [], 0
        f.write("".join(buf).encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def _statements(blocks: Iterator[Block], header: str) -> Iterator[str]:
    """A Turtle document: header, then the statements one blank line apart."""
    yield header
    first = True
    for _, text in blocks:
        yield ("\n" if first and header else "\n\n" if not first else "") + text
        first = False
    if not first:
        yield "\n"


class PartsWriter:
    """Collects rendered articles; writes every output, all or nothing.

    Like :func:`kg_builder.write.write_outputs`: everything is written in a
    fresh directory beside ``out_dir``, which replaces ``out_dir`` only when
    :meth:`finish` succeeds; :meth:`abort` (or any failure) leaves it as it was.
    Use it as a context manager.
    """

    def __init__(self, out_dir: Path) -> None:
        target = Path(os.path.abspath(out_dir))
        if target.is_symlink() and target.exists():
            target = target.resolve()
        _check_target(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = _make_tmp(target)
            if target.is_dir():  # keep the permissions the old outputs had
                os.chmod(self.tmp, stat.S_IMODE(target.stat().st_mode))
            (self.tmp / "articles").mkdir()
            self.runs_dir = self.tmp / ".runs"
            self.runs_dir.mkdir()
        except OSError as exc:
            raise OutputError(f"{target}: cannot create a directory: {exc}") from exc
        self.target = target
        self.names: dict[str, str] = {}
        self.written: list[str] = []
        self.nq = _Runs(self.runs_dir, "nq")
        self.ttl = _Runs(self.runs_dir, "ttl")
        self.trig_default = _Runs(self.runs_dir, "trig-default")
        self.trig_named = _Runs(self.runs_dir, "trig-named")
        self.shared: set[Triple] = set()

    def __enter__(self) -> PartsWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.abort()

    def add(self, parts: Iterable[RenderedArticle]) -> None:
        """Write the articles' own files and keep their share of the rest."""
        lines: list[str] = []
        ttl: list[Block] = []
        trig_default: list[Block] = []
        trig_named: list[Block] = []
        try:
            for part in parts:
                # Refuse names that differ only in case: they clash on macOS
                # and Windows.
                other = self.names.setdefault(
                    part.file_name.casefold(), part.article_id
                )
                if other != part.article_id:
                    raise OutputError(
                        f"articles {other!r} and {part.article_id!r} would both be "
                        f"written to articles/{part.file_name}; rename one of the "
                        "inputs"
                    )
                rel = f"articles/{part.file_name}"
                _write_file(self.tmp / rel, part.article_ttl)
                self.written.append(rel)
                lines.extend(part.nquads)
                ttl.extend(part.ttl_blocks)
                trig_default.extend(part.trig_default)
                trig_named.append(part.trig_named)
                self.shared.update(part.shared)
            self.nq.add_lines(lines)
            self.ttl.add_blocks(ttl)
            self.trig_default.add_blocks(trig_default)
            self.trig_named.add_blocks(trig_named)
        except OSError as exc:
            raise OutputError(f"{self.target}: outputs not written ({exc})") from exc

    def finish(
        self,
        default: Iterable[Triple],
        report: Graph,
        summary: Mapping[str, object],
    ) -> dict[str, Path]:
        """Merge everything into the outputs and put them in place.

        Args:
            default: the shared default-graph triples: the entity layer and the
                run (every article's own triples came with :meth:`add`).
            report: the SHACL validation report graph.
            summary: JSON-able run summary.

        Returns:
            Path relative to ``out_dir`` -> the written file.
        """
        try:
            self._finish(default, report, summary)
            _swap(self.tmp, self.target)
        except BaseException as exc:
            self.abort()
            if isinstance(exc, KgBuilderError):
                raise OutputError(f"{self.target}: {exc}") from exc
            if isinstance(exc, Exception):
                cause = f"{type(exc).__name__}: {exc}"
                raise OutputError(
                    f"{self.target}: outputs not written ({cause})"
                ) from exc
            raise
        return {rel: self.target / rel for rel in self.written}

    def _finish(
        self, default: Iterable[Triple], report: Graph, summary: Mapping[str, object]
    ) -> None:
        terms = _Terms(PREFIXES)
        base = terms.triples(default)
        _no_blank(base, "the entity layer")
        header = terms.header()

        nq_extra = [f"{s} {p} {o} .\n" for s, p, o in base]
        _write_stream(self.tmp / "graph.nq", self.nq.merged_lines(nq_extra))
        self.written.append("graph.nq")

        # TriG: the default graph (articles' metadata + entities + run), then
        # every named graph, by name.
        body = _TurtleBody(base, terms, inline=False)
        shared_blocks = list(zip(sorted(body.props), body.statements(), strict=True))
        default_blocks = self.trig_default.merged_blocks(shared_blocks)
        named_blocks = self.trig_named.merged_blocks([])

        def trig() -> Iterator[Block]:
            yield from default_blocks
            yield from named_blocks

        _write_stream(self.tmp / "graph.trig", _statements(trig(), header))
        self.written.append("graph.trig")

        # Turtle: the union; shared subjects with what articles state about them.
        facts = terms.triples(sorted(self.shared))
        union = _TurtleBody([*base, *facts], terms, inline=True)
        shared_blocks = list(zip(sorted(union.props), union.statements(), strict=True))
        blocks = self.ttl.merged_blocks(shared_blocks)
        _write_stream(self.tmp / "graph.ttl", _statements(blocks, header))
        self.written.append("graph.ttl")
        _fsync_dir(self.tmp / "articles")
        shutil.rmtree(self.runs_dir)

        _write_file(
            self.tmp / "validation.ttl",
            serialize_turtle(report, prefixes=_REPORT_PREFIXES),
        )
        text = json.dumps(
            summary, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
        )
        _write_file(self.tmp / "report.json", (text + "\n").encode("utf-8"))
        self.written += ["validation.ttl", "report.json"]
        _fsync_dir(self.tmp)

    def abort(self) -> None:
        """Drop everything written so far; ``out_dir`` stays as it was."""
        shutil.rmtree(self.tmp, ignore_errors=True)
