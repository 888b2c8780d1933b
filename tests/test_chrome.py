"""Tests for kg_builder/chrome.py: page chrome on the real sample articles."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg_builder.chrome import (
    CHROME_FILE,
    KINDS,
    default_chrome_rules,
    find_chrome,
    load_chrome_rules,
)
from kg_builder.errors import UsageError
from kg_builder.model import Span
from kg_builder.resources import DATA_DIR

ARTICLES = DATA_DIR / "articles"
SAMPLES = sorted(ARTICLES.glob("*.txt"))
CREDIT = re.compile(r"(?:Photographer|Photo By|Image|VIRIN)\s*:")


def read(name: str) -> str:
    (path,) = ARTICLES.glob(f"{name}_*.txt")
    return path.read_bytes().decode("utf-8")


def excluded_text(text: str) -> list[str]:
    return [text[s.begin : s.end] for s in find_chrome(text)]


def is_excluded(text: str, needle: str, nth: int = 0) -> bool:
    """Whether the nth occurrence of ``needle`` lies wholly inside chrome."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    target = Span(start, start + len(needle))
    return any(s.contains(target) for s in find_chrome(text))


def touches_chrome(text: str, begin: int, end: int) -> bool:
    target = Span(begin, end)
    return any(s.overlaps(target) for s in find_chrome(text))


def test_samples_are_there() -> None:
    assert len(SAMPLES) == 5


# -- what must be excluded ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("000", "Skip to content"),
        ("000", "Skip to main menu"),
        ("000", "Skip to more DW sites"),
        ("000", "https://p.dw.com/p/4M2a9"),
        ("000", "dh/fb (AP, AFP)"),
        ("001", "Connect with us"),
        ("001", "Hi, what are you looking for?"),
        ("001", "World News"),
        ("001", "You May Also Like"),
        ("001", "International Monetary Fund"),  # an advert teaser
        ("001", "Instagram"),
        ("001", "Disclaimer:"),
        ("001", "should not be considered as personalized financial advice"),
        ("001", "Copyright © 2023 | All Rights Reserved"),
        ("003", "ADVERTISEMENT"),
        ("003", "(Updates with joint statement provisions"),
        ("003", "More stories like this are available on bloomberg.com"),
        ("003", "©2023 Bloomberg L.P."),
        ("004", "An official website of the United States Government"),
        ("004", "Here's how you know"),
        ("004", "Official websites use .gov"),
        ("004", ".gov website belongs to an official government organization"),
        ("004", "Secure .gov websites use HTTPS"),
        ("004", "Share sensitive information only on official, secure websites."),
        ("004", "Photo By: DOD screenshot"),
        ("004", "VIRIN: 230111-D-D0439-100S"),
        ("004", "Related Stories"),
    ],
)
def test_chrome_is_excluded(name: str, needle: str) -> None:
    assert is_excluded(read(name), needle), needle


@pytest.mark.parametrize(
    ("name", "photographer", "count"),
    [
        ("000", "Alex Brandon", 1),
        ("003", "Charly Triballeau", 2),
        ("003", "Ting Shen", 2),
        ("004", "Elias Chelala", 1),
        ("004", "Alexis Sandoval", 1),
        ("004", "Manuel Alvarado", 1),
    ],
)
def test_photographers_are_excluded(name: str, photographer: str, count: int) -> None:
    text = read(name)
    assert text.count(photographer) == count
    for nth in range(count):
        assert is_excluded(text, photographer, nth), (photographer, nth)


def test_only_the_credit_of_a_glued_caption_is_excluded() -> None:
    text = read("003")
    line = "Lloyd Austin, on Jan. 11.Photographer: Ting Shen/Bloomberg"
    start = text.index(line)
    credit = start + line.index("Photographer")
    spans = [s for s in find_chrome(text) if s.overlaps(Span(start, start + len(line)))]
    assert [s.begin for s in spans] == [credit]
    assert not touches_chrome(text, start, credit)

    text = read("000")
    glued = "news conferenceImage: Alex Brandon"
    at = text.index(glued) + glued.index("Image")
    assert any(s.begin == at for s in find_chrome(text))
    assert not touches_chrome(text, text.index(glued), at)


def test_the_reuters_signoff_is_excluded_not_its_sentence() -> None:
    text = read("001")
    sentence = "In total, there are about 54,000 US troops in Japan."
    start = text.index(sentence)
    assert not touches_chrome(text, start, start + len(sentence))
    assert is_excluded(text, "— Reuters")
    # Reuters as a source in the story is content.
    assert not is_excluded(text, "told Reuters")


def test_the_machine_translation_has_no_chrome() -> None:
    assert find_chrome(read("002")) == ()


# -- what must not be excluded ----------------------------------------------------


@pytest.mark.parametrize(
    "caption",
    [
        "speak during a news conference",
        "Type 16 maneuver combat vehicle fires ammunition",
        "Yoshimasa Hayashi, Japan’s foreign minister, second left, speaks",
        "Screenshot of Secretary of Defense Lloyd J. Austin III at State Department",
        "A U.S. Army Blackhawk flies near Mount Fuji, Japan, Jan. 18, 2022.",
        "U.S. Air Force Capt. Nestor Soriano, 17th Special Operations Squadron",
        "The 31st Marine Expeditionary Unit regularly conducts training exercises",
    ],
)
def test_captions_stay_content(caption: str) -> None:
    for path in SAMPLES:
        text = path.read_bytes().decode("utf-8")
        start = text.find(caption)
        while start >= 0:
            assert not touches_chrome(text, start, start + len(caption)), caption
            start = text.find(caption, start + 1)


