"""``kg-builder evaluate``: score extraction against gold annotations.

Registered on :data:`kg_builder.cli.app`; the work is
:func:`kg_builder.evaluate.evaluate`, this only parses, calls and prints.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from .cli import app
from .errors import KgBuilderError
from .evaluate import evaluate, format_report
from .extract import DEFAULT_MODEL
from .pipeline import EXIT_USAGE

__all__ = ["evaluate_cmd"]


@app.command("evaluate")
def evaluate_cmd(
    inputs: Annotated[
        list[Path], typer.Argument(help="Article files or directories to score.")
    ],
    gold: Annotated[
        Path, typer.Option("--gold", help="Gold corpus file (tests/data/gold/*.json).")
    ],
    model: Annotated[
        str, typer.Option(help="spaCy pipeline, or 'blank' for rules only.")
    ] = DEFAULT_MODEL,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the scores as JSON.")
    ] = False,
    baseline: Annotated[
        bool,
        typer.Option(help="Score plain spaCy NER + keyword rules instead."),
    ] = False,
    errors: Annotated[
        bool, typer.Option("--errors", help="Also list what was missed.")
    ] = False,
) -> None:
    """Score extraction and resolution of INPUTS against the --gold annotations."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    missing = [p for p in (gold, *inputs) if not p.exists()]
    if missing:
        typer.echo(f"error: {missing[0]}: no such file or directory", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        ev = evaluate(gold, inputs, model=model, baseline=baseline)
    except KgBuilderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    if as_json:
        typer.echo(json.dumps(ev.to_dict(), indent=1, ensure_ascii=False))
    else:
        typer.echo(format_report(ev, errors=errors))
