"""Commands registered on :data:`kg_builder.cli.app` (see that module):
``serve`` (the store over HTTP: SPARQL and linked data) and ``publish`` (a build
as a static linked-data site).

Exit status: 0 ok; 2 usage or input error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .cli import app
from .errors import KgBuilderError
from .namespace import DEFAULT_BASE
from .pipeline import EXIT_USAGE
from .server import DEFAULT_MAX_RESULTS, DEFAULT_QUERY_TIMEOUT, GraphServer, serve
from .site import publish

__all__ = ["publish_cmd", "serve_cmd"]

_Base = Annotated[
    str, typer.Option(help="IRI base the graph was built with; {base}X is /id/X.")
]


def _fail(exc: KgBuilderError) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(EXIT_USAGE) from exc


def _check_base(base: str) -> None:
    if not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
        typer.echo(
            f"error: --base {base!r} must be an http(s) IRI ending in '/' or '#'",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)


@app.command("serve")
def serve_cmd(
    store: Annotated[Path, typer.Option("--store", "-s", help="Store directory.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8000,
    base: _Base = DEFAULT_BASE,
    query_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a SPARQL query may run.")
    ] = DEFAULT_QUERY_TIMEOUT,
    max_results: Annotated[
        int, typer.Option(min=1, help="Rows or triples a SPARQL answer holds at most.")
    ] = DEFAULT_MAX_RESULTS,
    workers: Annotated[
        int, typer.Option(min=1, help="SPARQL queries that run at once.")
    ] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Serve the store: SPARQL at /sparql, a page and RDF for every resource."""
    _check_base(base)

    def ready(server: GraphServer) -> None:
        typer.echo(f"serving {store} at {server.url} (SPARQL: {server.url}sparql)")
        typer.echo(f"  {base}X is at {server.url}id/X; Ctrl-C stops")

    try:
        serve(
            store,
            host,
            port,
            base=base,
            query_timeout=query_timeout,
            max_results=max_results,
            workers=workers,
            quiet=quiet,
            ready=ready,
        )
    except KgBuilderError as exc:
        _fail(exc)


@app.command("publish")
def publish_cmd(
    build_dir: Annotated[
        Path, typer.Argument(metavar="OUT_DIR", help="A directory written by build.")
    ],
    site: Annotated[Path, typer.Option("--site", help="Directory for the site.")],
    base: _Base = DEFAULT_BASE,
) -> None:
    """Write OUT_DIR as a static linked-data site: HTML, Turtle, JSON-LD, N-Triples."""
    _check_base(base)
    try:
        report = publish(build_dir, site, base=base)
    except KgBuilderError as exc:
        _fail(exc)
    pages = sum(f.endswith(".html") for f in report.files)
    typer.echo(
        f"published {site}/: {report.resources} resources, "
        f"{pages} pages, {len(report.files)} files"
    )
