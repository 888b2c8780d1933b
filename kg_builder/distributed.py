"""Run a build's per-article work on an existing Dask cluster.

``kg-builder build --engine dask --scheduler tcp://host:8786`` (or
``build(..., engine=DaskEngine("tcp://host:8786"))``) reads the articles on this
machine, ships them to the cluster in partitions, and gets back what each
partition yields: first its mentions and sentences (spaCy runs on the workers),
then, once the corpus is resolved here, each partition's graph, rendered and
validated (its N-Quads, Turtle and TriG pieces). The pieces are written to disk
as per-partition runs and merged into the outputs here
(:mod:`kg_builder.write_parts`), so the result is the same graph, byte for
byte, as a local build.

Resolution stays on this machine: it needs every article's mention records,
which are small next to the texts and the parse. Workers need kg-builder and
its model installed (``pip install 'kg-builder[dask]'``); they need no shared
file system. See ``docs/scaling.md``.

Requires the optional ``dask`` extra (``dask[distributed]``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .errors import UsageError

__all__ = ["DaskEngine"]

R = TypeVar("R")


class DaskEngine:
    """An :class:`kg_builder.engine.Engine` on a Dask cluster.

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``), or a
            ``distributed.Client`` (or anything its constructor accepts, such as
            a ``LocalCluster``).
        in_flight: partitions submitted ahead per worker thread.

    Raises:
        UsageError: dask is not installed, or the scheduler cannot be reached.
    """

    def __init__(self, scheduler: Any, *, in_flight: int = 2) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - the extra is missing
            raise UsageError(
                "--engine dask needs Dask: pip install 'kg-builder[dask]'"
            ) from exc
        self._own = not isinstance(scheduler, Client)
        try:
            self.client = Client(scheduler) if self._own else scheduler
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler {scheduler!r}: {exc}"
            ) from exc
        threads = sum(self.client.nthreads().values()) or 1
        self.parallelism = threads
        self._window = max(2, in_flight * threads)

    def map(
        self, fn: Callable[..., R], partitions: Iterable[Any], *args: Any
    ) -> Iterator[R]:
        """Submit ``fn(partition, *args)`` per partition; yield results in order.

        At most ``in_flight`` partitions per worker thread are on the cluster
        at once, so the driver's memory stays bounded however large the corpus.
        """
        window: deque[Any] = deque()
        for part in partitions:
            # pure=False: two equal partitions are still two pieces of work
            window.append(self.client.submit(fn, part, *args, pure=False))
            if len(window) >= self._window:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    def close(self) -> None:
        if self._own:
            self.client.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
