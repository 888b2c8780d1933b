"""Issue 5, item 1: a folder of thousands of files, read in full, in one build."""

from __future__ import annotations

import os
from pathlib import Path

from kg_builder.pipeline import EXIT_PARTIAL, build
from tests.reliability.support import report

N_FILES = 3_000


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_thousands_of_files_are_all_read_with_no_descriptor_left_open(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    for n in range(N_FILES):
        # spread over nested folders, as scrapers store pages
        folder = corpus / f"{n % 7}" / f"{n % 13}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note-{n:05d}.txt").write_text(
            f"Note {n}: the harbour was calm on day {n}.\n", encoding="utf-8"
        )
    (corpus / "3" / "bad.txt").write_bytes(b"\xff\xfe\xfd")
    fds = _open_fds()

    result = build([corpus], tmp_path / "out", model="blank")

    assert _open_fds() <= fds
    assert result.exit_status == EXIT_PARTIAL
    summary = report(tmp_path / "out")
    assert summary["articles"] == N_FILES
    assert {r["id"] for r in summary["read"]} == {
        f"note-{n:05d}" for n in range(N_FILES)
    }
    assert [s["source"] for s in summary["skipped"]] == [str(corpus / "3" / "bad.txt")]
    assert len(list((tmp_path / "out" / "articles").iterdir())) == N_FILES
