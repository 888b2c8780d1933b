"""Shared fixtures: a rules-only pipeline (fast) and one build of the sample corpus."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from spacy.language import Language

from kg_builder.extract import build_nlp, extract
from kg_builder.model import Article
from kg_builder.relations import ArticleReading, read_relations
from kg_builder.resources import DATA_DIR

SAMPLES = DATA_DIR / "articles"

# Property tests and fuzzers explore new inputs on every run on a developer's
# machine; CI (.ci/run sets KG_HYPOTHESIS_PROFILE=ci) replays a fixed,
# derandomized sequence, so a run on main passes or fails for a reason in the
# code, not in the draw. A failure found locally becomes an @example.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("KG_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def blank_nlp() -> Language:
    return build_nlp("blank")


@pytest.fixture(scope="session")
def read_text(blank_nlp: Language) -> Callable[..., list[ArticleReading]]:
    """Run extraction + relations over texts given as strings (ids a0, a1, …)."""

    def run(*texts: str) -> list[ArticleReading]:
        arts = [
            Article(id=f"a{i}", text=t, source=f"a{i}.txt") for i, t in enumerate(texts)
        ]
        return [read_relations(ea) for ea in extract(arts, blank_nlp)]

    return run


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus built once, with the default (statistical) model."""
    from kg_builder.pipeline import build

    out = tmp_path_factory.mktemp("build") / "out"
    report = build([SAMPLES], out)
    assert report.conforms, report.validation_text
    return out
