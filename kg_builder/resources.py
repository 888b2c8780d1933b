"""Where the project's shipped files live (ontology, shapes, data, queries).

They sit at the repository root beside the package (the layout of DESIGN.md), and
the README installs the project in editable mode, so they are found from here.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "ONTOLOGY_FILE", "QUERIES_DIR", "ROOT", "SHAPES_FILE"]

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
ONTOLOGY_FILE = ROOT / "ontology" / "defense-alliance.ttl"
SHAPES_FILE = ROOT / "shapes" / "defense-alliance.shapes.ttl"
QUERIES_DIR = ROOT / "queries"
