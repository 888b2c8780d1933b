"""Tests for kg_builder/articles.py: reading files, folders, sidecars and HTML."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg_builder.articles import (
    decode_text,
    extract_html,
    load_metadata,
    read_articles,
    split_front_matter,
)
from kg_builder.errors import (
    ArticleReadError,
    FrontMatterError,
    InputError,
    UsageError,
)
from kg_builder.model import Article
from kg_builder.resources import DATA_DIR


def read_all(*inputs: str | Path, **kwargs: object) -> list[Article | InputError]:
    return list(read_articles(list(inputs), **kwargs))  # type: ignore[arg-type]


def only_article(*inputs: str | Path) -> Article:
    (result,) = read_all(*inputs)
    assert isinstance(result, Article), result
    return result


def only_error(*inputs: str | Path) -> InputError:
    (result,) = read_all(*inputs)
    assert isinstance(result, InputError), result
    return result


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def ids(results: Iterable[Article | InputError]) -> list[str]:
    return [r.id for r in results if isinstance(r, Article)]


# -- plain text and front matter ---------------------------------------------------


def test_plain_text_is_read_as_is(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt", "Headline\n\nBlinken met Austin.\n")
    article = only_article(path)
    assert article.id == "story"
    assert article.text == "Headline\n\nBlinken met Austin.\n"
    assert article.source == str(path)
    assert article.title is None and article.machine_translated is False


def test_front_matter_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.md",
        "---\n"
        "title: US and Japan\n"
        "url: https://example.org/a\n"
        "publisher: Example News\n"
        "published: 2023-01-12\n"
        "language: en\n"
        "machine_translated: true\n"
        "id: custom-id\n"
        "tags: [ignored]\n"
        "---\n"
        "Body text.\n",
    )
    article = only_article(path)
    assert article.id == "custom-id"
    assert article.text == "Body text.\n"
    assert (article.title, article.url, article.publisher) == (
        "US and Japan",
        "https://example.org/a",
        "Example News",
    )
    assert (article.published, article.language) == ("2023-01-12", "en")
    assert article.machine_translated is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-01-12", "2023-01-12"),
        ("2023-01-12T10:30:00Z", "2023-01-12"),
        ("2023-01-12 23:30:00+09:00", "2023-01-12"),
        ("'2023-01-12T10:30:00'", "2023-01-12"),
    ],
)
def test_published_accepts_date_and_datetime(
    tmp_path: Path, value: str, expected: str
) -> None:
    path = write(tmp_path / "a.txt", f"---\npublished: {value}\n---\nText.")
    assert only_article(path).published == expected


def test_front_matter_offsets_are_relative_to_the_text(tmp_path: Path) -> None:
    raw = "---\r\ntitle: T\r\n---\r\nLine one.\r\nBlinken spoke.\r\n"
    article = only_article(write(tmp_path / "a.txt", raw))
    assert article.text == "Line one.\r\nBlinken spoke.\r\n"
    start = article.text.index("Blinken")
    assert raw[raw.index("Line one.") :][start : start + 7] == "Blinken"


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("title: [unclosed\n", 3, "flow sequence started on line 2"),
        ("title: a\n  bad: indent\n", 3, "not valid YAML"),
        ("- just\n- a list\n", 2, "must be a mapping"),
        ("title: a\npublished: January 12\n", 3, "'published' must be an ISO date"),
        ("id: 001\n", 2, "'id' must be a non-empty string"),
        ("language: no\n", 2, "'language' must be a string"),
        ("machine_translated: maybe\n", 2, "'machine_translated' must be true"),
    ],
)
def test_bad_front_matter(tmp_path: Path, front: str, line: int, message: str) -> None:
    path = write(tmp_path / "a.txt", f"---\n{front}---\nText.\n")
    error = only_error(path)
    assert isinstance(error, FrontMatterError)
    assert error.line == line
    assert message in error.cause
    assert str(error).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize(
    "front", ["published: 2023-02-30\n", "a: " + "[" * 5000 + "\n"]
)
def test_yaml_that_python_cannot_build(tmp_path: Path, front: str) -> None:
    error = only_error(write(tmp_path / "a.txt", f"---\n{front}---\nText.\n"))
    assert isinstance(error, FrontMatterError)
    assert "not valid YAML" in error.cause


def test_unclosed_front_matter(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "a.txt", "---\ntitle: a\nText.\n"))
    assert isinstance(error, FrontMatterError)
    assert error.line == 1 and "never closed" in error.cause


def test_empty_front_matter_and_dashes_later_are_fine(tmp_path: Path) -> None:
    assert only_article(write(tmp_path / "a.txt", "---\n---\nText.")).text == "Text."
    text = "Text first.\n---\nnot: front matter\n---\n"
    assert only_article(write(tmp_path / "b.txt", text)).text == text


def test_split_front_matter_without_block() -> None:
    assert split_front_matter("No front matter.", "a.txt") == ({}, 0)


# -- decoding ------------------------------------------------------------------------


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"\xef\xbb\xbfHello.\n")
    assert only_article(path).text == "Hello.\n"


def test_bom_before_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"\xef\xbb\xbf---\ntitle: T\n---\nHello.")
    article = only_article(path)
    assert (article.title, article.text) == ("T", "Hello.")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, codec: str) -> None:
    bom = {
        "utf-16-le": b"\xff\xfe",
        "utf-16-be": b"\xfe\xff",
    }.get(codec, b"")
    text = "Blinken — 日本\r\nSecond line.\r\n"
    path = write(tmp_path / "a.txt", bom + text.encode(codec))
    assert only_article(path).text == text


def test_crlf_is_kept_and_offsets_match_the_file(tmp_path: Path) -> None:
    raw = "Title\r\n\r\nThe 12th Marine Littoral Regiment.\r\nKanoya Air Base.\r\n"
    path = write(tmp_path / "a.txt", raw)
    article = only_article(path)
    assert article.text == raw
    decoded = path.read_bytes().decode("utf-8")
    for needle in ("12th Marine Littoral Regiment", "Kanoya Air Base"):
        start = article.text.index(needle)
        assert decoded[start : start + len(needle)] == needle


def test_invalid_utf8(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "a.txt", b"Caf\xe9 au lait.\n"))
    assert isinstance(error, ArticleReadError)
    assert "not valid UTF-8 at byte 3" in error.cause


def test_binary(tmp_path: Path) -> None:
    error = only_error(
        write(tmp_path / "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    )
    assert isinstance(error, ArticleReadError)
    assert "binary" in error.cause and "NUL byte at byte 8" in error.cause


def test_utf16_without_bom_is_reported_as_binary(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "a.txt", "Hello".encode("utf-16-le")))
    assert isinstance(error, ArticleReadError) and "binary" in error.cause


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf", "the text is empty"),
        (b" \n\t\r\n  ", "only whitespace"),
        (b"---\ntitle: T\n---\n", "the text after the front matter is empty"),
        (b"---\ntitle: T\n---\n\n  \n", "only whitespace"),
    ],
)
def test_empty_and_whitespace_only(tmp_path: Path, data: bytes, message: str) -> None:
    error = only_error(write(tmp_path / "a.txt", data))
    assert isinstance(error, ArticleReadError)
    assert message in error.cause


def test_decode_text_directly() -> None:
    assert decode_text(b"\xef\xbb\xbfA\r\nB", "x.txt") == "A\r\nB"
    with pytest.raises(ArticleReadError, match="not valid UTF-16"):
        decode_text(b"\xff\xfe\x00\xd8", "x.txt")  # a lone surrogate


# -- JSONL ---------------------------------------------------------------------------


def test_jsonl_records_and_a_malformed_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "First.", "title": "One"}),
        "",
        '{"text": "broken',
        json.dumps({"text": "Third.\r\nCRLF kept.", "published": "2023-01-12"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "no text"}),
        json.dumps({"text": "   "}),
        json.dumps({"id": 7, "text": "Numeric id."}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    results = read_all(path)
    assert [type(r).__name__ for r in results] == [
        "Article",
        "InputError",
        "Article",
        "InputError",
        "ArticleReadError",
        "ArticleReadError",
        "Article",
    ]
    first, broken, third, not_object, no_text, blank, numeric = results
    assert isinstance(first, Article) and first.id == "a1" and first.title == "One"
    assert isinstance(broken, InputError) and broken.line == 3
    assert str(broken).startswith(f"{path}:3: not valid JSON")
    assert isinstance(third, Article)
    assert third.id == "batch-4" and third.text == "Third.\r\nCRLF kept."
    assert third.published == "2023-01-12" and third.source == f"{path}:4"
    assert isinstance(not_object, InputError) and not_object.line == 5
    assert isinstance(no_text, InputError) and no_text.line == 6
    assert isinstance(blank, InputError) and "only whitespace" in blank.cause
    assert isinstance(numeric, Article) and numeric.id == "7"


def test_jsonl_invalid_utf8_line_does_not_stop_the_file(tmp_path: Path) -> None:
    data = b'{"text": "ok one"}\n{"text": "caf\xe9"}\n{"text": "ok three"}\n'
    results = read_all(write(tmp_path / "b.jsonl", data))
    assert isinstance(results[1], ArticleReadError) and results[1].line == 2
    assert ids(results) == ["b-1", "b-3"]


def test_jsonl_with_bom_and_utf16(tmp_path: Path) -> None:
    body = '{"text": "Hello."}\r\n{"text": "Again."}\r\n'
    path = write(tmp_path / "u8.jsonl", b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert ids(read_all(path)) == ["u8-1", "u8-2"]
    path = write(tmp_path / "u16.jsonl", body.encode("utf-16"))
    assert ids(read_all(path)) == ["u16-1", "u16-2"]


# -- HTML ----------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Fallback title | Site</title>
  <meta property="og:title" content="US and Japan boost cooperation">
  <meta property="og:url" content="https://example.org/og">
  <link rel="canonical" href="https://example.org/story">
  <meta property="article:published_time" content="2023-01-12T08:00:00+00:00">
  <meta property="og:site_name" content="Example News">
  <script>var tracking = "Skip me";</script>
  <style>p { color: red }</style>
</head>
<body>
  <header><a href="/">Home</a> <a href="/world">World</a></header>
  <nav><ul><li>Politics</li><li>Business</li></ul></nav>
  <div class="cookie-banner">We use cookies.</div>
  <main>
    <article>
      <header><h1>US and Japan boost cooperation</h1></header>
      <p>The United States and Japan agreed on Wednesday.</p>
      <div class="ad-slot">Buy now!</div>
      <p>Blinken said attacks in space could invoke
         Article&nbsp;V &amp; more.</p>
      <figure><img src="x.jpg" alt="x">
        <figcaption>Officials speak.Image: Jane Doe/AP</figcaption></figure>
      <div class="share-tools">Share on Facebook</div>
      <script>document.write("injected")</script>
      <p>Line one<br>Line two</p>
      <aside>Related: something else</aside>
      <section class="related-stories"><h2>Related</h2><p>Other story</p></section>
      <footer>Tags: Japan</footer>
    </article>
  </main>
  <footer>Copyright 2023 Example</footer>
</body>
</html>
"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    article = only_article(write(tmp_path / "page.html", PAGE))
    assert article.id == "page"
    assert article.text == (
        "US and Japan boost cooperation\n\n"
        "The United States and Japan agreed on Wednesday.\n\n"
        "Blinken said attacks in space could invoke Article\u00a0V & more.\n\n"
        "Officials speak.Image: Jane Doe/AP\n\n"
        "Line one\nLine two"
    )
    for dropped in (
        "Skip me",
        "Home",
        "Politics",
        "cookies",
        "Buy now",
        "Share on",
        "injected",
        "Related",
        "Other story",
        "Tags",
        "Copyright",
    ):
        assert dropped not in article.text, dropped
    assert article.title == "US and Japan boost cooperation"
    assert article.url == "https://example.org/story"
    assert article.published == "2023-01-12"
    assert article.publisher == "Example News"
    assert article.language == "en"
    credit = article.text.index("Image: Jane Doe/AP")
    assert [(s.begin, s.end) for s in article.excluded] == [
        (credit, credit + len("Image: Jane Doe/AP"))
    ]


def test_html_without_article_uses_main_then_body(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Only title</title>"
        '<meta property="og:url" content="https://example.org/og"></head>'
        "<body><nav>Menu</nav><main><p>Main text.</p></main>"
        "<p>Outside main.</p></body></html>"
    )
    article = only_article(write(tmp_path / "m.htm", page))
    assert article.text == "Main text."
    assert article.title == "Only title"
    assert article.url == "https://example.org/og"
    body = "<body><div id='site-navigation'>Menu</div><p>A</p><p>B</p></body>"
    assert only_article(write(tmp_path / "b.html", body)).text == "A\n\nB"


def test_html_picks_the_longest_article_outside_chrome() -> None:
    page = (
        "<body><aside><article><p>"
        + "Teaser text that is long. " * 10
        + "</p></article></aside>"
        "<article><p>Short real story.</p></article>"
        "<article class='promo'><p>" + "Promoted. " * 30 + "</p></article></body>"
    )
    assert extract_html(page).text == "Short real story."


def test_html_unclosed_paragraphs_and_lists() -> None:
    page = "<article><p>One<p>Two<ul><li>a<li>b</ul><pre>x  =\n  1</pre></article>"
    assert extract_html(page).text == "One\n\nTwo\n\na\nb\n\nx  =\n  1"


def test_html_with_no_text(tmp_path: Path) -> None:
    page = "<html><body><nav>Only navigation</nav><script>x()</script></body></html>"
    error = only_error(write(tmp_path / "empty.html", page))
    assert isinstance(error, ArticleReadError) and "no text" in error.cause


def test_html_unreadable_published_is_left_out(tmp_path: Path) -> None:
    page = '<meta property="article:published_time" content="last Tuesday"><p>Text.</p>'
    assert only_article(write(tmp_path / "p.html", page)).published is None


# -- files, folders, suffixes ----------------------------------------------------------


def test_unknown_suffix_named_explicitly_is_an_error(tmp_path: Path) -> None:
    error = only_error(write(tmp_path / "notes.pdf", b"%PDF-1.7"))
    assert "unsupported file type '.pdf'" in error.cause
    assert error.path == str(tmp_path / "notes.pdf")


def test_missing_input_is_an_error(tmp_path: Path) -> None:
    error = only_error(tmp_path / "nope.txt")
    assert "no such file" in error.cause


def test_directory_walk_order_hidden_and_unknown_suffixes(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B.")
    write(tmp_path / "a.md", "A.")
    write(tmp_path / "C.TXT", "C.")
    write(tmp_path / "sub" / "z.txt", "Z.")
    write(tmp_path / "sub" / "deeper" / "y.html", "<p>Y.</p>")
    write(tmp_path / "a0" / "x.jsonl", '{"text": "X."}\n')
    write(tmp_path / ".hidden.txt", "H.")
    write(tmp_path / ".git" / "inside.txt", "G.")
    write(tmp_path / "image.png", b"\x89PNG\x00")
    write(tmp_path / "notes.pdf", b"%PDF")
    results = read_all(tmp_path)
    assert all(isinstance(r, Article) for r in results), results
    assert ids(results) == ["C", "a", "x-1", "b", "y", "z"]
    assert ids(read_all(tmp_path)) == ids(results)  # deterministic


def test_symlink_loops_end(tmp_path: Path) -> None:
    write(tmp_path / "root" / "a.txt", "A.")
    write(tmp_path / "elsewhere" / "b.txt", "B.")
    try:
        os.symlink(tmp_path / "root", tmp_path / "root" / "loop")
        os.symlink(tmp_path / "elsewhere", tmp_path / "root" / "linked")
    except OSError:  # pragma: no cover - platforms without symlinks
        pytest.skip("no symlinks here")
    assert ids(read_all(tmp_path / "root")) == ["a", "b"]


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "A.")
    assert ids(read_all(tmp_path, path, path, tmp_path)) == ["a"]


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "one" / "same.txt", "First.")
    write(tmp_path / "two" / "same.txt", "Second.")
    first, second = read_all(tmp_path)
    assert isinstance(first, Article) and first.text == "First."
    assert isinstance(second, InputError)
    assert "duplicate article id 'same'" in second.cause


def test_duplicate_ids_in_jsonl_name_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "d.jsonl",
        '{"id": "x", "text": "One."}\n{"id": "x", "text": "Two."}\n',
    )
    first, second = read_all(path)
    assert isinstance(first, Article) and first.source == f"{path}:1"
    assert isinstance(second, InputError) and not isinstance(second, Article)
    assert (second.path, second.line) == (str(path), 2)


def test_one_bad_file_does_not_stop_the_walk(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Good.")
    write(tmp_path / "b.txt", b"\x00\x01")
    write(tmp_path / "c.txt", "---\n: :\n---\nx")
    write(tmp_path / "d.txt", "Also good.")
    results = read_all(tmp_path)
    assert ids(results) == ["a", "d"]
    assert [type(r).__name__ for r in results] == [
        "Article",
        "ArticleReadError",
        "FrontMatterError",
        "Article",
    ]


# -- metadata sidecar ------------------------------------------------------------


def sidecar(folder: Path, data: object) -> Path:
    return write(folder / "metadata.json", json.dumps(data))


def test_sidecar_is_merged(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Text.")
    sidecar(
        tmp_path,
        {
            "a": {
                "title": "From sidecar",
                "publisher": "P",
                "published": "2023-01-12T09:00:00",
                "language": "en",
                "machine_translated": True,
            }
        },
    )
    article = only_article(tmp_path)
    assert (article.title, article.publisher, article.published) == (
        "From sidecar",
        "P",
        "2023-01-12",
    )
    assert article.language == "en" and article.machine_translated is True
    # also beside a file named explicitly
    assert only_article(tmp_path / "a.txt").title == "From sidecar"


def test_front_matter_wins_over_sidecar_and_mapping(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "---\ntitle: From front matter\n---\nText.")
    write(tmp_path / "b.txt", "Text.")
    sidecar(
        tmp_path,
        {
            "a": {"title": "From sidecar", "url": "https://example.org/a"},
            "b": {"title": "From sidecar", "url": "https://example.org/b"},
        },
    )
    given = {"b": {"title": "From mapping"}}
    a, b = read_all(tmp_path, metadata=given)
    assert isinstance(a, Article) and isinstance(b, Article)
    assert (a.title, a.url) == ("From front matter", "https://example.org/a")
    assert (b.title, b.url) == ("From mapping", "https://example.org/b")


def test_sidecar_keyed_by_front_matter_id(tmp_path: Path) -> None:
    write(tmp_path / "file.txt", "---\nid: real-id\n---\nText.")
    sidecar(tmp_path, {"real-id": {"publisher": "P"}, "file": {"publisher": "no"}})
    assert only_article(tmp_path).publisher == "P"


def test_nearest_sidecar_wins(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "a.txt", "Text.")
    sidecar(tmp_path, {"a": {"title": "outer", "publisher": "outer P"}})
    sidecar(tmp_path / "sub", {"a": {"title": "inner"}})
    article = only_article(tmp_path)
    assert (article.title, article.publisher) == ("inner", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a"]', "expected an object"),
        ('{"a": {"titel": "typo"}}', "unknown field 'titel'"),
        ('{"a": {"published": "yesterday"}}', "ISO date"),
        ('{"a": {"machine_translated": "yes"}}', "true or false"),
    ],
)
def test_bad_sidecar(tmp_path: Path, data: str, message: str) -> None:
    path = write(tmp_path / "metadata.json", data)
    with pytest.raises(InputError, match=re.escape(message)):
        load_metadata(path)
    write(tmp_path / "a.txt", "Text.")
    error, article = read_all(tmp_path)
    assert isinstance(error, InputError) and error.path == str(path)
    assert isinstance(article, Article) and article.title is None


def test_bad_metadata_mapping_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Text.")
    with pytest.raises(UsageError, match="unknown field"):
        read_all(tmp_path, metadata={"a": {"colour": "red"}})


# -- the shipped samples ---------------------------------------------------------


def test_sample_articles_and_their_sidecar() -> None:
    articles = read_all(DATA_DIR / "articles")
    assert all(isinstance(a, Article) for a in articles)
    by_id = {a.id: a for a in articles if isinstance(a, Article)}
    assert sorted(by_id) == sorted(load_metadata(DATA_DIR / "articles/metadata.json"))
    dw = by_id["000_882f0b8c3bdfd23a"]
    assert dw.title == "US and Japan boost security cooperation"
    assert (dw.url, dw.publisher, dw.published, dw.language) == (
        "https://p.dw.com/p/4M2a9",
        "Deutsche Welle",
        "2023-01-12",
        "en",
    )
    assert by_id["002_4325a366f7f17cec"].machine_translated is True
    assert by_id["002_4325a366f7f17cec"].title is None
    assert by_id["003_4492cd740cc923e9"].publisher == "Bloomberg L.P."
    for article in by_id.values():
        path = DATA_DIR / "articles" / f"{article.id}.txt"
        assert article.text == path.read_bytes().decode("utf-8")
        if article.title is not None:  # every title is the text's headline line
            assert article.title in article.text.splitlines()
        assert article.excluded == tuple(
            sorted(article.excluded, key=lambda s: s.begin)
        )


# -- properties ----------------------------------------------------------------------

HTMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div class='ad'>",
                "</div>",
                "<article>",
                "</article>",
                "<br>",
                "<nav>",
                "</nav>",
                "<script>",
                "</script>",
                "&amp;",
                "&#x0;",
                "<li>",
                "<pre>",
                "</pre>",
                "<!--",
                "-->",
                "<header>",
                "</header>",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(HTMLISH)
def test_extract_html_never_raises(html: str) -> None:
    page = extract_html(html)
    assert isinstance(page.text, str)
    assert "\n\n\n" not in page.text or "<pre>" in html


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([".txt", ".md", ".jsonl", ".html"]),
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        st.text(max_size=100).map(lambda t: ("---\n" + t).encode("utf-8")),
    ),
)
def test_any_bytes_give_articles_or_input_errors(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(data)
        for result in read_articles([path]):
            assert isinstance(result, Article | InputError)
            if isinstance(result, Article):
                assert result.text.strip()
                for span in result.excluded:
                    assert span.end <= len(result.text)
