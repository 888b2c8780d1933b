"""Issue 5, item 4: the same input gives the same bytes.

Two builds in separate processes (different hash seeds, so no set or dict
order can leak into the output) are byte-identical, run time included when
``SOURCE_DATE_EPOCH`` is set; the order in which files are listed or given,
and the number of worker processes, change nothing.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from kg_builder.articles import SUFFIXES
from kg_builder.pipeline import build
from kg_builder.resources import DATA_DIR
from tests.reliability.support import run_cli, snapshot

EPOCH = "1700000000"
ENDED = re.compile(r'prov:endedAtTime "2023-11-14T22:13:20(Z|\+00:00)"\^\^xsd:dateTime')


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, plus inputs whose handling depends on order if anything
    does: the same text under two names, a JSONL file, an HTML page, CRLF."""
    root = tmp_path_factory.mktemp("determinism") / "corpus"
    root.mkdir()
    for path in (DATA_DIR / "articles").iterdir():
        (root / path.name).write_bytes(path.read_bytes())
    text = "Defense Secretary Lloyd Austin visited Camp Schwab on Okinawa.\r\n"
    (root / "twin-b.txt").write_text(text, newline="")
    (root / "twin-a.txt").write_text(text, newline="")
    (root / "z-feed.jsonl").write_text(
        "\n".join(
            json.dumps(
                {"id": f"f{n}", "text": f"Prime Minister Fumio Kishida, day {n}."}
            )
            for n in range(5)
        )
    )
    (root / "page.html").write_text(
        "<title>P</title><article><p>Secretary of State Antony Blinken met "
        "Defense Minister Yasukazu Hamada.</p></article>"
    )
    return root


def test_two_builds_in_two_processes_are_byte_identical(
    corpus: Path, tmp_path: Path
) -> None:
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        done = run_cli(
            "build",
            str(corpus),
            "--out",
            str(out),
            "--model",
            "blank",
            "-q",
            env={"SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 3, done.stderr  # the twin is skipped
        outs.append(out)
    first, second = snapshot(outs[0]), snapshot(outs[1])
    assert len(first) > 10
    assert first == second
    # the run time is there, from SOURCE_DATE_EPOCH, the same in both
    for out in outs:
        assert len(ENDED.findall((out / "graph.ttl").read_text())) == 1


def test_the_run_time_is_the_only_difference_between_epochs(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build([corpus], tmp_path / "a", model="blank")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000060")
    build([corpus], tmp_path / "b", model="blank")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    build([corpus], tmp_path / "c", model="blank")
    a, b, c = (
        (tmp_path / x / "graph.nq").read_text().splitlines() for x in ("a", "b", "c")
    )
    only_a, only_b = set(a) - set(b), set(b) - set(a)
    assert len(only_a) == len(only_b) == 1
    assert "endedAtTime" in only_a.pop() and "2023-11-14T22:14:20" in only_b.pop()
    assert set(c) == set(a) - {line for line in a if "endedAtTime" in line}


def test_file_order_does_not_change_the_output(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build([corpus], tmp_path / "folder", model="blank")
    expected = snapshot(tmp_path / "folder")
    # the article files (metadata.json is their sidecar, not an input)
    files = sorted(p for p in corpus.iterdir() if p.suffix in SUFFIXES)
    for seed in range(3):
        shuffled = files[:]
        random.Random(seed).shuffle(shuffled)
        out = tmp_path / f"shuffled-{seed}"
        build(shuffled, out, model="blank")
        assert snapshot(out) == expected, [p.name for p in shuffled]
    # a file named twice, and a folder with one of its files named again
    out = tmp_path / "overlapping"
    build([files[3], corpus, files[0], files[3]], out, model="blank")
    assert snapshot(out) == expected


def test_the_twin_kept_is_the_same_whatever_the_order(
    corpus: Path, tmp_path: Path
) -> None:
    ids = []
    for order in (
        [corpus / "twin-b.txt", corpus / "twin-a.txt"],
        [corpus / "twin-a.txt", corpus / "twin-b.txt"],
    ):
        result = build(order, tmp_path / "out", model="blank")
        ids.append([a.id for a in result.articles])
        assert [s.cause.split(";")[0] for s in result.skipped] == [
            f"same text as {corpus / 'twin-a.txt'}"
        ]
    assert ids == [["twin-a"], ["twin-a"]]


def test_worker_processes_do_not_change_the_output(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build([corpus], tmp_path / "one", model="blank")
    build([corpus], tmp_path / "two", model="blank", jobs=2)
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")
