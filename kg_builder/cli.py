"""The command line: parse arguments, call a library function, print.

Exit status: 0 ok; 1 the graph does not conform; 2 usage or input error;
3 built and conforming, but some inputs were skipped (listed in the summary).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import KgBuilderError
from .extract import DEFAULT_MODEL
from .namespace import DEFAULT_BASE
from .pipeline import EXIT_USAGE, build

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Knowledge graphs of defense news, with provenance.",
)


@app.callback()
def _root() -> None:
    """kg-builder: build, validate and query defense-alliance knowledge graphs."""


@app.command("build")
def build_cmd(
    inputs: Annotated[list[Path], typer.Argument(help="Article files or directories.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "out"
    ),
    base: Annotated[
        str, typer.Option(help="IRI base for minted resources.")
    ] = DEFAULT_BASE,
    model: Annotated[
        str, typer.Option(help="spaCy pipeline, or 'blank' for rules only.")
    ] = DEFAULT_MODEL,
    jobs: Annotated[
        int,
        typer.Option(min=1, help="Worker processes for extraction and graphs."),
    ] = 1,
    engine: Annotated[
        str,
        typer.Option(
            help="Where per-article work runs: 'local' (--jobs processes) or "
            "'dask' (an existing Dask cluster, see --scheduler)."
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address for --engine dask (tcp://host:8786)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Build the knowledge graph of INPUTS into --out."""
    logging.basicConfig(
        level=logging.ERROR if quiet else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    missing = [p for p in inputs if not p.exists()]
    if missing:
        typer.echo(f"error: {missing[0]}: no such file or directory", err=True)
        raise typer.Exit(EXIT_USAGE)
    if not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
        typer.echo(
            f"error: --base {base!r} must be an http(s) IRI ending in '/' or '#'",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    if engine not in ("local", "dask") or (engine == "dask") != bool(scheduler):
        typer.echo(
            "error: --engine is 'local' or 'dask', and --scheduler ADDRESS goes "
            "with --engine dask (only)",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    try:
        if engine == "dask":
            from .distributed import DaskEngine

            with DaskEngine(scheduler) as cluster:
                report = build(inputs, out, base=base, model=model, engine=cluster)
        else:
            report = build(inputs, out, base=base, model=model, jobs=jobs)
    except KgBuilderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    for s in report.skipped:
        typer.echo(f"skipped {s}", err=True)
    if not quiet:
        total = sum(report.seconds.values())
        typer.echo(
            f"built {out}/ from {len(report.articles)} articles "
            f"({report.model}) in {total:.1f}s"
        )
        for kind, n in sorted(report.entities.items()):
            typer.echo(f"  {kind:<15} {n:>5}")
        typer.echo(f"  {'mentions':<15} {report.mentions:>5}")
        typer.echo(f"  {'facts':<15} {report.facts:>5}")
        typer.echo(f"  {'assertions':<15} {report.assertions:>5}")
        typer.echo(
            f"  conforms: {'yes' if report.conforms else 'NO (see validation.ttl)'}"
        )
    if not report.conforms:
        typer.echo(report.validation_text, err=True)
    raise typer.Exit(report.exit_status)


# Each further command lives in its own module and registers itself on ``app``.
from . import cli_evaluate, cli_store, cli_web  # noqa: E402,F401


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
