"""Issue 5, item 6 (reader and extractor): fuzz with a fixed budget.

Hypothesis writes folders of generated files, valid-looking and not: front
matter holding any YAML, JSONL lines holding any JSON, tag soup, random bytes
behind byte-order marks. :func:`read_articles` must yield only articles and
input errors for them, never raise; extraction (blank model, in small pieces,
so cuts fall everywhere) must give spans inside the text whose anchors are the
text. The budget is a number of examples (a few seconds in CI).
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from kg_builder.articles import METADATA_FIELDS, read_articles
from kg_builder.chunking import extract_long
from kg_builder.errors import InputError
from kg_builder.extract import build_nlp
from kg_builder.model import Article

BUDGET = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WORDS = st.sampled_from(
    [
        "Secretary of State Antony Blinken",
        "Defense Minister Yasukazu Hamada",
        "Camp Schwab",
        "Okinawa",
        "12th Marine Regiment",
        "Mr. Austin",
        "Article V",
        "Related Stories",
        "Photo by Cpl. Jane Doe",
        "---",
        "...",
        "\r\n",
        "\n\n",
        "\u2028",
        "\u202e",
        "\ufeff",
        "\x00",
        '"',
        "<p>",
        "&amp;",
    ]
)
text = st.lists(st.one_of(st.text(max_size=20), WORDS), max_size=20).map(" ".join)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    text,
    st.dates(min_value=date(1, 1, 1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)
    ),
    max_leaves=8,
)
fields = st.dictionaries(
    st.one_of(
        st.sampled_from(["id", *METADATA_FIELDS, "text"]),
        text,
    ),
    values,
    max_size=6,
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)
    ),
    max_leaves=8,
)
TAGS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<article>",
        "</article>",
        "<head>",
        "<title>",
        "</title>",
        "<body>",
        "<nav>",
        "<script>",
        "</script>",
        "<pre>",
        "<br>",
        "<font>",
        "<!--",
        "-->",
        "<meta property='og:title' content='T'>",
        "<html lang='x'>",
        "<table><tr><td>",
        "<",
        ">",
        "&#0;",
        "&#x202E;",
    ]
)


def _yaml(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["md", "jsonl", "html", "bytes"]))
    if kind == "md":
        front = draw(st.one_of(fields, values))
        head = "---\n" + _yaml(front) + draw(st.sampled_from(["---\n", "...\n", ""]))
        return ".md", (head + draw(text)).encode("utf-8")
    if kind == "jsonl":
        lines = draw(
            st.lists(
                st.one_of(
                    fields.map(lambda f: json.dumps(f, default=str)),
                    json_values.map(json.dumps),
                    text,
                ),
                max_size=5,
            )
        )
        return ".jsonl", "\n".join(lines).encode("utf-8")
    if kind == "html":
        soup = draw(st.lists(st.one_of(TAGS, text), max_size=25))
        return ".html", "".join(soup).encode("utf-8")
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
    suffix = draw(st.sampled_from([".txt", ".md", ".jsonl", ".html"]))
    return suffix, bom + draw(st.binary(max_size=300))


@pytest.fixture(scope="module")
def blank() -> Language:
    return build_nlp("blank")


@BUDGET
@given(inputs=st.lists(files(), min_size=1, max_size=4))
def test_reading_and_extracting_anything_gives_articles_or_reported_errors(
    blank: Language, inputs: list[tuple[str, bytes]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n, (suffix, data) in enumerate(inputs):
            (folder / f"f{n}{suffix}").write_bytes(data)
        articles: list[Article] = []
        for result in read_articles([folder]):
            if isinstance(result, InputError):
                assert result.path.startswith(str(folder)) and result.cause
                continue
            assert isinstance(result, Article)
            assert result.text.strip() and "\x00" not in result.text
            for span in result.excluded:
                assert 0 <= span.begin < span.end <= len(result.text)
            articles.append(result)
        assert len({a.id for a in articles}) == len(articles)
        for ea in extract_long(articles, blank, max_chars=40):
            n = len(ea.article.text)
            for m in ea.mentions:
                assert 0 <= m.span.begin < m.span.end <= n
                assert ea.article.text[m.span.begin : m.span.end] == m.text
                assert not any(m.span.overlaps(x) for x in ea.article.excluded)
            for s in ea.sentences:
                assert 0 <= s.begin < s.end <= n
