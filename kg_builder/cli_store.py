"""Commands registered on :data:`kg_builder.cli.app` (see that module):
``load`` (a build into the embedded store), ``query`` (SPARQL over it) and
``push`` (a build to any Graph Store Protocol endpoint).

Exit status: 0 ok; 2 usage, input or query error, or a refused push.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .cli import app
from .errors import KgBuilderError
from .pipeline import EXIT_USAGE
from .push import PASSWORD_ENV, TOKEN_ENV, Auth, GraphPush, push_build
from .query import render, resolve_query, run_query
from .store import load_build, open_build, open_store

__all__ = ["load_cmd", "push_cmd", "query_cmd"]


class OutputFormat(StrEnum):
    """``kg-builder query --format``."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ntriples = "ntriples"
    turtle = "turtle"


class Syntax(StrEnum):
    """``kg-builder push --syntax``."""

    ntriples = "ntriples"
    turtle = "turtle"


def _fail(exc: KgBuilderError) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(EXIT_USAGE) from exc


@app.command("load")
def load_cmd(
    build_dir: Annotated[
        Path, typer.Argument(metavar="OUT_DIR", help="A directory written by build.")
    ],
    store: Annotated[Path, typer.Option("--store", "-s", help="Store directory.")],
    bulk: Annotated[
        bool | None,
        typer.Option(
            "--bulk/--no-bulk",
            help="Bulk-load (streaming, not transactional). Default: by size.",
        ),
    ] = None,
) -> None:
    """Load the build in OUT_DIR into the on-disk store --store.

    Article graphs replace those of the same articles; entity descriptions merge
    (the newest build's label and types win; alternative labels accumulate).
    """
    try:
        r = load_build(build_dir, store, bulk=bulk)
    except KgBuilderError as exc:
        _fail(exc)
    typer.echo(
        f"loaded {r.build}/ into {r.store}/ in {r.seconds:.1f}s"
        f"{' (bulk)' if r.bulk else ''}: {r.articles} article graphs "
        f"({r.replaced} replaced), {r.described} descriptions, {r.quads} quads"
    )
    typer.echo(f"store: {r.store_graphs} article graphs, {r.store_quads} quads")


@app.command("query")
def query_cmd(
    query: Annotated[
        str,
        typer.Argument(help="SPARQL text, a .rq file, or a shipped query's name."),
    ],
    store: Annotated[
        Path | None, typer.Option("--store", "-s", help="Store directory.")
    ] = None,
    build_dir: Annotated[
        Path | None,
        typer.Option("--build", metavar="OUT_DIR", help="Query a build, unloaded."),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
    max_width: Annotated[
        int, typer.Option(min=0, help="Widest literal in a table cell (0: no limit).")
    ] = 60,
) -> None:
    """Run a SPARQL query over the store (all graphs as the default graph).

    Shipped queries: article-contributions, disputed-counts, fact-sources,
    officials, single-source-facts, treaties, units, wikidata-links.
    """
    if (store is None) == (build_dir is None):
        typer.echo("error: give one of --store DIR or --build OUT_DIR", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        q = resolve_query(query)
        if store is not None:
            db = open_store(store, read_only=True)
        else:
            assert build_dir is not None
            db = open_build(build_dir)
        text = render(run_query(db, q), fmt.value, query=q, max_width=max_width)
    except KgBuilderError as exc:
        _fail(exc)
    typer.echo(text, nl=False)


def _show(item: GraphPush) -> None:
    graph = item.graph or "(default graph)"
    status = f"{item.status}" if item.status is not None else "dry run"
    typer.echo(
        f"  {item.method:<4} {graph}  {item.triples} triples, {item.size} bytes  "
        f"[{status}]"
    )


@app.command("push")
def push_cmd(
    build_dir: Annotated[
        Path, typer.Argument(metavar="OUT_DIR", help="A directory written by build.")
    ],
    endpoint: Annotated[
        str,
        typer.Option(
            "--endpoint",
            "-e",
            help="Graph Store Protocol URL, e.g. http://localhost:7878/store.",
        ),
    ],
    user: Annotated[
        str | None, typer.Option("--user", "-u", help="HTTP basic auth user.")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(envvar=PASSWORD_ENV, show_envvar=True, help="Basic password."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar=TOKEN_ENV, show_envvar=True, help="Bearer token."),
    ] = None,
    syntax: Annotated[
        Syntax, typer.Option(help="Body syntax sent for each graph.")
    ] = Syntax.ntriples,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for each answer.")
    ] = 60.0,
    merge_default: Annotated[
        bool,
        typer.Option(
            "--merge-default",
            help="POST the default graph (add) instead of PUT (replace).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the requests; send nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Send the build in OUT_DIR to a SPARQL Graph Store endpoint, graph by graph.

    Each article's graph is PUT to ENDPOINT?graph=<article IRI> (replacing it);
    the default graph (entities, article metadata) to ENDPOINT?default.
    """
    try:
        # --user selects basic auth (a token in the environment is then
        # ignored); a password in the environment without --user is ignored.
        if user is not None:
            auth = Auth(user=user, password=password)
        else:
            auth = Auth(token=token or None)
        report = push_build(
            build_dir,
            endpoint,
            auth=auth,
            syntax=syntax.value,
            timeout=timeout,
            merge_default=merge_default,
            dry_run=dry_run,
            progress=None if quiet else _show,
        )
    except KgBuilderError as exc:
        _fail(exc)
    verb = "would push" if report.dry_run else "pushed"
    typer.echo(
        f"{verb} {len(report.graphs)} graphs ({report.triples} triples) "
        f"to {report.endpoint} in {report.seconds:.1f}s"
    )
