"""kg-builder: knowledge graphs of defense and foreign-policy news, with provenance.

>>> from kg_builder import build  # doctest: +SKIP
>>> build([Path("data/articles")], Path("out")).conforms  # doctest: +SKIP
True
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ArticleReadError,
    FrontMatterError,
    InputError,
    KgBuilderError,
    ModelError,
    OutputError,
    QueryError,
    UsageError,
)


def __getattr__(name: str) -> object:
    # The pipeline pulls in spaCy and pySHACL: import it only when asked for, so
    # `import kg_builder.iri` stays cheap.
    if name in ("build", "BuildReport"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'kg_builder' has no attribute {name!r}")


__all__ = [
    "ArticleReadError",
    "BuildReport",
    "FrontMatterError",
    "InputError",
    "KgBuilderError",
    "ModelError",
    "OutputError",
    "QueryError",
    "UsageError",
    "__version__",
    "build",
]
