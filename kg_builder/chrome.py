"""Page chrome: the parts of an article's text that are not its content.

Real article files carry site navigation, advert labels, government banners,
photo credits, "Related Stories" blocks, disclaimers and copyright lines. None of
it is content (DESIGN.md "Inputs"): :func:`find_chrome` returns the character
spans to leave out, and :func:`kg_builder.articles.read_articles` stores them in
``Article.excluded``. The text itself is never changed, so offsets stay those of
the file.

The patterns are data, in ``data/chrome.json`` (one entry per pattern, with an
``id``, a ``kind`` and a comment saying where it came from). Three kinds:

``line``
    the whole line (stripped, a leading list marker such as ``1.`` removed) must
    match; the line is excluded. Only short, known lines match this way, so a
    sentence that merely contains a phrase is never excluded.
``trailer``
    a line that starts with the match ends the article: it and everything after
    it are excluded, if it starts at or after ``trailer_min_fraction`` of the
    text (earlier, it is excluded as a line only, so a stray "Related Stories"
    box above the story cannot swallow the story).
``credit``
    searched within a line; only the match is excluded, so a caption keeps its
    words and loses the credit glued onto it ("...on Jan. 11.Photographer: ...").

>>> text = "Skip to content\\nHello."
>>> [text[s.begin : s.end] for s in find_chrome(text)]
['Skip to content']
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg_builder.errors import UsageError
from kg_builder.model import Span
from kg_builder.resources import DATA_DIR

__all__ = [
    "CHROME_FILE",
    "KINDS",
    "ChromePattern",
    "ChromeRules",
    "HtmlChromeRules",
    "default_chrome_rules",
    "find_chrome",
    "load_chrome_rules",
]

#: the shipped pattern file
CHROME_FILE = DATA_DIR / "chrome.json"

#: the kinds a pattern may have (see the module docstring)
KINDS = ("line", "trailer", "credit")

# Line terminators as the files have them; other Unicode separators stay inside
# a line (str.splitlines would split on them and shift nothing, but a credit
# could then never reach "the end of the line" as a reader sees it).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass(frozen=True, slots=True)
class ChromePattern:
    """One pattern of ``data/chrome.json``.

    Attributes:
        id: stable name, unique in the file.
        kind: ``"line"``, ``"trailer"`` or ``"credit"``.
        regex: the compiled pattern.
        comment: where the pattern came from.
    """

    id: str
    kind: str
    regex: re.Pattern[str]
    comment: str


@dataclass(frozen=True, slots=True)
class HtmlChromeRules:
    """What HTML extraction drops (the ``html`` object of ``data/chrome.json``).

    Attributes:
        drop_tags: elements dropped with their content (``nav``, ``aside``...).
        drop_roles: ARIA roles dropped likewise (``navigation``...).
        drop_class_id: searched in each lower-cased class token and the id.
    """

    drop_tags: frozenset[str]
    drop_roles: frozenset[str]
    drop_class_id: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class ChromeRules:
    """The parsed contents of a chrome pattern file.

    Attributes:
        patterns: every pattern, in file order.
        line_prefix: a list marker removed before ``line``/``trailer`` matching.
        trailer_min_fraction: a trailer only ends the article from this fraction
            of the text on.
        html: the HTML extraction rules.
        source: the file the rules were read from.
    """

    patterns: tuple[ChromePattern, ...]
    line_prefix: re.Pattern[str]
    trailer_min_fraction: float
    html: HtmlChromeRules
    source: str

    def of_kind(self, kind: str) -> tuple[ChromePattern, ...]:
        """The patterns of one kind, in file order."""
        return tuple(p for p in self.patterns if p.kind == kind)


def _compile(path: Path, where: str, pattern: object) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise UsageError(f"{path}: {where}: the pattern must be a non-empty string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{path}: {where}: bad regular expression: {exc}") from exc


def load_chrome_rules(path: str | Path = CHROME_FILE) -> ChromeRules:
    """Read and check a chrome pattern file.

    Args:
        path: a JSON file shaped like ``data/chrome.json``.

    Returns:
        The compiled rules.

    Raises:
        UsageError: the file is missing, is not JSON, or an entry is malformed
            (unknown kind, duplicate id, bad regular expression); the message
            names the file and the entry.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read chrome patterns: {exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("patterns"), list):
        raise UsageError(f"{path}: expected an object with a 'patterns' list")

    patterns: list[ChromePattern] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw["patterns"]):
        where = f"patterns[{n}]"
        if not isinstance(entry, dict):
            raise UsageError(f"{path}: {where}: expected an object")
        pid, kind = entry.get("id"), entry.get("kind")
        if not isinstance(pid, str) or not pid:
            raise UsageError(f"{path}: {where}: missing 'id'")
        where = f"{where} ({pid})"
        if pid in seen:
            raise UsageError(f"{path}: {where}: duplicate id")
        seen.add(pid)
        if kind not in KINDS:
            raise UsageError(
                f"{path}: {where}: kind {kind!r} is not one of {', '.join(KINDS)}"
            )
        regex = _compile(path, where, entry.get("pattern"))
        comment = entry.get("comment")
        if not isinstance(comment, str) or not comment.strip():
            raise UsageError(f"{path}: {where}: say where the pattern came from")
        patterns.append(ChromePattern(pid, kind, regex, comment))

    fraction = raw.get("trailer_min_fraction", 0.4)
    if isinstance(fraction, bool) or not isinstance(fraction, int | float):
        raise UsageError(f"{path}: trailer_min_fraction must be a number")
    if not 0 <= fraction <= 1:
        raise UsageError(f"{path}: trailer_min_fraction must be between 0 and 1")

    html = raw.get("html", {})
    if not isinstance(html, dict):
        raise UsageError(f"{path}: 'html' must be an object")
    lists: dict[str, frozenset[str]] = {}
    for key in ("drop_tags", "drop_roles"):
        value = html.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"{path}: html.{key} must be a list of strings")
        lists[key] = frozenset(v.lower() for v in value)

    return ChromeRules(
        patterns=tuple(patterns),
        line_prefix=_compile(path, "line_prefix", raw.get("line_prefix", r"(?!)")),
        trailer_min_fraction=float(fraction),
        html=HtmlChromeRules(
            drop_tags=lists["drop_tags"],
            drop_roles=lists["drop_roles"],
            drop_class_id=_compile(
                path, "html.drop_class_id", html.get("drop_class_id", r"(?!)")
            ),
        ),
        source=str(path),
    )


