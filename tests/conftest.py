"""Shared fixtures: a rules-only pipeline (fast) and one build of the sample corpus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from kg_builder.extract import build_nlp, extract
from kg_builder.model import Article
from kg_builder.relations import ArticleReading, read_relations
from kg_builder.resources import DATA_DIR

SAMPLES = DATA_DIR / "articles"


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
