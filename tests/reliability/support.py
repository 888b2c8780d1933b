"""Shared helpers of the reliability suite: parse every output three ways,
check IRIs against RFC 3987, run the CLI in a subprocess, snapshot folders."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.term import _is_valid_uri

REPO = Path(__file__).resolve().parents[2]

#: the RDF files of a build, and how to parse them
RDF_FORMATS: dict[str, tuple[str, ox.RdfFormat, str]] = {
    # suffix: (rdflib format, pyoxigraph format, rapper parser)
    ".ttl": ("turtle", ox.RdfFormat.TURTLE, "turtle"),
    ".trig": ("trig", ox.RdfFormat.TRIG, "trig"),
    ".nq": ("nquads", ox.RdfFormat.N_QUADS, "nquads"),
}

#: N-Quads files larger than this are not parsed with rdflib (see check_parses_alike)
RDFLIB_NQ_MAX = 1_000_000

# --- RFC 3987 -------------------------------------------------------------------

_UCS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd"
    "\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = f"A-Za-z0-9\\-._~{_UCS}"
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
_IPCHAR = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_IUSERINFO = f"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IREG_NAME = f"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_IP_LITERAL = r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]"
_IHOST = f"(?:{_IP_LITERAL}|{_IREG_NAME})"
_IAUTHORITY = f"(?:{_IUSERINFO}@)?{_IHOST}(?::[0-9]*)?"
_ISEGMENT = f"{_IPCHAR}*"
_ISEGMENT_NZ = f"{_IPCHAR}+"
_IHIER = (
    f"(?://{_IAUTHORITY}(?:/{_ISEGMENT})*"
    f"|/(?:{_ISEGMENT_NZ}(?:/{_ISEGMENT})*)?"
    f"|{_ISEGMENT_NZ}(?:/{_ISEGMENT})*"
    f"|)"
)
_IQUERY = f"(?:{_IPCHAR}|[{_PRIVATE}/?])*"
_IFRAGMENT = f"(?:{_IPCHAR}|[/?])*"
#: an absolute IRI (RFC 3987 section 2.2, ``IRI``)
IRI_RE = re.compile(
    f"[A-Za-z][A-Za-z0-9+\\-.]*:{_IHIER}(?:\\?{_IQUERY})?(?:#{_IFRAGMENT})?"
)


def assert_valid_iri(iri: str) -> None:
    """``iri`` matches RFC 3987 and both rdflib and pyoxigraph accept it."""
    assert IRI_RE.fullmatch(iri), f"not an RFC 3987 IRI: {iri!r}"
    ox.NamedNode(iri)  # raises ValueError if Oxigraph disagrees
    assert _is_valid_uri(iri), f"rdflib refuses {iri!r}"


# --- parsing every output ---------------------------------------------------------


def rdf_files(out: Path) -> list[Path]:
    """Every RDF file a build wrote."""
    return sorted(p for p in out.rglob("*") if p.suffix in RDF_FORMATS)


def _rdflib_dataset(data: bytes, fmt: str) -> Dataset:
    # rdflib 7.6's own Dataset.parse calls its deprecated ConjunctiveGraph API.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Dataset().parse(data=data, format=fmt)


def rdflib_count(path: Path) -> int:
    """Statements rdflib reads from ``path`` (quads for TriG and N-Quads)."""
    fmt = RDF_FORMATS[path.suffix][0]
    data = path.read_bytes()  # rdflib leaves a file it opened itself unclosed
    if path.suffix == ".ttl":
        return len(Graph().parse(data=data, format=fmt))
    ds = _rdflib_dataset(data, fmt)
    return sum(1 for _ in ds.quads((None, None, None, None)))


def oxigraph_count(path: Path) -> int:
    """Statements pyoxigraph reads from ``path``."""
    fmt = RDF_FORMATS[path.suffix][1]
    return sum(1 for _ in ox.parse(path=str(path), format=fmt))


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_rapper() -> str:
    """The ``rapper`` executable; skips the test without it, fails it on CI.

    ``scripts/setup-raptor.sh`` installs it (CI runs every ``scripts/setup-*.sh``).
    """
    exe = shutil.which("rapper")
    if exe is None:
        message = "rapper (raptor2-utils) is not installed: run scripts/setup-raptor.sh"
        if _ci():
            pytest.fail(message)
        pytest.skip(message)
    return exe


_RAPPER_COUNT = re.compile(r"Parsing returned (\d+) triples?")


def rapper_count(path: Path) -> int:
    """Statements Raptor's ``rapper`` reads from ``path``; fails on any error or
    warning it prints."""
    exe = require_rapper()
    parser = RDF_FORMATS[path.suffix][2]
    done = subprocess.run(
        [exe, "-i", parser, "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    problems = [
        line for line in done.stderr.splitlines() if "Error" in line or "Warn" in line
    ]
    assert done.returncode == 0 and not problems, f"rapper on {path}:\n{done.stderr}"
    found = _RAPPER_COUNT.search(done.stderr)
    assert found, done.stderr
    return int(found.group(1))


def check_parses_alike(out: Path) -> dict[str, int]:
    """Parse every RDF output of ``out`` with rdflib and pyoxigraph and assert
    they read the same number of statements; returns them by path."""
    counts: dict[str, int] = {}
    for path in rdf_files(out):
        n = oxigraph_count(path)
        # rdflib's N-Quads parser takes ~20 s on one 2 MB line (a long article's
        # nif:isString); the same triples are parsed from Turtle and TriG.
        if path.suffix != ".nq" or path.stat().st_size < RDFLIB_NQ_MAX:
            assert rdflib_count(path) == n, path
        counts[str(path.relative_to(out))] = n
    return counts


def check_rapper(out: Path) -> None:
    """Raptor reads every RDF output of ``out`` as pyoxigraph does."""
    require_rapper()
    for path in rdf_files(out):
        assert rapper_count(path) == oxigraph_count(path), path


def every_iri(out: Path) -> Iterator[str]:
    """Every IRI in the build's N-Quads (subjects, predicates, objects, graphs)."""
    for quad in ox.parse(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS):
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                yield term.value


# --- builds -------------------------------------------------------------------------


def load_graph(path: Path) -> Graph:
    """All the triples of an RDF file, one graph (the named graphs merged)."""
    data = path.read_bytes()
    if path.suffix == ".ttl":
        return Graph().parse(data=data, format="turtle")
    ds = _rdflib_dataset(data, RDF_FORMATS[path.suffix][0])
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def report(out: Path) -> dict[str, Any]:
    """The build's ``report.json``."""
    data: dict[str, Any] = json.loads((out / "report.json").read_text("utf-8"))
    return data


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder`` (empty if absent)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for ``python -m kg_builder``: this checkout first on the
    path, so the subprocess runs the code under test."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [env.get("PYTHONPATH")])]
    )
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(extra or {})
    return env


def cli_command(*args: str) -> list[str]:
    """``python -m kg_builder ARGS`` with the interpreter running the tests."""
    return [sys.executable, "-m", "kg_builder", *args]


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion; stdout and stderr captured as text."""
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        check=False,
        cwd=REPO,
    )
