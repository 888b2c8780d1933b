"""Commands registered on :data:`kg_builder.cli.app` (see that module)."""

from __future__ import annotations
