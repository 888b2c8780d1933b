"""One hierarchy of errors for the whole package.

::

    KgBuilderError                 base: catch this to catch everything we raise
    ├── UsageError                 bad arguments or settings (exit status 2)
    ├── InputError                 one input file or record cannot be used
    │   ├── ArticleReadError       unreadable, undecodable, empty, binary…
    │   └── FrontMatterError       the YAML front matter is malformed
    ├── ModelError                 the spaCy pipeline cannot be loaded or built
    ├── OutputError                an output cannot be written
    └── QueryError                 a SPARQL query is malformed or failed

Messages say what went wrong, where (file, line, offset) and what to do.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ArticleReadError",
    "FrontMatterError",
    "InputError",
    "KgBuilderError",
    "ModelError",
    "OutputError",
    "QueryError",
    "UsageError",
]


class KgBuilderError(Exception):
    """Base of every error raised by kg-builder."""


class UsageError(KgBuilderError):
    """Bad command-line arguments or settings."""


class InputError(KgBuilderError):
    """One input (a file, or one record of a JSONL file) cannot be used.

    Args:
        path: the file concerned.
        cause: what is wrong with it, in words a user can act on.
        line: 1-based line number, where one applies.
    """

    def __init__(self, path: str | Path, cause: str, line: int | None = None) -> None:
        self.path = str(path)
        self.cause = cause
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {cause}")


class ArticleReadError(InputError):
    """The file cannot be read or decoded as an article."""


class FrontMatterError(InputError):
    """The YAML front matter block is malformed."""


class ModelError(KgBuilderError):
    """The spaCy pipeline cannot be loaded or assembled."""


class OutputError(KgBuilderError):
    """An output file or directory cannot be written."""


class QueryError(KgBuilderError):
    """A SPARQL query is malformed or failed; the message gives the position."""
