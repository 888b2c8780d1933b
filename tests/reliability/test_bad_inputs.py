"""Issue 5, item 1: hostile and messy inputs, one build over all of them.

One folder holds every kind of bad input next to good articles that share its
troubles (CRLF, UTF-16, a 2 MB line...). It is built once through the CLI with
the blank model; each test then checks one promise: every bad input is named
with its cause (on stderr and in ``report.json``), every other article is built,
nothing is skipped silently, offsets stay right, and the exit status is 3.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg_builder.cli import app
from kg_builder.namespace import NIF
from kg_builder.pipeline import EXIT_PARTIAL, EXIT_USAGE
from tests.reliability.support import (
    check_parses_alike,
    check_rapper,
    load_graph,
    report,
    snapshot,
)

ARTICLE = (
    "Secretary of State Antony Blinken met Defense Minister Yasukazu Hamada at "
    "Camp Schwab on Okinawa.\n"
    "The 12th Marine Regiment will become the 12th Marine Littoral Regiment.\n"
)
NON_ASCII = (
    "Zürich — Japan’s Prime Minister Fumio Kishida visited Kadena Air Base. 😀 "
    "Defense Secretary Lloyd Austin agreed.\n"
)
LONG_LINE = 2_000_000


@dataclass(frozen=True)
class Bad:
    """A bad input: where it is (relative to the corpus) and what the report says."""

    path: str
    cause: str
    line: int | None = None


#: every bad input of the corpus and what its report entry says
BAD: list[Bad] = [
    Bad("feed.jsonl", "not valid JSON", 2),
    Bad("feed.jsonl", "expected a JSON object, not list", 3),
    Bad("feed.jsonl", "no 'text' string", 4),
    Bad("feed.jsonl", "not valid UTF-8", 5),
    Bad("feed.jsonl", "'text' contains only whitespace", 6),
    Bad("feed.jsonl", "path separator", 7),
    Bad("feed.jsonl", "NUL character", 8),
    Bad("feed.jsonl", "'published' must be an ISO date", 9),
    Bad("feed.jsonl", "not valid JSON", 12),
    Bad("feed.jsonl", "'id' must be a non-empty string", 13),
    Bad("feed-16.jsonl", "not valid JSON", 2),
    Bad("empty.txt", "the file is empty"),
    Bad("bom-only.txt", "the text is empty"),
    Bad("latin-1.html", "not valid UTF-8 at byte"),
    Bad("blank.txt", "contains only whitespace"),
    Bad("binary.txt", "binary content"),
    Bad("image.html", "binary content"),
    Bad("latin-1.txt", "not valid UTF-8 at byte 3"),
    Bad("utf16-no-bom.txt", "binary content"),
    Bad("utf16-broken.txt", "not valid UTF-16"),
    Bad("fm-unclosed.md", "never closed", 1),
    Bad("fm-yaml.md", "not valid YAML", 3),
    Bad("fm-list.md", "must be a mapping", 2),
    Bad("fm-date.md", "not valid YAML: day is out of range for month", 1),
    Bad("fm-title.md", "'title' must be a string", 2),
    Bad("fm-id.md", "path separator", 2),
    Bad("fm-no-body.md", "the text after the front matter is empty"),
    Bad("fm-url.md", "'url' must be a string", 3),
    Bad("fm-translated.md", "'machine_translated' must be true or false", 2),
    Bad("fm-tabs.md", "not valid YAML", 3),
    Bad("html-chrome-only.html", "no text found"),
    Bad("dup-b.txt", "same text as"),
    Bad("case.txt", "duplicate article id 'case', first read (as 'Case')"),
    Bad("locked.txt", "Permission denied"),
    Bad("pipe.txt", "named pipe"),
    Bad("socket.txt", "a socket"),
    Bad("loop-a.txt", "symbolic link loop"),
    Bad("loop-b.txt", "symbolic link loop"),
    Bad("dangling.txt", "broken symbolic link"),
    Bad("sidecar/metadata.json", "not valid JSON", 1),
    Bad("notes.pdf", "unsupported file type '.pdf'"),
]


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def make_corpus(root: Path) -> set[str]:
    """Write the messy corpus (the bad inputs of :data:`BAD` among good
    articles); return the ids of the articles that must be built."""
    root.mkdir()
    good: set[str] = set()

    def put(rel: str, data: bytes | str) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    # -- good articles, each with one of the troubles ---------------------------
    put("plain.txt", ARTICLE)
    put("crlf.txt", _crlf(NON_ASCII + ARTICLE))
    put(
        "utf16-bom.txt",
        "\ufeff".encode("utf-16-le") + _crlf(ARTICLE).encode("utf-16-le"),
    )
    put("utf32-bom.md", ("\ufeff" + NON_ASCII).encode("utf-32"))
    put("utf8-bom.md", "\ufeff---\ntitle: With a BOM\n---\n" + NON_ASCII)
    put(
        "long-line.txt",
        "Defense Secretary Lloyd Austin spoke first.\n"
        + "x" * LONG_LINE
        + "\n"
        + NON_ASCII,
    )
    put(
        "page.html",
        "<html lang=en><head><title>Broken page</title><body><nav>Home</nav>"
        "<p>Secretary of State Antony Blinken <b>arrived <i>late<p>"
        "He met Prime Minister Fumio Kishida</span></div>&bogus; &#xD800;<p",
    )
    put("dup-a.txt", "Defense Minister Yasukazu Hamada visited Camp Schwab.\n")
    put("Case.txt", "Prime Minister Fumio Kishida spoke.\n")
    put("folder.txt/inner.txt", "Defense Secretary Lloyd Austin visited Okinawa.\n")
    put("deep/er/nested.md", "---\nid: nested-1\n---\n" + _crlf(ARTICLE) + "Nested.")
    os.symlink("../..", root / "deep" / "er" / "loop-up")  # a folder symlink loop
    good |= {"plain", "crlf", "utf16-bom", "utf32-bom", "utf8-bom", "long-line"}
    good |= {"page", "dup-a", "Case", "inner", "nested-1", "fm-alias", "fm-laughs"}
    good |= {"html-deep", "html-font", "html-head", "html-garbage"}

    # -- JSONL: good and bad records in one file --------------------------------
    lines = [
        json.dumps({"id": "feed-ok", "text": ARTICLE + "Fed.", "title": "Fine"}),
        "{not json",
        "[1, 2, 3]",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "number", "text": 42}),
        json.dumps({"text": " \t "}),
        json.dumps({"id": "a/b", "text": "Okinawa."}),
        json.dumps({"id": "nul", "text": "Okinawa\u0000."}),
        json.dumps({"text": NON_ASCII, "published": "yesterday"}),
        "",
        json.dumps({"text": "Camp Hansen is on Okinawa."}),
        '{"id": "cut", "text": "trunc',
        json.dumps({"id": True, "text": "Camp Courtney."}),
    ]
    data = "\n".join(lines).encode("utf-8")
    data = data.replace(b'"number"', b'"n\xffumber"')  # invalid UTF-8 on line 5
    put("feed.jsonl", data)
    feed16 = json.dumps({"text": "Camp Gonsalves."}) + "\r\n{]\r\n"
    put("feed-16.jsonl", ("\ufeff" + feed16).encode("utf-16-le"))
    good.add("feed-16-1")
    good |= {"feed-ok", "feed-11"}

    # -- files that cannot be articles --------------------------------------------
    put("empty.txt", b"")
    put("bom-only.txt", b"\xef\xbb\xbf")
    put("latin-1.html", "<p>Caf\u00e9 on Okinawa</p>".encode("latin-1"))
    put("blank.txt", " \r\n\t\n")
    put("binary.txt", bytes(range(256)) * 8)
    put("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    put("latin-1.txt", "Caf\u00e9 on Okinawa\n".encode("latin-1"))
    put("utf16-no-bom.txt", ARTICLE.encode("utf-16-le"))
    put("utf16-broken.txt", b"\xff\xfe" + "Okinawa".encode("utf-16-le") + b"\x00\xd8")

    # -- malformed front matter -----------------------------------------------------
    put("fm-unclosed.md", "---\ntitle: Never closed\n\nOkinawa.\n")
    put("fm-yaml.md", "---\ntitle: [unclosed\n---\nOkinawa.\n")
    put("fm-list.md", "---\n- a\n- b\n---\nOkinawa.\n")
    put("fm-date.md", "---\ntitle: T\npublished: 2023-02-30\n---\nOkinawa.\n")
    put("fm-title.md", "---\ntitle: [a, b]\n---\nOkinawa.\n")
    put("fm-id.md", "---\nid: ../../etc/passwd\n---\nOkinawa.\n")
    put("fm-no-body.md", "---\ntitle: Only a title\n---\n")
    put("fm-url.md", "---\ntitle: T\nurl: 5\n---\nOkinawa.\n")
    put("fm-translated.md", "---\nmachine_translated: maybe\n---\nOkinawa.\n")
    put("fm-tabs.md", "---\ntitle: T\n\tpublisher: P\n---\nOkinawa.\n")
    # aliases that refer to themselves, and a "billion laughs": built lazily by
    # PyYAML (shared, not copied), and unknown keys are ignored: read fine
    put("fm-alias.md", "---\na: &a [*a]\n---\nOkinawa.\n")
    laughs = "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10)
    )
    put("fm-laughs.md", "---\nl0: &l0 lol\n" + laughs + "---\nCamp Schwab.\n")

    # -- malformed HTML ---------------------------------------------------------------
    # nested deeper than Python recursion; closing tags that were never opened
    put("html-deep.html", "<div>" * 50_000 + "Okinawa" + "</span>" * 50_000)
    put("html-font.html", "<font>No news. " * 3000 + "<p>Camp Foster is on Okinawa.")
    # an unclosed <head> and <title>: the body still counts
    put("html-head.html", "<head><title>T<body><p>Camp Kinser is on Okinawa.")
    put("html-chrome-only.html", "<html><body><nav>Menu</nav><script>x</script>")
    put("html-garbage.html", "<<<>>><</ <!-- never closed <p>")  # text: <<<>>><</

    # -- the same article twice; ids that would clash -----------------------------
    put("dup-b.txt", (root / "dup-a.txt").read_bytes())
    put("case.txt", "Defense Secretary Lloyd Austin spoke.\n")

    # -- unreadable, not a file, links ---------------------------------------------
    put("locked.txt", ARTICLE + "Locked.\n")  # open() is refused in the build
    os.mkfifo(root / "pipe.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "socket.txt"))
    os.symlink("loop-b.txt", root / "loop-a.txt")
    os.symlink("loop-a.txt", root / "loop-b.txt")
    os.symlink("gone.txt", root / "dangling.txt")

    # -- a broken sidecar: reported; the folder's articles are still read ----------
    put("sidecar/metadata.json", "{not json")
    put("sidecar/with-sidecar.txt", "Prime Minister Fumio Kishida visited Okinawa.\n")
    good.add("with-sidecar")

    # -- silently ignored in folders (documented): hidden files, other suffixes ----
    put(".hidden.txt", ARTICLE)
    put("notes.pdf", b"%PDF-1.4")
    # ... but reported when named explicitly (see the build below)
    return good


@dataclass(frozen=True)
class Built:
    root: Path
    out: Path
    good: set[str]
    exit_code: int
    stderr: str
    report: dict


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("messy")
    root = tmp / "corpus"
    good = make_corpus(root)
    locked = str(root / "locked.txt")
    real_open = os.open

    def refusing_open(path: Any, flags: int, *args: Any, **kw: Any) -> int:
        # We run as root in CI, so chmod 000 does not stop us: refuse here.
        if os.fspath(path) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), locked)
        return real_open(path, flags, *args, **kw)

    out = tmp / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "open", refusing_open)
        result = CliRunner().invoke(
            app,
            ["build", str(root), str(root / "notes.pdf"), "--out", str(out)]
            + ["--model", "blank"],
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return Built(root, out, good, result.exit_code, result.stderr, report(out))


def test_exit_status_says_built_with_inputs_skipped(built: Built) -> None:
    assert built.exit_code == EXIT_PARTIAL, built.stderr
    assert built.report["conforms"] is True


def test_every_readable_article_is_built(built: Built) -> None:
    read = {r["id"] for r in built.report["read"]}
    assert read == built.good
    assert built.report["articles"] == len(built.good)
    files = {p.stem for p in (built.out / "articles").glob("*.ttl")}
    assert len(files) == len(built.good)


@pytest.mark.parametrize("bad", BAD, ids=lambda b: f"{b.path}:{b.line or ''}")
def test_each_bad_input_is_named_with_its_cause(built: Built, bad: Bad) -> None:
    path = str(built.root / bad.path)
    matches = [
        s
        for s in built.report["skipped"]
        if s["source"] == path and bad.cause in s["cause"] and s["line"] == bad.line
    ]
    assert len(matches) == 1, (bad, built.report["skipped"])
    where = f"{path}:{bad.line}" if bad.line is not None else path
    assert f"skipped {where}: " in built.stderr
    assert bad.cause in built.stderr


def test_nothing_is_skipped_silently(built: Built) -> None:
    """Every input is either read or reported: no article is lost."""
    skipped = [(s["source"], s["line"]) for s in built.report["skipped"]]
    expected = [(str(built.root / b.path), b.line) for b in BAD]
    assert sorted(skipped, key=str) == sorted(expected, key=str)


def test_there_are_enough_bad_inputs() -> None:
    assert len(BAD) >= 35


def test_offsets_are_right_on_crlf_utf16_non_ascii_and_after_a_long_line(
    built: Built,
) -> None:
    g = load_graph(built.out / "graph.ttl")
    texts = {str(s): str(o) for s, o in g.subject_objects(NIF.isString)}
    anchored = 0
    found: dict[str, set[str]] = {}
    for node in set(g.subjects(NIF.anchorOf)):
        context = str(g.value(node, NIF.referenceContext))
        begin = int(str(g.value(node, NIF.beginIndex)))
        end = int(str(g.value(node, NIF.endIndex)))
        anchor = str(g.value(node, NIF.anchorOf))
        assert texts[context][begin:end] == anchor, (context, begin, end)
        found.setdefault(context.rsplit("/", 1)[-1], set()).add(anchor)
        anchored += 1
    assert anchored > 50
    for article in ("crlf", "utf32-bom", "long-line"):
        assert {"Fumio Kishida", "Kadena Air Base", "Lloyd Austin"} <= found[article]
    for article in ("crlf", "utf16-bom", "plain"):
        assert {"Antony Blinken", "Camp Schwab", "Okinawa"} <= found[article]
    # CRLF is kept as read: the text is the file's, offsets count "\r"
    crlf = next(t for c, t in texts.items() if c.endswith("/crlf"))
    assert crlf == _crlf(NON_ASCII + ARTICLE)
    long_line = next(t for c, t in texts.items() if c.endswith("/long-line"))
    assert len(long_line) > LONG_LINE


def test_every_output_parses(built: Built) -> None:
    counts = check_parses_alike(built.out)
    assert counts["graph.nq"] == counts["graph.trig"] > counts["validation.ttl"]


def test_every_output_parses_in_rapper(built: Built) -> None:
    check_rapper(built.out)


def test_a_build_with_nothing_readable_exits_2_and_keeps_the_old_outputs(
    built: Built, tmp_path: Path
) -> None:
    only_bad = tmp_path / "only-bad"
    only_bad.mkdir()
    for name in ("empty.txt", "binary.txt", "latin-1.txt", "fm-yaml.md"):
        (only_bad / name).write_bytes((built.root / name).read_bytes())
    before = snapshot(built.out)
    result = CliRunner().invoke(
        app, ["build", str(only_bad), "--out", str(built.out), "--model", "blank"]
    )
    assert result.exit_code == EXIT_USAGE
    assert "no article could be read" in result.stderr
    for name, cause in [("empty.txt", "empty"), ("binary.txt", "binary content")]:
        assert f"{only_bad / name}: " in result.stderr and cause in result.stderr
    assert snapshot(built.out) == before
    assert sorted(p.name for p in built.out.parent.iterdir() if p.name != "corpus") == [
        "out"
    ]


def test_an_empty_folder_exits_2(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    result = CliRunner().invoke(
        app, ["build", str(tmp_path / "nothing"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == EXIT_USAGE
    assert "no .txt, .md, .jsonl or .html files found" in result.stderr
    assert not (tmp_path / "out").exists()
