"""Where the per-article work runs: in this process, in local worker processes,
or (``kg_builder.distributed``) on a Dask cluster.

An engine maps a module-level function over partitions (lists of articles) and
yields the results in input order, with a bounded number of partitions in
flight, so that a corpus streams through in constant memory. Engines know
nothing of the stages; :mod:`kg_builder.pipeline` says what runs where.

A :class:`Spool` keeps what the pipeline must read twice (the articles, with
their texts) on disk rather than in memory.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

__all__ = ["Engine", "LocalEngine", "Spool"]

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs ``fn(partition, *args)`` for each partition; results in order."""

    #: how many partitions run at once
    parallelism: int

    def map(
        self, fn: Callable[..., R], partitions: Iterable[Any], *args: Any
    ) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalEngine:
    """This process (``jobs=1``) or a pool of ``jobs`` worker processes.

    Workers are started with ``spawn``: a fresh interpreter each, safe whatever
    threads this process has, and the same on every platform. Each loads the
    spaCy model once, on its first partition.
    """

    def __init__(self, jobs: int = 1) -> None:
        self.parallelism = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None
        if self.parallelism > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=self.parallelism,
                mp_context=multiprocessing.get_context("spawn"),
            )

    def map(
        self, fn: Callable[..., R], partitions: Iterable[Any], *args: Any
    ) -> Iterator[R]:
        if self._pool is None:
            for part in partitions:
                yield fn(part, *args)
            return
        pool = self._pool
        window: deque[Future[R]] = deque()
        for part in partitions:
            window.append(pool.submit(fn, part, *args))
            if len(window) > 2 * self.parallelism:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of ``size`` items (the last may be shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Spool:
    """Objects pickled one after the other into a temporary file, read back in
    order as often as needed; the file goes when the spool is closed."""

    def __init__(self, folder: str | Path | None = None) -> None:
        fd, name = tempfile.mkstemp(prefix="kg-builder-", suffix=".spool", dir=folder)
        os.close(fd)
        self.path = Path(name)
        self._file = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self.count = 0

    def append(self, obj: Any) -> None:
        # One pickle per object: a shared pickler's memo would keep them all.
        pickle.dump(obj, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[Any]:
        self._file.flush()
        with open(self.path, "rb") as f:
            for _ in range(self.count):
                yield pickle.load(f)

    def close(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
