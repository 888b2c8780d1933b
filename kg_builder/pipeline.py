"""The main job, end to end: the only module (with the CLI) that knows all stages.

``read -> extract -> resolve -> assemble RDF + provenance -> validate -> write``
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from . import __version__
from .articles import read_articles
from .chunking import extract_long
from .engine import Engine, LocalEngine, Spool, batched
from .errors import InputError, KgBuilderError
from .extract import (
    DEFAULT_MODEL,
    ExtractedArticle,
    add_names,
    build_nlp,
    model_info,
    names_pattern,
    titled_names,
)
from .graph import (
    ArticlePart,
    RunInfo,
    article_triples,
    entity_triples,
    run_iri,
    run_triples,
    split_resolution,
)
from .iri import article_iri
from .model import Article, Entity, RawMention, Span
from .namespace import DAL, DEFAULT_BASE
from .relations import ArticleReading, read_relations
from .resolve import resolve
from .validate import ValidationResult, merge_results, validate_part
from .write_parts import PartsWriter, RenderedArticle, render_article

__all__ = [
    "BuildReport",
    "ReadArticle",
    "Skipped",
    "build",
    "extract_partition",
    "render_partition",
    "EXIT_OK",
    "EXIT_NONCONFORMING",
    "EXIT_USAGE",
    "EXIT_PARTIAL",
]

log = logging.getLogger(__name__)

#: exit statuses (DESIGN.md "CLI"), plus one for "built, some inputs skipped"
EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that was reported and left out, and why."""

    source: str
    cause: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.cause}"


@dataclass(frozen=True, slots=True)
class ReadArticle:
    """An article the build read and used (its text is not kept)."""

    id: str
    source: str
    sha256: str
    characters: int


@dataclass
class BuildReport:
    """What a build did; the CLI decides what to print."""

    out_dir: Path
    articles: list[ReadArticle]
    skipped: list[Skipped]
    entities: dict[str, int]
    mentions: int
    facts: int
    assertions: int
    conforms: bool
    validation_text: str
    model: str
    seconds: dict[str, float] = field(default_factory=dict)
    #: CPU seconds per stage, summed over all processes (the parallel stages
    #: split ``seconds`` between them in these proportions)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def exit_status(self) -> int:
        if not self.conforms:
            return EXIT_NONCONFORMING
        if self.skipped:
            return EXIT_PARTIAL
        return EXIT_OK

    def summary(self) -> dict[str, Any]:
        return {
            "articles": len(self.articles),
            "read": [
                {
                    "id": a.id,
                    "source": a.source,
                    "sha256": a.sha256,
                    "characters": a.characters,
                }
                for a in self.articles
            ],
            "skipped": [
                {"source": s.source, "line": s.line, "cause": s.cause}
                for s in self.skipped
            ],
            "entities": dict(sorted(self.entities.items())),
            "mentions": self.mentions,
            "facts": self.facts,
            "assertions": self.assertions,
            "conforms": self.conforms,
            "model": self.model,
            "tool_version": __version__,
        }


#: articles per partition: the unit of work shipped to a worker process or a
#: cluster (big enough to amortise shipping, small enough to stream)
PARTITION = 32


def _read(inputs: Iterable[Path], skipped: list[Skipped]) -> Iterator[Article]:
    """The articles of ``inputs``, streamed; clashing ids and repeated texts
    are reported in ``skipped`` and left out."""
    seen_ids: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for item in read_articles(inputs):
        if isinstance(item, InputError):
            skipped.append(Skipped(item.path, item.cause, item.line))
            log.warning("%s", item)
            continue
        if item.id in seen_ids:
            skipped.append(
                Skipped(
                    item.source,
                    f"article id {item.id!r} is already used by {seen_ids[item.id]}",
                )
            )
            continue
        if item.sha256 in seen_text:
            skipped.append(
                Skipped(
                    item.source, f"same text as {seen_text[item.sha256]}; kept once"
                )
            )
            continue
        seen_ids[item.id] = item.source
        seen_text[item.sha256] = item.source
        yield item