@pytest.mark.parametrize(
    "keyword",
    [
        "Blinken",
        "12th Marine",
        "Article V",
        "Article Five",
        "Kanoya Air Base",
        "Austin",
    ],
)
def test_no_real_sentence_is_excluded(keyword: str) -> None:
    """Every line naming the keyword is content up to at most a trailing credit."""
    seen = 0
    for path in SAMPLES:
        text = path.read_bytes().decode("utf-8")
        start = 0
        for line in text.splitlines(keepends=True):
            end = start + len(line)
            last = line.rfind(keyword)
            if last >= 0:
                seen += 1
                for span in find_chrome(text):
                    if span.overlaps(Span(start, end)):
                        assert span.begin > start + last, (path.name, line)
                        assert CREDIT.match(text, span.begin), (path.name, line)
            start = end
    assert seen > 0


def test_headlines_and_subheads_stay_content() -> None:
    for name, line in [
        ("000", "US and Japan boost security cooperation"),
        ("000", "Attacks from space"),
        (
            "001",
            "US and Japan agree to step up security cooperation amid China worries",
        ),
        ("003", "Joint Statement"),
        ("004", "U.S. and Japanese Leaders Chart Path"),
        ("004", "Scenic Route"),
    ]:
        text = read(name)
        start = text.index(line)
        assert not touches_chrome(text, start, start + len(line)), line


# -- the pattern file ----------------------------------------------------------------


def test_pattern_file_is_well_formed() -> None:
    raw = json.loads(CHROME_FILE.read_text(encoding="utf-8"))
    ids = [p["id"] for p in raw["patterns"]]
    assert len(ids) == len(set(ids))
    assert {p["kind"] for p in raw["patterns"]} == set(KINDS)
    assert all(p["comment"].strip() for p in raw["patterns"])
    rules = load_chrome_rules()
    assert len(rules.patterns) == len(ids)
    assert default_chrome_rules() is default_chrome_rules()  # loaded once


def test_no_sample_specific_string_in_code() -> None:
    """The patterns live in data/chrome.json; the code's strings name none."""
    source = Path(__file__).parent.parent / "kg_builder" / "chrome.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
    for needle in ("Reuters", "Bloomberg", "DW", "VIRIN", "Photo", "Skip", ".gov"):
        assert not any(needle in s for s in strings), needle


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "'patterns' list"),
        (
            '{"patterns": [{"id": "a", "kind": "nope", "pattern": "x", '
            '"comment": "c"}]}',
            "kind 'nope'",
        ),
        (
            '{"patterns": [{"id": "a", "kind": "line", "pattern": "(", '
            '"comment": "c"}]}',
            "bad regular expression",
        ),
        (
            '{"patterns": [{"id": "a", "kind": "line", "pattern": "x", '
            '"comment": "c"}, {"id": "a", "kind": "line", "pattern": "y", '
            '"comment": "c"}]}',
            "duplicate id",
        ),
        (
            '{"patterns": [{"id": "a", "kind": "line", "pattern": "x"}]}',
            "where the pattern came from",
        ),
    ],
)
def test_bad_pattern_file_is_a_usage_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "chrome.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape(message)) as info:
        load_chrome_rules(path)
    assert str(path) in str(info.value)


def test_custom_rules() -> None:
    rules = load_chrome_rules(CHROME_FILE)
    assert find_chrome("Skip to content\nBody.", rules) == (Span(0, 15),)


def test_crlf_and_merging() -> None:
    text = "Skip to content\r\n\r\nWorld News\r\nBody text here.\r\n"
    assert excluded_text(text) == ["Skip to content\r\n\r\nWorld News"]


def test_early_trailer_marker_only_excludes_its_line() -> None:
    body = "The treaty covers space. " * 20
    text = f"Intro.\nRelated Stories\n{body}\n"
    assert excluded_text(text) == ["Related Stories"]
    text = f"{body}\nRelated Stories\nTeaser one\nTeaser two\n"
    assert excluded_text(text) == ["Related Stories\nTeaser one\nTeaser two"]


def test_phrases_inside_sentences_are_not_chrome() -> None:
    text = (
        "Officials said World News outlets would skip to content later.\n"
        "The image: a smiling minister.\n"
        "Advertisement revenue fell, the ministry said.\n"
    )
    assert find_chrome(text) == ()


# -- properties ----------------------------------------------------------------------


LINES = st.sampled_from(
    [
        "Skip to content",
        "Related Stories",
        "Photo By: Someone",
        "VIRIN: 220118-A-RG339-058",
        "Caption.Photographer: A B/AFP",
        "ADVERTISEMENT",
        "https://example.org/x",
        "Blinken met Austin.",
        "",
        "   ",
        "\u00a0",
        "— Reuters",
    ]
)
TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=12).flatmap(
        lambda parts: st.sampled_from(["\n", "\r\n", "\r", "\n\n"]).map(
            lambda sep: sep.join(parts)
        )
    ),
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_spans_are_sorted_disjoint_and_in_range(text: str) -> None:
    spans = find_chrome(text)
    previous_end = -1
    for span in spans:
        assert 0 <= span.begin < span.end <= len(text)
        assert span.begin > previous_end
        assert not text[span.begin].isspace()
        assert not text[span.end - 1].isspace()
        previous_end = span.end
    assert find_chrome(text) == spans  # deterministic
