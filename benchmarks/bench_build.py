"""Benchmark the whole build against bare spaCy, at several corpus sizes.

For each size N (default 100, 1,000 and 10,000 articles of
``benchmarks/make_corpus.py``) it prints:

* the whole build, end to end (``kg_builder.pipeline.build``, model loading and
  writing included): seconds, articles/s, words/s;
* the same texts through bare ``nlp.pipe`` of the full default model (every
  component, one process, default batch size; model loading not counted), and
  the ratio build / bare: the pipeline's overhead (below 1 when the build's
  parallelism wins back more than its rules, graph and validation cost);
* time per stage (read, NLP, resolve, graph, validate, write; the parallel
  stages' wall time split by their CPU time), and validation's share;
* peak memory: resident set of the build's main process, and of its largest
  worker process;
* then the scaling from each size to the next: time and peak-memory ratios.

Each build and each bare run is a fresh subprocess, so peak memory is that
run's. Benchmarks print; they never fail. Run from the repository root::

    python -m benchmarks.bench_build                  # 100, 1,000, 10,000
    python -m benchmarks.bench_build --sizes 100,1000 --jobs 2

``--bare-max`` bounds the bare run: above it, bare spaCy is timed on the first
``--bare-max`` articles and scaled by words (printed as such), which saves most
of an hour at 10,000 articles; ``--bare-max 0`` always runs it all.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STAGES = ("read", "nlp", "resolve", "graph", "validate", "write")


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def _texts(corpus: Path) -> list[str]:
    from kg_builder.articles import read_articles
    from kg_builder.model import Article

    return [a.text for a in read_articles([corpus]) if isinstance(a, Article)]


def child_build(corpus: Path, out: Path, jobs: int) -> dict[str, Any]:
    from kg_builder.pipeline import build

    t = time.perf_counter()
    report = build([corpus], out, jobs=jobs)
    wall = time.perf_counter() - t
    return {
        "wall": wall,
        "seconds": report.seconds,
        "cpu_seconds": report.cpu_seconds,
        "articles": len(report.articles),
        "characters": sum(a.characters for a in report.articles),
        "entities": sum(report.entities.values()),
        "mentions": report.mentions,
        "assertions": report.assertions,
        "conforms": report.conforms,
        "rss_main_mb": _rss_mb(resource.RUSAGE_SELF),
        "rss_worker_mb": _rss_mb(resource.RUSAGE_CHILDREN),
    }


def child_bare(corpus: Path, limit: int) -> dict[str, Any]:
    import spacy

    from kg_builder.extract import DEFAULT_MODEL

    texts = _texts(corpus)
    words_all = sum(len(t.split()) for t in texts)
    if limit and len(texts) > limit:
        texts = texts[:limit]
    words = sum(len(t.split()) for t in texts)
    t = time.perf_counter()
    nlp = spacy.load(DEFAULT_MODEL)  # the full default pipeline, all components
    load = time.perf_counter() - t
    t = time.perf_counter()
    for _doc in nlp.pipe(texts):
        pass
    pipe = time.perf_counter() - t
    return {
        "pipe": pipe,
        "load": load,
        "articles": len(texts),
        "words": words,
        "words_all": words_all,
        "pipeline": nlp.pipe_names,
        "rss_mb": _rss_mb(resource.RUSAGE_SELF),
    }


def _run_child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_build", "--child", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"benchmark child failed: {' '.join(args)}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _fmt_row(label: str, values: list[str]) -> str:
    return f"  {label:<34}" + "".join(f"{v:>14}" for v in values)


def run(sizes: list[int], jobs: int, workdir: Path, bare_max: int) -> None:
    from benchmarks.make_corpus import write_corpus

    print(
        f"kg-builder build benchmark: {os.cpu_count()} CPUs, --jobs {jobs}, "
        f"python {sys.version.split()[0]}",
        flush=True,
    )
    results: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for n in sizes:
        corpus = workdir / f"corpus-{n}"
        t = time.perf_counter()
        write_corpus(n, corpus)
        print(f"\nN = {n:,}: corpus in {corpus} ({time.perf_counter() - t:.1f}s)")
        bare = _run_child(["bare", str(corpus), str(bare_max)])
        est = bare["articles"] < n
        scale = bare["words_all"] / bare["words"]
        bare["pipe_total"] = bare["pipe"] * scale
        print(
            f"  bare nlp.pipe {'+'.join(bare['pipeline'])}: "
            f"{bare['pipe_total']:.1f}s"
            + (
                f" (est. from first {bare['articles']:,} articles by words)"
                if est
                else ""
            )
            + f", {bare['words'] / bare['pipe']:.0f} words/s, "
            f"peak {bare['rss_mb']:.0f} MB",
            flush=True,
        )
        build = _run_child(["build", str(corpus), str(workdir / f"out-{n}"), str(jobs)])
        words = bare["words_all"]
        print(
            f"  build: {build['wall']:.1f}s, {n / build['wall']:.2f} articles/s, "
            f"{words / build['wall']:.0f} words/s; ratio build/bare "
            f"{build['wall'] / bare['pipe_total']:.2f}",
            flush=True,
        )
        results.append((n, bare, build))

    print("\nSummary")
    print(_fmt_row("", [f"N={n:,}" for n, _, _ in results]))

    def row(label: str, fn: Any) -> None:
        print(_fmt_row(label, [fn(n, b, r) for n, b, r in results]))

    row("words", lambda n, b, r: f"{b['words_all']:,}")
    row("build, end to end (s)", lambda n, b, r: f"{r['wall']:.1f}")
    row("  articles/s", lambda n, b, r: f"{n / r['wall']:.2f}")
    row("  words/s", lambda n, b, r: f"{b['words_all'] / r['wall']:.0f}")
    row(
        "bare nlp.pipe, full model (s)",
        lambda n, b, r: f"{b['pipe_total']:.1f}" + ("*" if b["articles"] < n else ""),
    )
    row("ratio build / bare", lambda n, b, r: f"{r['wall'] / b['pipe_total']:.2f}")
    for stage in STAGES:
        row(f"  {stage} (s)", lambda n, b, r, s=stage: f"{r['seconds'].get(s, 0):.1f}")
    row(
        "  validate share of total",
        lambda n, b, r: f"{r['seconds'].get('validate', 0) / r['wall']:.1%}",
    )
    row("CPU s, all processes", lambda n, b, r: f"{sum(r['cpu_seconds'].values()):.0f}")
    row("peak RSS, main process (MB)", lambda n, b, r: f"{r['rss_main_mb']:.0f}")
    row("peak RSS, largest worker (MB)", lambda n, b, r: f"{r['rss_worker_mb']:.0f}")
    row("entities", lambda n, b, r: f"{r['entities']:,}")
    row("mentions", lambda n, b, r: f"{r['mentions']:,}")
    row("conforms", lambda n, b, r: "yes" if r["conforms"] else "NO")
    if any(b["articles"] < n for n, b, _ in results):
        print("  * estimated from the first articles, scaled by words (--bare-max)")
    for (n0, _, r0), (n1, _, r1) in zip(results, results[1:], strict=False):
        print(
            f"\n{n0:,} -> {n1:,} articles ({n1 / n0:.0f}x): time "
            f"{r1['wall'] / r0['wall']:.2f}x, peak memory (main) "
            f"{r1['rss_main_mb'] / r0['rss_main_mb']:.2f}x, entities "
            f"{r1['entities'] / r0['entities']:.2f}x, mentions "
            f"{r1['mentions'] / r0['mentions']:.2f}x"
        )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        kind, *rest = argv[1:]
        if kind == "build":
            out = child_build(Path(rest[0]), Path(rest[1]), int(rest[2]))
        else:
            out = child_bare(Path(rest[0]), int(rest[1]))
        print(json.dumps(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="100,1000,10000", help="comma-separated corpus sizes"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--workdir", type=Path, help="corpora and outputs (default: a temp dir)"
    )
    parser.add_argument("--bare-max", type=int, default=2000)
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        run(sizes, args.jobs, args.workdir, args.bare_max)
    else:
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            run(sizes, args.jobs, Path(tmp), args.bare_max)


if __name__ == "__main__":
    main()