@functools.cache
def default_chrome_rules() -> ChromeRules:
    """The shipped rules of ``data/chrome.json``, read once per process."""
    return load_chrome_rules(CHROME_FILE)


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """``(begin, end)`` of each line's content, without its terminator."""
    for m in _LINE.finditer(text):
        if m.start() == m.end():  # the empty match at the very end
            continue
        line = m.group()
        end = m.end() - (len(line) - len(line.rstrip("\r\n")))
        yield m.start(), end


def _trim(text: str, begin: int, end: int) -> tuple[int, int]:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return begin, end


def find_chrome(text: str, rules: ChromeRules | None = None) -> tuple[Span, ...]:
    """Find the spans of ``text`` that are page chrome, not content.

    Args:
        text: an article's text as read.
        rules: the patterns to use; the shipped ``data/chrome.json`` by default.

    Returns:
        Sorted, non-overlapping, non-empty spans, each starting and ending on a
        non-whitespace character. Chrome separated only by whitespace is merged
        into one span (three navigation lines in a row are one span).

    >>> text = "A caption.Photographer: Jane Doe/AFP\\nBody.\\n\\nRelated Stories"
    >>> [text[s.begin : s.end] for s in find_chrome(text)]
    ['Photographer: Jane Doe/AFP', 'Related Stories']
    """
    rules = rules if rules is not None else default_chrome_rules()
    line_patterns = rules.of_kind("line")
    trailer_patterns = rules.of_kind("trailer")
    credit_patterns = rules.of_kind("credit")
    threshold = rules.trailer_min_fraction * len(text)

    found: list[tuple[int, int]] = []
    for begin, end in _lines(text):
        line = text[begin:end]
        stripped = line.strip()
        if not stripped:
            continue
        s_begin = begin + (len(line) - len(line.lstrip()))
        s_end = s_begin + len(stripped)
        prefix = rules.line_prefix.match(stripped)
        body = stripped[prefix.end() :] if prefix else stripped

        if any(p.regex.match(body) for p in trailer_patterns):
            if s_begin >= threshold:
                found.append((s_begin, len(text)))
                break
            found.append((s_begin, s_end))
            continue
        if any(p.regex.fullmatch(body) for p in line_patterns):
            found.append((s_begin, s_end))
            continue
        for p in credit_patterns:
            for m in p.regex.finditer(line):
                if m.end() > m.start():
                    found.append((begin + m.start(), begin + m.end()))

    return _merge(text, found)


def _merge(text: str, found: list[tuple[int, int]]) -> tuple[Span, ...]:
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(_trim(text, b, e) for b, e in found):
        if begin == end:
            continue
        if merged:
            last_begin, last_end = merged[-1]
            gap = text[last_end:begin]
            if begin <= last_end or gap.isspace():
                merged[-1] = (last_begin, max(last_end, end))
                continue
        merged.append((begin, end))
    return tuple(Span(b, e) for b, e in merged)