# ------------------------------------------------------------ partition tasks
# Module-level functions: they run in worker processes and on Dask workers.

_NLP: dict[str | None, Any] = {}
_SH_RESULT = URIRef("http://www.w3.org/ns/shacl#result")

Extracted = tuple[tuple[RawMention, ...], tuple[Span, ...]]


def extract_partition(
    articles: list[Article], model: str | None
) -> tuple[list[Extracted], tuple[str, str], float]:
    """Run the extraction pipeline over one partition of articles.

    Returns:
        Per article its mentions and sentences (the text stays with the caller),
        the model's name and version, and the CPU seconds spent.
    """
    t = time.process_time()
    nlp = _NLP.get(model)
    if nlp is None:
        nlp = _NLP[model] = build_nlp(model)
    # extract_long: articles over 100k characters go through spaCy in pieces
    # (spaCy refuses texts over nlp.max_length; see chunking.py).
    out = [(ea.mentions, ea.sentences) for ea in extract_long(articles, nlp)]
    return out, model_info(nlp), time.process_time() - t


@dataclass(frozen=True, slots=True)
class RenderedPartition:
    """What :func:`render_partition` sends back for one partition."""

    articles: list[RenderedArticle]
    #: (article id, conforms, report as N-Triples, text) of the parts that did
    #: not pass outright
    reports: list[tuple[str, bool, str, str]]
    cpu: dict[str, float]


def render_partition(
    parts: list[ArticlePart], entities: dict[str, Entity], base: str
) -> RenderedPartition:
    """Assemble, validate and render the graphs of one partition of articles.

    ``entities`` holds (at least) the entities the parts mention: each article
    is validated with their descriptions, and ``articles/<id>.ttl`` holds them.
    """
    cpu = {"graph": 0.0, "validate": 0.0, "write": 0.0}
    rendered: list[RenderedArticle] = []
    reports: list[tuple[str, bool, str, str]] = []
    for part in parts:
        t0 = time.process_time()
        default, named = article_triples(part, base)
        involved = part.entities()
        descriptions = {
            URIRef(iri): list(entity_triples([entities[iri]]))
            for iri in sorted(involved)
            if iri in entities
        }
        t1 = time.process_time()
        rendered.append(
            render_article(
                part.article.id,
                URIRef(article_iri(base, part.article.id)),
                default,
                named,
                descriptions,
                frozenset(URIRef(iri) for iri in involved),
            )
        )
        t2 = time.process_time()
        triples = [*default, *named, *(t for d in descriptions.values() for t in d)]
        result = validate_part(triples)
        if not result.conforms or (None, _SH_RESULT, None) in result.report:
            report = result.report.serialize(format="nt")
            reports.append((part.article.id, result.conforms, report, result.text))
        t3 = time.process_time()
        cpu["graph"] += t1 - t0
        cpu["write"] += t2 - t1
        cpu["validate"] += t3 - t2
    return RenderedPartition(rendered, reports, cpu)


def _result(conforms: bool, report: str, text: str) -> ValidationResult:
    return ValidationResult(conforms, Graph().parse(data=report, format="nt"), text)


