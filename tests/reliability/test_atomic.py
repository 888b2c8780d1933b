"""Issue 5, item 3: nothing half-written.

A build writes every output into a fresh directory beside ``out/`` and swaps
it in only when everything is written. These tests kill real builds (``python
-m kg_builder build`` in a subprocess, SIGKILL) while they write and while they
swap, and check that ``out/`` holds the previous outputs, byte for byte, or
(after the swap) the complete new ones; and that a build that fails or reads
nothing leaves ``out/`` alone.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg_builder.pipeline import build
from kg_builder.resources import DATA_DIR
from tests.reliability.support import cli_env, report, run_cli, snapshot

SAMPLES = DATA_DIR / "articles"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two corpora: the samples, and the samples plus 400 small notes (whose
    writing takes long enough to be caught in the act)."""
    root = tmp_path_factory.mktemp("corpora")
    old, new = root / "old", root / "new"
    for corpus in (old, new):
        corpus.mkdir()
        for path in SAMPLES.iterdir():
            (corpus / path.name).write_bytes(path.read_bytes())
    for n in range(400):
        (new / f"note-{n:03d}.txt").write_text(
            f"Note {n}: Camp Schwab on Okinawa was quiet on day {n}.\n"
        )
    return old, new


def _previous_build(corpus: Path, out: Path) -> dict[str, str]:
    build([corpus], out, model="blank")
    before = snapshot(out)
    assert "graph.nq" in before and len(before) > 5
    return before


def _temporaries(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*"))


def test_a_build_killed_while_writing_leaves_the_previous_outputs(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = corpora
    out = tmp_path / "out"
    before = _previous_build(old, out)

    proc = subprocess.Popen(
        [sys.executable, "-m", "kg_builder", "build", str(new), "--out", str(out)]
        + ["--model", "blank", "-q"],
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    caught = False
    deadline = time.monotonic() + 300
    try:
        # The write phase starts when the temporary output directory appears.
        while proc.poll() is None and time.monotonic() < deadline:
            if _temporaries(out):
                proc.send_signal(signal.SIGKILL)
                caught = True
                break
            time.sleep(0.001)
    finally:
        if proc.poll() is None and not caught:
            proc.kill()
        proc.wait()
    assert caught, "the build finished before its write phase was seen"
    assert proc.returncode == -signal.SIGKILL

    assert snapshot(out) == before
    # What the killed build had written stays in its temporary directory,
    # which is not an output; the next build succeeds beside it.
    result = build([new], out, model="blank")
    assert report(out)["articles"] == len(result.articles) == 5 + 400
    assert snapshot(out) != before


_KILL_MID_SWAP = """
import os, signal, sys
import kg_builder.write as write

target = os.path.abspath(sys.argv[1])


def killing(real):
    def call(*args, **kwargs):
        result = real(*args, **kwargs)
        # the first system call that moves the old outputs: die right after it
        if any(os.path.abspath(os.fsdecode(a)) == target for a in args[:2]):
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call


os.rename = killing(os.rename)
if hasattr(write, "_exchange"):
    write._exchange = killing(write._exchange)
from kg_builder.cli import main

sys.argv = ["kg-builder", "build", sys.argv[2], "--out", target, "--model", "blank"]
main()
"""


def test_a_build_killed_while_swapping_leaves_old_or_new_outputs_whole(
    corpora: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL right after the first system call that moves ``out/``. A swap
    done as two renames (old away, new in) leaves no ``out/`` at that instant;
    an atomic exchange leaves the new outputs, whole."""
    old, new = corpora
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build([new], tmp_path / "reference", model="blank")
    reference = snapshot(tmp_path / "reference")
    out = tmp_path / "out"
    before = _previous_build(old, out)
    done = subprocess.run(
        [sys.executable, "-c", _KILL_MID_SWAP, str(out), str(new)],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    after = snapshot(out)
    assert after, f"out/ is gone; left beside it: {_temporaries(out)}"
    assert after in (before, reference)


def test_a_build_that_reads_nothing_leaves_the_outputs_alone(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = corpora
    out = tmp_path / "out"
    before = _previous_build(old, out)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "a.txt").write_bytes(b"\x00\x01")
    done = run_cli(
        "build", str(tmp_path / "junk"), "--out", str(out), "--model", "blank"
    )
    assert done.returncode == 2, done.stderr
    assert "binary content" in done.stderr
    assert snapshot(out) == before
    assert _temporaries(out) == []


def test_a_build_that_cannot_write_leaves_the_outputs_alone(
    corpora: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up half-way through writing: the old outputs stay."""
    old, new = corpora
    out = tmp_path / "out"
    before = _previous_build(old, out)
    real = os.fsync
    calls = {"n": 0}

    def failing(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(Exception, match="No space left on device"):
        build([new], out, model="blank")
    assert calls["n"] >= 3
    assert snapshot(out) == before
    assert _temporaries(out) == []


def test_a_successful_build_replaces_every_old_output(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = corpora
    out = tmp_path / "out"
    _previous_build(old, out)
    one = tmp_path / "one"
    one.mkdir()
    sample = sorted(SAMPLES.glob("*.txt"))[0]
    (one / sample.name).write_bytes(sample.read_bytes())
    build([one], out, model="blank")
    assert sorted(p.name for p in (out / "articles").iterdir()) == [
        sample.stem + ".ttl"
    ]
    assert _temporaries(out) == []


def test_a_failed_exchange_leaves_the_outputs_alone(
    corpora: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg_builder.write as write

    old, new = corpora
    out = tmp_path / "out"
    before = _previous_build(old, out)

    def refuse(a: Path, b: Path) -> bool:
        raise OSError(errno.EIO, "Input/output error", str(b))

    monkeypatch.setattr(write, "_exchange", refuse)
    with pytest.raises(Exception, match="Input/output error"):
        build([new], out, model="blank")
    assert snapshot(out) == before
    assert _temporaries(out) == []
