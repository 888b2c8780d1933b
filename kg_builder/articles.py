"""Read articles: files and folders in, :class:`~kg_builder.model.Article` out.

The first stage of the pipeline (DESIGN.md "Inputs"). :func:`read_articles`
streams articles from ``.txt``/``.md`` files (optional YAML front matter),
``.jsonl`` files (one article per line) and ``.html``/``.htm`` pages (main text
extracted); a file or record that cannot be used is yielded as an
:class:`~kg_builder.errors.InputError` in its place, and the rest goes on.

Text is decoded from bytes (UTF-8, BOM stripped; UTF-16/32 when a BOM says so)
with no newline translation, so ``Article.text`` is exactly the file after its
front matter and every offset into it is an offset into the file's text.

Metadata comes from three places; for each field the first that has it wins:

1. the file itself: front matter, the JSONL record, or the HTML ``<head>``;
2. the ``metadata`` mapping given to :func:`read_articles`;
3. a ``metadata.json`` sidecar (article id -> fields, see :func:`load_metadata`)
   in the folder of the file or any folder above it up to the input folder
   (the nearest one wins).

Inputs are read in path order, whatever order they were given in, so which of
two clashing articles is kept (same text, or ids equal but for case) never
depends on the command line. What cannot be read is named with its cause:
empty or whitespace-only text, binary content, bad encodings, malformed front
matter or JSONL records, pipes, sockets, broken links and link loops (opened
non-blocking, so a named pipe cannot hang the run). A text longer than
:data:`MAX_ARTICLE_CHARS` is read as several articles, ``<id>-part-001``...,
cut at paragraph breaks (:func:`cut_points`), with a warning.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import logging
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from kg_builder.chrome import HtmlChromeRules, default_chrome_rules, find_chrome
from kg_builder.errors import (
    ArticleReadError,
    FrontMatterError,
    InputError,
    UsageError,
)
from kg_builder.iri import article_iri
from kg_builder.model import Article

__all__ = [
    "MAX_ARTICLE_CHARS",
    "METADATA_FIELDS",
    "HtmlPage",
    "SIDECAR_NAME",
    "SUFFIXES",
    "cut_points",
    "decode_text",
    "extract_html",
    "load_metadata",
    "read_articles",
    "split_front_matter",
]

#: file suffixes read (lower-cased); others are skipped in folders
SUFFIXES = (".txt", ".md", ".jsonl", ".html", ".htm")
#: the sidecar looked for in every input folder
SIDECAR_NAME = "metadata.json"
#: fields of the sidecar, of front matter and of JSONL records (besides id, text)
METADATA_FIELDS = (
    "title",
    "url",
    "publisher",
    "published",
    "language",
    "machine_translated",
)
_STRING_FIELDS = ("title", "url", "publisher", "language")
#: the longest text read as one article; longer ones are read in parts. Oxigraph
#: (the project's store and query engine) refuses any RDF term over 16 MiB
#: ("Reached the buffer maximal size of 16777216"), and an article's text is one
#: literal (``nif:isString``): 2.5M characters stay under it even if every one
#: were written as a 6-byte ``\\uXXXX`` escape.
MAX_ARTICLE_CHARS = 2_500_000

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_FENCE = re.compile(r"---[ \t]*(?:\r\n|\r|\n)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\r|\n|\Z)", re.MULTILINE)
_BAD_ID = re.compile(r"[/\\\x00-\x1f\x7f]")

Fields = dict[str, Any]

log = logging.getLogger(__name__)


# -- decoding -----------------------------------------------------------------


def decode_text(data: bytes, path: str | Path, line: int | None = None) -> str:
    """Decode an article's bytes, newlines untouched.

    Args:
        data: the raw bytes.
        path: the file, for messages.
        line: the line of a JSONL record, for messages.

    Returns:
        The text: UTF-8 with any BOM stripped, or UTF-16/UTF-32 when the bytes
        start with that encoding's BOM.

    Raises:
        ArticleReadError: NUL bytes (binary content), or bytes that are not
            valid in the encoding.

    >>> decode_text(b"\\xef\\xbb\\xbfA\\r\\nB", "x.txt")
    'A\\r\\nB'
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ArticleReadError(
                    path,
                    f"not valid {codec.upper()} (it starts with a {codec.upper()} "
                    f"byte-order mark) at byte {exc.start}",
                    line,
                ) from exc
            if "\x00" in text:
                raise ArticleReadError(
                    path, "binary content: NUL character in the text", line
                )
            return text
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ArticleReadError(
            path,
            f"binary content: NUL byte at byte {nul}; articles must be text "
            "(UTF-8, or UTF-16 with a byte-order mark)",
            line,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleReadError(
            path,
            f"not valid UTF-8 at byte {exc.start}; re-save the file as UTF-8",
            line,
        ) from exc


def _check_text(text: str, path: Path, line: int | None, what: str) -> None:
    if not text:
        raise ArticleReadError(path, f"{what} is empty", line)
    if text.isspace():
        raise ArticleReadError(path, f"{what} contains only whitespace", line)
    if "\x00" in text:
        raise ArticleReadError(path, f"binary content: NUL character in {what}", line)


# -- metadata fields ------------------------------------------------------------


class _FieldError(ValueError):
    """A metadata field with a bad value; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _iso_date(value: object) -> str:
    """``YYYY-MM-DD`` from a date, a datetime or an ISO string."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        for parse in (date.fromisoformat, datetime.fromisoformat):
            try:
                parsed = parse(value.strip())
            except ValueError:
                continue
            return (
                parsed.date() if isinstance(parsed, datetime) else parsed
            ).isoformat()
    raise _FieldError(
        "published",
        f"'published' must be an ISO date (YYYY-MM-DD) or datetime, not {value!r}",
    )


def _check_id(value: object, allow_int: bool = False) -> str:
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _FieldError(
            "id", f"'id' must be a non-empty string, not {value!r} (quote it)"
        )
    if _BAD_ID.search(value) or value in (".", ".."):
        raise _FieldError("id", f"'id' {value!r} holds a path separator or control")
    return value


def _fields(record: Mapping[str, Any], strict: bool) -> Fields:
    """Check and normalise the metadata fields of one record.

    Absent and ``None`` values are left out. With ``strict`` (the sidecar),
    unknown keys are an error; otherwise (front matter, JSONL) they are ignored.

    Raises:
        _FieldError: naming the field and what is wrong with it.
    """
    out: Fields = {}
    for key, value in record.items():
        if value is None:
            continue
        if key in _STRING_FIELDS:
            if not isinstance(value, str):
                raise _FieldError(
                    key, f"{key!r} must be a string, not {value!r} (quote it)"
                )
            if value.strip():
                out[key] = value.strip()
        elif key == "published":
            out[key] = _iso_date(value)
        elif key == "machine_translated":
            if not isinstance(value, bool):
                raise _FieldError(
                    key, f"'machine_translated' must be true or false, not {value!r}"
                )
            out[key] = value
        elif strict:
            raise _FieldError(
                str(key),
                f"unknown field {key!r}; expected one of {', '.join(METADATA_FIELDS)}",
            )
    return out


def _check_metadata(raw: object) -> dict[str, Fields]:
    """Validate an id -> fields mapping; ValueError naming the id if not."""
    if not isinstance(raw, Mapping):
        raise ValueError("expected an object mapping article ids to their fields")
    out: dict[str, Fields] = {}
    for article_id, record in raw.items():
        if not isinstance(article_id, str):
            raise ValueError(f"article id {article_id!r} is not a string")
        if not isinstance(record, Mapping):
            raise ValueError(f"{article_id!r}: expected an object of fields")
        try:
            out[article_id] = _fields(record, strict=True)
        except ValueError as exc:
            raise ValueError(f"{article_id!r}: {exc}") from None
    return out


def load_metadata(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a metadata sidecar.

    The file is a JSON object mapping article id to an object with any of
    ``title``, ``url``, ``publisher``, ``published`` (ISO date or datetime,
    stored as ``YYYY-MM-DD``), ``language`` and ``machine_translated``.

    Args:
        path: the JSON file.

    Returns:
        Article id -> checked and normalised fields.

    Raises:
        InputError: the file cannot be read, is not JSON, or a record has an
            unknown field or a value of the wrong type (the message says which).
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise InputError(path, f"cannot read metadata: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8 at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc.msg}", exc.lineno) from exc
    try:
        return _check_metadata(raw)
    except ValueError as exc:
        raise InputError(path, f"bad metadata: {exc}") from exc


# -- front matter ----------------------------------------------------------------


def _key_line(block: str, key: str) -> int:
    """1-based line of ``key:`` in the file, the block starting on line 2."""
    for n, line in enumerate(block.splitlines(), start=2):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return n
    return 1


def split_front_matter(text: str, path: str | Path) -> tuple[dict[str, Any], int]:
    """Split off a YAML front matter block at the very top of ``text``.

    Args:
        text: the decoded file.
        path: the file, for messages.

    Returns:
        ``(fields, offset)``: the front matter's checked fields (``id`` among
        them when given), and where the article's text starts. ``({}, 0)`` when
        the text has no front matter.

    Raises:
        FrontMatterError: the block is never closed, does not parse, is not a
            mapping, or a known field has a bad value; with the file's line.

    >>> split_front_matter("---\\ntitle: T\\n---\\nBody", "a.md")
    ({'title': 'T'}, 17)
    """
    opening = _FENCE.match(text)
    if opening is None:
        return {}, 0
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise FrontMatterError(
            path, "front matter opened by '---' is never closed by a '---' line", 1
        )
    block = text[opening.end() : closing.start()]
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        # Marks are 0-based within the block, which starts on the file's line 2.
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        context_mark = getattr(exc, "context_mark", None)
        if context and context_mark is not None:
            problem = f"{problem} ({context} started on line {context_mark.line + 2})"
        raise FrontMatterError(
            path, f"front matter is not valid YAML: {problem}", line
        ) from None
    except (ValueError, RecursionError) as exc:
        # PyYAML builds dates with datetime (2023-02-30 raises ValueError) and
        # recurses on nesting; both are the block's fault, not ours.
        raise FrontMatterError(
            path, f"front matter is not valid YAML: {exc}", 1
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            path,
            f"front matter must be a mapping of fields, not {type(data).__name__}",
            2,
        )
    try:
        fields = _fields(data, strict=False)
        if data.get("id") is not None:
            fields["id"] = _check_id(data["id"])
    except _FieldError as exc:
        raise FrontMatterError(
            path, f"front matter: {exc}", _key_line(block, exc.key)
        ) from None
    return fields, closing.end()


# -- HTML --------------------------------------------------------------------------

_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
# Never text, whatever the page: the document head, code, widgets.
_NEVER_TEXT = frozenset(
    "head title script style noscript template svg iframe object embed canvas "
    "select option button textarea input meta link".split()
)
_PARAGRAPH = frozenset(
    "p h1 h2 h3 h4 h5 h6 blockquote figure figcaption pre table ul ol dl section "
    "article main header footer address details summary caption hr".split()
)
_LINE = frozenset("div li tr dt dd".split())
# What may stand in <head>; any other start tag ends it (HTML5 "in head" mode).
_HEAD_CONTENT = frozenset(
    "head base basefont bgsound link meta title noscript noframes style script "
    "template".split()
)
# Elements the HTML parser leaves open when the next one starts (<p>a<p>b).
_AUTO_CLOSE = frozenset("p li dt dd tr td th".split())
_NEVER_HINTED = frozenset(("html", "body", "main"))
_HTML_WS = re.compile(r"[ \t\n\r\f]+")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


class _Node:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []

    def text(self) -> str:
        parts: list[str] = []
        todo: list[_Node | str] = [self]
        while todo:  # no recursion: broken pages nest thousands deep
            node = todo.pop()
            if isinstance(node, str):
                parts.append(node)
            else:
                todo.extend(reversed(node.children))
        return _HTML_WS.sub(" ", "".join(parts)).strip()


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: unclosed elements end where an HTML5 parser
    would end them, closely enough for text extraction."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {})
        self.stack = [self.root]
        # Open elements by tag: an end tag nobody opened is dropped at once
        # instead of searching the whole stack (50k of them under 50k open
        # <div>s would take minutes).
        self.open: Counter[str] = Counter()

    def _node(self, tag: str, attrs: list[tuple[str, str | None]]) -> _Node:
        node = _Node(tag, {k.lower(): v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        return node

    def _close_from(self, i: int) -> None:
        self.open.subtract(n.tag for n in self.stack[i:])
        del self.stack[i:]

    def _close(self, tag: str) -> None:
        if self.open[tag] <= 0:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                self._close_from(i)
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HEAD_CONTENT and self.open["head"] > 0:
            # <body>, <p>... end an unclosed <head> (and an unclosed <title>
            # in it), as in HTML5's "in head" insertion mode; else the whole
            # page would sit in <head> and be dropped as not text.
            self._close("head")
        if tag in _AUTO_CLOSE and self.stack[-1].tag == tag:
            self._close_from(len(self.stack) - 1)
        node = self._node(tag, attrs)
        if tag not in _VOID:
            self.stack.append(node)
            self.open[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._node(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._close(tag)

    def handle_data(self, data: str) -> None:
        if self.stack[-1].tag == "head" and data.strip():
            self._close("head")  # text in <head> starts the body, as in HTML5
        self.stack[-1].children.append(data)


class _Writer:
    """Joins text runs: HTML whitespace collapsed, blocks become line breaks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.breaks = 0
        self.space = False

    def text(self, s: str, pre: bool) -> None:
        trail = False
        if not pre:
            s = _HTML_WS.sub(" ", s)
            self.space = self.space or s.startswith(" ")
            trail = s.endswith(" ")
            s = s.strip(" ")
        if not s:
            return
        if self.parts and self.breaks:
            self.parts.append("\n" * self.breaks)
        elif self.parts and self.space:
            self.parts.append(" ")
        self.parts.append(s)
        self.breaks, self.space = 0, trail

    def brk(self, n: int) -> None:
        self.breaks = max(self.breaks, n)

    def result(self) -> str:
        return "".join(self.parts)


def _dropped(node: _Node, rules: HtmlChromeRules, in_article: bool) -> bool:
    """Whether ``node`` is page chrome (see the ``html`` rules of chrome.json)."""
    if node.tag in rules.drop_tags and not (node.tag == "header" and in_article):
        return True
    if node.tag in _NEVER_HINTED:
        return False
    attrs = node.attrs
    if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
        return True
    if _DISPLAY_NONE.search(attrs.get("style", "")):
        return True
    if any(r in rules.drop_roles for r in attrs.get("role", "").lower().split()):
        return True
    tokens = (
        attrs.get("class", "").lower().split() + attrs.get("id", "").lower().split()
    )
    return any(rules.drop_class_id.search(t) for t in tokens)


def _render(
    node: _Node, rules: HtmlChromeRules, out: _Writer, in_article: bool, pre: bool
) -> None:
    # Depth first with an explicit stack, not recursion: pages with thousands
    # of unclosed <font> or <div> tags nest that deep, and must still be read.
    # A frame: the children left to visit, whether inside <article> / <pre>,
    # and the break and cell spacing to apply when the element ends.
    stack: list[tuple[Iterator[_Node | str], bool, bool, int, bool]] = [
        (iter(node.children), in_article, pre, 0, False)
    ]
    while stack:
        children, in_art, in_pre, n, cell = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            out.brk(n)
            out.space = out.space or cell
            continue
        if isinstance(child, str):
            out.text(child, in_pre)
            continue
        tag = child.tag
        if tag in _NEVER_TEXT or _dropped(child, rules, in_art):
            continue
        if tag == "br":
            out.brk(1)
            continue
        n = 2 if tag in _PARAGRAPH else 1 if tag in _LINE else 0
        cell = tag in ("td", "th")
        out.brk(n)
        out.space = out.space or cell
        stack.append(
            (
                iter(child.children),
                in_art or tag == "article",
                in_pre or tag == "pre",
                n,
                cell,
            )
        )


def _text_of(node: _Node, rules: HtmlChromeRules) -> str:
    out = _Writer()
    _render(node, rules, out, node.tag == "article", False)
    return out.result()


def _main_candidates(
    node: _Node, rules: HtmlChromeRules, found: dict[str, list[_Node]], in_article: bool
) -> None:
    """Collect the <article>, <main> and <body> elements not inside chrome,
    in document order."""
    todo = [(c, in_article) for c in reversed(node.children)]
    while todo:  # no recursion, as in _render
        child, in_art = todo.pop()
        if isinstance(child, str) or child.tag in _NEVER_TEXT:
            continue
        if _dropped(child, rules, in_art):
            continue
        if child.tag == "article":
            found["article"].append(child)
        elif child.tag == "main" or "main" in child.attrs.get("role", "").split():
            found["main"].append(child)
        elif child.tag == "body":
            found["body"].append(child)
        inner = in_art or child.tag == "article"
        todo.extend((c, inner) for c in reversed(child.children))


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """What :func:`extract_html` read off a page; metadata as written there."""

    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    publisher: str | None = None
    language: str | None = None

    def metadata(self) -> dict[str, str]:
        """The metadata fields the page has."""
        fields = ("title", "url", "published", "publisher", "language")
        return {k: v for k in fields if (v := getattr(self, k))}


def extract_html(html: str, rules: HtmlChromeRules | None = None) -> HtmlPage:
    """Extract the main text and the metadata of an HTML page.

    The text comes from the longest ``<article>`` outside page chrome, else the
    first ``<main>``, else ``<body>``; scripts, styles, forms and the chrome
    elements of ``data/chrome.json`` (``nav``, ``aside``..., and elements whose
    class or id says navigation, advert, related, share, cookie...) are dropped.
    Block elements become paragraph breaks (a blank line; ``<div>``, ``<li>``
    and ``<br>`` a line break). Title from ``og:title`` else ``<title>``; url
    from ``<link rel=canonical>`` else ``og:url``; published from
    ``article:published_time``; publisher from ``og:site_name``; language from
    ``<html lang>``.

    Args:
        html: the decoded page.
        rules: what to drop; the shipped rules by default.

    Returns:
        The text and the metadata found (``None`` where the page has none).

    Malformed HTML never raises: unclosed elements end where an HTML5 parser
    would end them, and pages nested any depth are walked without recursion.

    >>> extract_html("<title>T</title><nav>Menu</nav><p>One</p><p>Two</p>").text
    'One\\n\\nTwo'
    """
    rules = rules if rules is not None else default_chrome_rules().html
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    root = builder.root

    found: dict[str, list[_Node]] = {"article": [], "main": [], "body": []}
    _main_candidates(root, rules, found, False)
    if found["article"]:
        texts = [_text_of(a, rules) for a in found["article"]]
        text = max(texts, key=len)
    else:
        main = (found["main"] or found["body"] or [root])[0]
        text = _text_of(main, rules)

    title = url = og_title = og_url = published = publisher = language = None
    todo: list[_Node] = [root]
    while todo:
        node = todo.pop()
        todo.extend(c for c in reversed(node.children) if isinstance(c, _Node))
        attrs = node.attrs
        if node.tag == "title" and title is None:
            title = node.text() or None
        elif node.tag == "html" and language is None:
            language = attrs.get("lang", "").strip() or None
        elif node.tag == "link" and "canonical" in attrs.get("rel", "").lower().split():
            url = url or attrs.get("href", "").strip() or None
        elif node.tag == "meta":
            name = (attrs.get("property") or attrs.get("name") or "").lower()
            content = attrs.get("content", "").strip() or None
            if name == "og:title":
                og_title = og_title or content
            elif name == "og:url":
                og_url = og_url or content
            elif name == "article:published_time":
                published = published or content
            elif name == "og:site_name":
                publisher = publisher or content
    return HtmlPage(
        text=text,
        title=og_title or title,
        url=url or og_url,
        published=published,
        publisher=publisher,
        language=language,
    )


# -- articles --------------------------------------------------------------------

_CUT_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n")
_CUT_LINE = re.compile(r"\n")
_CUT_SPACE = re.compile(r"\s")


def _cut(text: str, begin: int, limit: int) -> int:
    """Where the piece starting at ``begin`` ends (exclusive), at most ``limit``."""
    end = begin + limit
    low = begin + limit // 2
    for rx in (_CUT_PARAGRAPH, _CUT_LINE, _CUT_SPACE):
        last = None
        for m in rx.finditer(text, low, end):
            last = m
        if last is not None:
            return last.end()
    return end


def cut_points(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Split ``text`` into consecutive pieces of at most ``max_chars`` characters.

    Each piece ends, best first, at the last paragraph break (a blank line), line
    break or white space in its second half; at exactly ``max_chars`` when it
    has none (a 2 MB line with no spaces).

    >>> text = "One one.\\n\\nTwo two.\\n\\nThree."
    >>> [text[b:e] for b, e in cut_points(text, 12)]
    ['One one.\\n\\n', 'Two two.\\n\\n', 'Three.']

    Args:
        text: an article's text.
        max_chars: the longest piece; at least 2.

    Returns:
        ``(begin, end)`` of each piece; together they cover the text exactly,
        in order. One piece when the text is short enough.

    Raises:
        ValueError: ``max_chars`` is below 2.
    """
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, not {max_chars}")
    pieces = []
    begin = 0
    while len(text) - begin > max_chars:
        end = _cut(text, begin, max_chars)
        pieces.append((begin, end))
        begin = end
    pieces.append((begin, len(text)))
    return pieces


def _parts(article: Article) -> tuple[Article, ...]:
    """The article, or for a text over :data:`MAX_ARTICLE_CHARS` its parts."""
    if len(article.text) <= MAX_ARTICLE_CHARS:
        return (article,)
    cuts = cut_points(article.text, MAX_ARTICLE_CHARS)
    width = max(3, len(str(len(cuts))))
    parts = tuple(
        dataclasses.replace(
            article,
            id=f"{article.id}-part-{n:0{width}d}",
            text=article.text[b:e],
            excluded=find_chrome(article.text[b:e]),
        )
        for n, (b, e) in enumerate(cuts, start=1)
    )
    log.warning(
        "%s: %s characters, more than %s in one article; read as %d parts, "
        "%s to %s (offsets count from the start of each part)",
        article.source,
        f"{len(article.text):,}",
        f"{MAX_ARTICLE_CHARS:,}",
        len(parts),
        parts[0].id,
        parts[-1].id,
    )
    return parts


def _article(
    article_id: str,
    text: str,
    source: str,
    own: Fields,
    given: Mapping[str, Fields],
    sidecar: Mapping[str, Fields],
) -> tuple[Article, ...]:
    fields: Fields = {}
    fields.update(sidecar.get(article_id, {}))
    fields.update(given.get(article_id, {}))
    fields.update({k: v for k, v in own.items() if k in METADATA_FIELDS})
    long = len(text) > MAX_ARTICLE_CHARS  # chrome is found part by part
    article = Article(
        id=article_id,
        text=text,
        source=source,
        excluded=() if long else find_chrome(text),
        **fields,
    )
    return _parts(article)


_NOT_REGULAR = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str | None:
    """What a file of this mode is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((w for test, w in _NOT_REGULAR if test(mode)), "not a file")


def _not_regular(path: Path) -> str | None:
    try:
        return _kind(os.stat(path).st_mode)
    except OSError:
        return None


def _open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, or say why it cannot be read.

    Opened non-blocking and checked after opening: a named pipe with no writer
    would otherwise block the run forever, and a check before opening could be
    raced. (The flag changes nothing for a regular file.)

    Raises:
        ArticleReadError: the file cannot be opened (permissions, a symbolic
            link loop...) or is not a regular file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        cause = exc.strerror or str(exc)
        what = _not_regular(path)
        if what is not None:  # a socket: ENXIO
            cause = f"{what}, not a regular file"
        elif exc.errno == errno.ELOOP:
            cause += " (a symbolic link loop)"
        elif exc.errno == errno.ENOENT and os.path.islink(path):
            cause += f" (a broken symbolic link to {os.readlink(path)!r})"
        raise ArticleReadError(path, f"cannot read: {cause}") from exc
    try:
        what = _kind(os.fstat(fd).st_mode)
        if what is not None:
            raise ArticleReadError(path, f"cannot read: {what}, not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_bytes(path: Path) -> bytes:
    with _open_regular(path) as handle:
        try:
            return handle.read()
        except OSError as exc:
            cause = exc.strerror or str(exc)
            raise ArticleReadError(path, f"cannot read: {cause}") from exc


def _read_text_file(
    path: Path, given: Mapping[str, Fields], sidecar: Mapping[str, Fields]
) -> tuple[Article, ...]:
    data = _read_bytes(path)
    if not data:
        raise ArticleReadError(path, "the file is empty")
    decoded = decode_text(data, path)
    own, offset = split_front_matter(decoded, path)
    text = decoded[offset:]
    _check_text(
        text, path, None, "the text after the front matter" if offset else "the text"
    )
    article_id = own.get("id", path.stem)
    return _article(article_id, text, str(path), own, given, sidecar)


def _read_html_file(
    path: Path, given: Mapping[str, Fields], sidecar: Mapping[str, Fields]
) -> tuple[Article, ...]:
    data = _read_bytes(path)
    if not data:
        raise ArticleReadError(path, "the file is empty")
    try:
        page = extract_html(decode_text(data, path))
    except RecursionError:
        raise ArticleReadError(path, "HTML nested too deeply to read") from None
    if not page.text.strip():
        raise ArticleReadError(path, "no text found in the page's main content")
    own: Fields = {}
    for key, value in page.metadata().items():
        try:
            own.update(_fields({key: value}, strict=False))
        except _FieldError:
            continue  # scraped metadata we cannot read is left out, not invented
    return _article(path.stem, page.text, str(path), own, given, sidecar)


def _read_jsonl(
    path: Path, given: Mapping[str, Fields], sidecar: Mapping[str, Fields]
) -> Iterator[Article | InputError]:
    try:
        handle = _open_regular(path)
    except InputError as exc:
        yield exc
        return
    with handle:
        head = handle.read(4)
        handle.seek(0)
        lines: Iterable[bytes]
        if any(head.startswith(bom) for bom, _ in _BOMS):
            # UTF-16/32 cannot be split on b"\n": decode the whole file first.
            try:
                whole = decode_text(handle.read(), path)
            except InputError as exc:
                yield exc
                return
            lines = (s.encode("utf-8") for s in whole.split("\n"))
        else:
            lines = handle
        for lineno, raw_line in enumerate(lines, start=1):
            if lineno == 1 and raw_line.startswith(_UTF8_BOM):
                raw_line = raw_line[len(_UTF8_BOM) :]
            if not raw_line.strip():
                continue
            try:
                yield from _jsonl_record(path, lineno, raw_line, given, sidecar)
            except InputError as exc:
                yield exc


def _jsonl_record(
    path: Path,
    lineno: int,
    raw_line: bytes,
    given: Mapping[str, Fields],
    sidecar: Mapping[str, Fields],
) -> tuple[Article, ...]:
    line_text = decode_text(raw_line, path, lineno)
    try:
        record = json.loads(line_text)
    except json.JSONDecodeError as exc:
        raise InputError(
            path, f"not valid JSON: {exc.msg} (column {exc.colno})", lineno
        ) from None
    if not isinstance(record, dict):
        raise InputError(
            path, f"expected a JSON object, not {type(record).__name__}", lineno
        )
    text = record.get("text")
    if not isinstance(text, str):
        raise ArticleReadError(path, "the record has no 'text' string", lineno)
    _check_text(text, path, lineno, "'text'")
    try:
        own = _fields(record, strict=False)
        raw_id = record.get("id")
        article_id = (
            _check_id(raw_id, allow_int=True)
            if raw_id is not None
            else f"{path.stem}-{lineno}"
        )
    except _FieldError as exc:
        raise InputError(path, str(exc), lineno) from None
    return _article(article_id, text, f"{path}:{lineno}", own, given, sidecar)


def _read_file(
    path: Path, given: Mapping[str, Fields], sidecar: Mapping[str, Fields]
) -> Iterator[Article | InputError]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            yield from _read_jsonl(path, given, sidecar)
        elif suffix in (".html", ".htm"):
            yield from _read_html_file(path, given, sidecar)
        else:
            yield from _read_text_file(path, given, sidecar)
    except InputError as exc:
        yield exc


# -- walking ---------------------------------------------------------------------


def _sidecar(
    folder: Path, inherited: Mapping[str, Fields]
) -> tuple[dict[str, Fields], InputError | None]:
    candidate = folder / SIDECAR_NAME
    if not candidate.is_file():
        return dict(inherited), None
    try:
        own = load_metadata(candidate)
    except InputError as exc:
        return dict(inherited), exc
    merged = dict(inherited)
    merged.update(own)
    return merged, None


def _walk(
    folder: Path,
    inherited: Mapping[str, Fields],
    seen: set[tuple[int, int]],
) -> Iterator[tuple[Path, Mapping[str, Fields]] | InputError]:
    """Files to read under ``folder``, depth first in name order, with the
    sidecar fields that apply to them; each real folder is visited once, so a
    symlink loop ends."""
    try:
        st = folder.stat()
    except OSError as exc:
        yield InputError(folder, f"cannot read folder: {exc.strerror or exc}")
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return
    seen.add(key)
    sidecar, error = _sidecar(folder, inherited)
    if error is not None:
        yield error
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield InputError(folder, f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, sidecar, seen)
        elif path.suffix.lower() in SUFFIXES:
            # Named like an article but a dangling symlink, a link loop, a pipe:
            # the reader says so rather than the file silently going missing.
            yield path, sidecar


def _order(path: Path) -> tuple[str, ...]:
    """Sort key of an input: its absolute path, segment by segment, as the
    folder walk orders (``a/x/y.txt`` before ``a/x-y.txt``)."""
    return Path(os.path.abspath(path)).parts


def _real_path(path: Path) -> Path:
    """The path with symbolic links resolved, or as given if they loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        return Path(os.path.abspath(path))


def read_articles(
    inputs: Iterable[str | Path], metadata: Mapping[str, Any] | None = None
) -> Iterator[Article | InputError]:
    """Stream the articles of files and folders.

    Folders are walked recursively in sorted name order (hidden files and
    folders skipped, each real folder once, so symlink loops end); files with
    a suffix other than ``.txt``, ``.md``, ``.jsonl``, ``.html`` or ``.htm`` are
    skipped there, and reported when named explicitly. A ``metadata.json`` in a
    walked folder, or beside an explicitly named file, is used as a sidecar.
    A file reached twice (named and inside a named folder) is read once.

    Args:
        inputs: files and folders. They are read in the order of their
            paths, whatever the order given, so the same inputs give the same
            articles and the same choice between clashing ones.
        metadata: article id -> fields, as in a sidecar; wins over sidecars,
            loses to what a file says about itself.

    Yields:
        One :class:`Article` per article, or in its place the
        :class:`InputError` saying why it could not be read (also for a
        malformed sidecar, and for an id already read, which would collide).

    Raises:
        UsageError: ``metadata`` is malformed (on the first ``next()``).
    """
    try:
        given = _check_metadata(metadata or {})
    except ValueError as exc:
        raise UsageError(f"bad metadata mapping: {exc}") from exc
    seen_folders: set[tuple[int, int]] = set()
    first_source: dict[str, tuple[str, str]] = {}  # IRI key -> (id, source)
    beside: dict[Path, dict[str, Fields]] = {}  # sidecars of named files' folders
    read_files: set[Path] = set()

    def items() -> Iterator[tuple[Path, Mapping[str, Fields]] | InputError]:
        # In path order, not argument order: which of two clashing articles is
        # kept, and so the output, must not depend on how the shell listed them.
        for path in sorted(map(Path, inputs), key=_order):
            if path.is_dir():
                yield from _walk(path, {}, seen_folders)
            elif not path.exists() and not path.is_symlink():
                yield InputError(path, "no such file or folder")
            elif path.suffix.lower() not in SUFFIXES:
                yield InputError(
                    path,
                    f"unsupported file type {path.suffix or '(no suffix)'!r}; "
                    f"expected one of {', '.join(SUFFIXES)}",
                )
            else:
                folder = _real_path(path.parent)
                if folder not in beside:
                    beside[folder], error = _sidecar(path.parent, {})
                    if error is not None:
                        yield error
                yield path, beside[folder]

    for entry in items():
        if isinstance(entry, InputError):
            yield entry
            continue
        path, sidecar = entry
        real = _real_path(path)
        if real in read_files:  # named twice, or a folder and a file in it
            continue
        read_files.add(real)
        for result in _read_file(path, given, sidecar):
            if isinstance(result, Article):
                # Ids that differ only in case would share articles/<id>.ttl on
                # case-insensitive file systems (and the writer refuses them).
                key = article_iri("", result.id).casefold()
                first_id, first = first_source.setdefault(
                    key, (result.id, result.source)
                )
                if first != result.source:
                    # A JSONL record's source is "path:line"; report them apart.
                    line = None
                    if result.source != str(path):
                        line = int(result.source.rpartition(":")[2])
                    same = "" if first_id == result.id else f" (as {first_id!r})"
                    yield InputError(
                        path,
                        f"duplicate article id {result.id!r}, first read{same} "
                        f"from {first}; give one of them another 'id'",
                        line,
                    )
                    continue
            yield result