class _Shared:
    """One copy of each repeated value (names, rule ids, attributes) in the
    mention records held for resolution. Each article's records come back from
    the spool as their own copies; sharing the values that repeat across the
    corpus ("Japan", ("confidence", "0.8")) keeps what grows with the corpus to
    the records themselves."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, reading: ArticleReading) -> ArticleReading:
        seen: set[int] = set()
        for m in (
            *reading.mentions,
            *(x for r in reading.relations for x in (r.subject, r.object)),
        ):
            if not isinstance(m, RawMention) or id(m) in seen:
                continue
            seen.add(id(m))
            # RawMention is frozen; its fields are replaced by equal values.
            for name in ("article_id", "text", "rule", "key", "attrs"):
                value = getattr(m, name)
                object.__setattr__(m, name, self._values.setdefault(value, value))
        return reading


# ------------------------------------------------------------------- build


def build(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    base: str = DEFAULT_BASE,
    model: str | None = DEFAULT_MODEL,
    jobs: int = 1,
    engine: Engine | None = None,
) -> BuildReport:
    """Build the knowledge graph of ``inputs`` into ``out_dir``.

    The corpus streams through: articles are read and extracted partition by
    partition (on ``jobs`` processes, or on ``engine``), their texts wait on
    disk, resolution runs over the mention records of the whole corpus, and
    then each article's graph is assembled, validated and rendered on its own
    and merged into the outputs (:mod:`kg_builder.write_parts`). No stage holds
    the whole graph; what grows with the corpus is the mention records that
    resolution needs, and the entity layer. See ``docs/scaling.md``.

    Args:
        inputs: article files or directories.
        out_dir: output directory; replaced only when the build succeeds.
        base: IRI base for minted resources.
        model: spaCy pipeline name; ``None`` or ``"blank"`` runs rules only.
        jobs: worker processes for extraction and graph assembly (``1``: all in
            this process). They are started with ``spawn``: a script calling
            ``build(jobs=2)`` needs the usual ``if __name__ == "__main__":``.
        engine: where the per-partition work runs instead (e.g.
            :class:`kg_builder.distributed.DaskEngine`); ``jobs`` is then unused.

    Returns:
        A :class:`BuildReport`; ``exit_status`` follows DESIGN.md.

    Raises:
        KgBuilderError: when no article could be read, or outputs cannot be written.
    """
    own = engine is None
    eng: Engine = LocalEngine(jobs) if engine is None else engine
    try:
        with Spool() as spool:
            return _build(inputs, out_dir, base, model, eng, spool)
    finally:
        if own:
            eng.close()


class _Reader:
    """Streams articles into partitions, spooling each, timing the reading."""

    def __init__(self, inputs: Iterable[Path], skipped: list[Skipped]) -> None:
        self.articles = _read(inputs, skipped)
        self.seconds = 0.0

    def __iter__(self) -> Iterator[Article]:
        while True:
            t = time.perf_counter()
            article = next(self.articles, None)
            self.seconds += time.perf_counter() - t
            if article is None:
                return
            yield article


def _build(
    inputs: Sequence[Path],
    out_dir: Path,
    base: str,
    model: str | None,
    engine: Engine,
    spool: Spool,
) -> BuildReport:
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {"nlp": 0.0}
    skipped: list[Skipped] = []

    # -- read and extract, streamed: texts go to the spool, mentions stay --
    t = time.perf_counter()
    reader = _Reader(inputs, skipped)
    partitions: list[list[Article]] = []

    def feed() -> Iterator[list[Article]]:
        for part in batched(reader, PARTITION):
            partitions.append(part)
            yield part

    names: set[str] = set()
    model_name, model_version = "blank", ""
    for mentions_sentences, info, seconds in engine.map(
        extract_partition, feed(), model
    ):
        model_name, model_version = info
        cpu["nlp"] += seconds
        for article, (mentions, sentences) in zip(
            partitions.pop(0), mentions_sentences, strict=True
        ):
            names |= titled_names(mentions)
            spool.append(ExtractedArticle(article, mentions, sentences))
    timings["read"] = reader.seconds
    timings["nlp"] = time.perf_counter() - t - reader.seconds
    cpu["read"] = reader.seconds
    if not spool.count:
        detail = (
            "; ".join(str(s) for s in skipped[:5])
            or "no .txt, .md, .jsonl or .html files found"
        )
        raise KgBuilderError(
            f"no article could be read from {', '.join(map(str, inputs))}: {detail}"
        )

    # -- names introduced anywhere, relations, then resolution over records --
    t = time.perf_counter()
    rx = names_pattern(names)
    readings: list[ArticleReading] = []
    shared = _Shared()
    read: list[ReadArticle] = []
    for ea in spool:
        try:
            reading = read_relations(add_names(ea, rx))
        except Exception as exc:  # one bad article never stops the run
            log.exception("relation extraction failed on %s", ea.article.source)
            skipped.append(
                Skipped(ea.article.source, f"relation extraction failed: {exc}")
            )
            continue
        reading = shared(reading)
        a = ea.article
        read.append(ReadArticle(a.id, a.source, a.sha256, len(a.text)))
        # The resolver reads sentences of the text around some mentions
        # (resolve.py, discourse_parties), so readings keep their article.
        readings.append(reading)
    resolution = resolve(readings, base)
    del readings  # the texts wait in the spool for the graph stage
    timings["resolve"] = cpu["resolve"] = time.perf_counter() - t

    # -- per article: assemble, validate, render; then merge --
    t = time.perf_counter()
    ok_ids = {r.id for r in read}
    run = RunInfo(__version__, model_name, model_version)
    node = run_iri(base, run, ((r.id, r.sha256) for r in read))
    entities = resolution.entities
    articles = (ea.article for ea in spool if ea.article.id in ok_ids)
    reports: list[ValidationResult] = []
    stage_cpu = {"graph": 0.0, "validate": 0.0, "write": 0.0}
    mentioned: set[str] = set()

    def chunks() -> Iterator[list[ArticlePart]]:
        for chunk in batched(split_resolution(articles, resolution), PARTITION):
            for part in chunk:
                mentioned.update(iri for _, iri in part.mentions)
            yield chunk

    def with_entities(
        chunk: list[ArticlePart],
    ) -> tuple[list[ArticlePart], dict[str, Entity]]:
        wanted = {iri for part in chunk for iri in part.entities()}
        return chunk, {iri: entities[iri] for iri in wanted if iri in entities}

    with PartsWriter(out_dir) as writer:
        for done in engine.map(
            _render_task, (with_entities(c) for c in chunks()), base
        ):
            writer.add(done.articles)
            reports.extend(_result(*r[1:]) for r in done.reports)
            for k, v in done.cpu.items():
                stage_cpu[k] += v
        parallel = time.perf_counter() - t

        # The entity layer and the run, once: the run's links to the articles,
        # and entities no article mentions (none, unless something went wrong).
        t = time.perf_counter()
        layer = [
            *entity_triples(entities.values()),
            *run_triples(node, run, (article_iri(base, r.id) for r in read)),
        ]
        types = [
            (URIRef(article_iri(base, r.id)), RDF.type, DAL.SourceArticle) for r in read
        ]
        focus = {node, *(URIRef(i) for i in entities if i not in mentioned)}
        reports.append(validate_part([*layer, *types], focus_nodes=focus))
        result = merge_results(reports)
        validate_seconds = time.perf_counter() - t

        counts = Counter(e.kind.value for e in entities.values())
        report = BuildReport(
            out_dir=out_dir,
            articles=read,
            skipped=skipped,
            entities=dict(counts),
            mentions=len(resolution.mentions),
            facts=len({(f.subject, f.predicate, f.object) for f in resolution.facts}),
            assertions=len(
                {
                    (f.article_id, f.subject, f.predicate, f.object)
                    for f in resolution.facts
                }
            )
            + len(resolution.claims),
            conforms=result.conforms,
            validation_text=result.text,
            model=f"{model_name} {model_version}",
            seconds=timings,
            cpu_seconds=cpu,
        )
        t = time.perf_counter()
        writer.finish(layer, result.report, report.summary())
        merge_seconds = time.perf_counter() - t

    # The parallel phase's wall time, split between its stages by CPU time.
    total_cpu = sum(stage_cpu.values()) or 1.0
    for k, v in stage_cpu.items():
        timings[k] = parallel * v / total_cpu
        cpu[k] = v
    timings["validate"] += validate_seconds
    cpu["validate"] += validate_seconds
    timings["write"] += merge_seconds
    cpu["write"] += merge_seconds
    return report


def _render_task(
    item: tuple[list[ArticlePart], dict[str, Entity]], base: str
) -> RenderedPartition:
    return render_partition(item[0], item[1], base)


__all__ += ["KgBuilderError"]
