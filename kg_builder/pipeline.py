"""The main job, end to end: the only module (with the CLI) that knows all stages.

``read -> extract -> resolve -> assemble RDF + provenance -> validate -> write``
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from . import __version__
from .articles import read_articles
from .errors import InputError, KgBuilderError
from .extract import (
    DEFAULT_MODEL,
    ExtractedArticle,
    add_known_names,
    build_nlp,
    extract,
    model_info,
)
from .graph import RunInfo, assemble
from .model import Article
from .namespace import DEFAULT_BASE, PREFIXES
from .relations import ArticleReading, read_relations
from .resolve import resolve
from .validate import validate
from .write import write_outputs

__all__ = [
    "BuildReport",
    "Skipped",
    "build",
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


@dataclass
class BuildReport:
    """What a build did; the CLI decides what to print."""

    out_dir: Path
    articles: list[Article]
    skipped: list[Skipped]
    entities: dict[str, int]
    mentions: int
    facts: int
    assertions: int
    conforms: bool
    validation_text: str
    model: str
    seconds: dict[str, float] = field(default_factory=dict)

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
                    "characters": len(a.text),
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


def _read(inputs: Iterable[Path], skipped: list[Skipped]) -> list[Article]:
    articles: list[Article] = []
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
        articles.append(item)
    return articles


def _readings(
    extracted: Sequence[ExtractedArticle], skipped: list[Skipped]
) -> list[ArticleReading]:
    out = []
    for ea in extracted:
        try:
            out.append(read_relations(ea))
        except Exception as exc:  # one bad article never stops the run
            log.exception("relation extraction failed on %s", ea.article.source)
            skipped.append(
                Skipped(ea.article.source, f"relation extraction failed: {exc}")
            )
    return out


def build(
    inputs: Sequence[Path],
    out_dir: Path,
    *,
    base: str = DEFAULT_BASE,
    model: str | None = DEFAULT_MODEL,
    jobs: int = 1,
) -> BuildReport:
    """Build the knowledge graph of ``inputs`` into ``out_dir``.

    Args:
        inputs: article files or directories.
        out_dir: output directory; replaced only when the build succeeds.
        base: IRI base for minted resources.
        model: spaCy pipeline name; ``None`` or ``"blank"`` runs rules only.
        jobs: processes for the NLP stage.

    Returns:
        A :class:`BuildReport`; ``exit_status`` follows DESIGN.md.

    Raises:
        KgBuilderError: when no article could be read, or outputs cannot be written.
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    skipped: list[Skipped] = []
    articles = _read(inputs, skipped)
    timings["read"] = time.perf_counter() - t
    if not articles:
        detail = (
            "; ".join(str(s) for s in skipped[:5])
            or "no .txt, .md, .jsonl or .html files found"
        )
        raise KgBuilderError(
            f"no article could be read from {', '.join(map(str, inputs))}: {detail}"
        )

    t = time.perf_counter()
    nlp = build_nlp(model)
    model_name, model_version = model_info(nlp)
    extracted = add_known_names(list(extract(articles, nlp, n_process=jobs)))
    timings["nlp"] = time.perf_counter() - t

    t = time.perf_counter()
    readings = _readings(extracted, skipped)
    ok_ids = {r.extracted.article.id for r in readings}
    articles = [a for a in articles if a.id in ok_ids]
    resolution = resolve(readings, base)
    timings["resolve"] = time.perf_counter() - t

    t = time.perf_counter()
    ds, iris = assemble(
        articles, resolution, base, RunInfo(__version__, model_name, model_version)
    )
    union = Graph()
    for prefix, ns in PREFIXES.items():
        union.bind(prefix, ns)
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    timings["graph"] = time.perf_counter() - t

    t = time.perf_counter()
    result = validate(union)
    timings["validate"] = time.perf_counter() - t

    counts = Counter(e.kind.value for e in resolution.entities.values())
    report = BuildReport(
        out_dir=out_dir,
        articles=articles,
        skipped=skipped,
        entities=dict(counts),
        mentions=len(resolution.mentions),
        facts=len({(f.subject, f.predicate, f.object) for f in resolution.facts}),
        assertions=len(
            {(f.article_id, f.subject, f.predicate, f.object) for f in resolution.facts}
        )
        + len(resolution.claims),
        conforms=result.conforms,
        validation_text=result.text,
        model=f"{model_name} {model_version}",
        seconds=timings,
    )
    t = time.perf_counter()
    write_outputs(
        ds, out_dir, article_iris=iris, report=result.report, summary=report.summary()
    )
    timings["write"] = time.perf_counter() - t
    return report


__all__ += ["KgBuilderError"]
