"""Relations and numeric claims stated by one article, read off its mentions.

Each rule looks at one sentence: the mentions in it and the words between them.
Nothing here knows about IRIs; resolution comes after. Base confidences are
data (``data/patterns/relations.json``).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from .extract import ExtractedArticle
from .lexicon import Lexicon, load_lexicon
from .model import Claim, Kind, RawMention, RawRelation, Span
from .resources import DATA_DIR

__all__ = ["ArticleReading", "read_relations", "rule_confidence"]

PLACE_KINDS = frozenset({Kind.PLACE, Kind.BASE, Kind.ISLAND, Kind.COUNTRY})
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"


@dataclass(frozen=True, slots=True)
class ArticleReading:
    """What one article states: mentions (incl. derived ones), relations, claims."""

    extracted: ExtractedArticle
    mentions: tuple[RawMention, ...]
    relations: tuple[RawRelation, ...]
    claims: tuple[Claim, ...]


@cache
def _rules() -> dict[str, Any]:
    with (DATA_DIR / "patterns" / "relations.json").open(encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def rule_confidence(rule: str) -> float:
    """A rule's base confidence (``data/patterns/relations.json``)."""
    return float(_rules()["confidence"][rule])


class _Reader:
    def __init__(self, ea: ExtractedArticle, lexicon: Lexicon) -> None:
        self.ea = ea
        self.text = ea.article.text
        self.lex = lexicon
        self.rules = _rules()
        self.mentions: list[RawMention] = list(ea.mentions)
        self.by_span: dict[tuple[int, int], RawMention] = {
            (m.span.begin, m.span.end): m for m in self.mentions
        }
        self.sent_starts = [s.begin for s in ea.sentences]
        self.relations: list[RawRelation] = []
        self.claims: list[Claim] = []

    # -- helpers -------------------------------------------------------------------
    def conf(self, rule: str) -> float:
        return float(self.rules["confidence"][rule])

    def sentence_of(self, span: Span) -> Span:
        i = bisect_right(self.sent_starts, span.begin) - 1
        if i >= 0:
            s = self.ea.sentences[i]
            if s.begin <= span.begin and span.end <= max(s.end, span.end):
                return Span(s.begin, max(s.end, span.end))
        # fall back to the line holding the span
        b = self.text.rfind("\n", 0, span.begin) + 1
        e = self.text.find("\n", span.end)
        return Span(b, len(self.text) if e < 0 else e)

    def mention_at(self, b: int, e: int, kind: Kind, key: str, rule: str) -> RawMention:
        m = self.by_span.get((b, e))
        if m is not None:
            return m
        m = RawMention(
            self.ea.article.id, Span(b, e), self.text[b:e], kind, rule, key=key
        )
        self.mentions.append(m)
        self.by_span[(b, e)] = m
        return m

    def add(
        self, s: RawMention, p: str, o: RawMention | str, rule: str, sent: Span
    ) -> None:
        self.relations.append(
            RawRelation(self.ea.article.id, s, p, o, sent, self.conf(rule), rule)
        )

    def by_sentence(self) -> dict[Span, list[RawMention]]:
        groups: dict[Span, list[RawMention]] = {}
        for m in sorted(self.mentions, key=lambda m: m.span.begin):
            groups.setdefault(self.sentence_of(m.span), []).append(m)
        return groups

    # -- rules ---------------------------------------------------------------------
    def positions(self) -> None:
        for m in list(self.mentions):
            if m.kind is not Kind.OFFICIAL or m.attr("title_span") is None:
                continue
            tb, te = (int(x) for x in m.attr("title_span").split(":"))  # type: ignore[union-attr]
            pos = self.by_span.get((tb, te))
            if pos is None:
                continue
            sent = self.sentence_of(Span(min(tb, m.span.begin), max(te, m.span.end)))
            self.add(m, "holdsPosition", pos, m.rule, sent)
            cid, cspan = m.attr("country"), m.attr("country_span")
            if cid and cspan:
                cb, ce = (int(x) for x in cspan.split(":"))
                country = self.mention_at(cb, ce, Kind.COUNTRY, cid, "demonym")
                self.add(pos, "ofCountry", country, "title-country", sent)
                self.add(m, "ofCountry", country, "title-country", sent)

    def treaties(self) -> None:
        dyad = re.compile(self.rules["treaty_parties"])
        for m in list(self.mentions):
            if m.kind is not Kind.TREATY:
                continue
            mm = dyad.match(m.text)
            if not mm:
                continue
            sent = self.sentence_of(m.span)
            for g in ("a", "b"):
                form = mm.group(g)
                if (
                    g == "b"
                    and mm.group("b2")
                    and self.lex.country_of_form(form + mm.group("b2"))
                ):
                    form += mm.group("b2")  # two-word party ("US-South Korea …")
                cid = self.lex.country_of_form(form)
                if cid:
                    b = m.span.begin + mm.start(g)
                    c = self.mention_at(
                        b, b + len(form), Kind.COUNTRY, cid, "treaty-party"
                    )
                    self.add(c, "partyTo", m, "treaty-name-parties", sent)

    def treaty_articles(self) -> None:
        of = re.compile(self.rules["article_of"])
        treaties = [m for m in self.mentions if m.kind is Kind.TREATY]
        for m in list(self.mentions):
            if m.kind is not Kind.TREATY_ARTICLE:
                continue
            sent = self.sentence_of(m.span)
            tail = of.match(self.text, m.span.end)
            target = None
            rule = "article-of-treaty"
            if tail:
                target = next((t for t in treaties if t.span.begin == tail.end()), None)
            if target is None:
                rule = "article-nearest-treaty"
                before = [t for t in treaties if t.span.end <= m.span.begin]
                in_sent = [t for t in treaties if sent.contains(t.span)]
                target = before[-1] if before else (in_sent[0] if in_sent else None)
            if target is not None:
                self.add(target, "hasArticle", m, rule, sent)

    def sentence_rules(self) -> None:
        r = self.rules
        reorg = re.compile(r["reorganized_between"], re.I)
        station = re.compile(r["stationed_between"], re.I)
        located = re.compile(r["located_between"])
        located_end = re.compile(r["located_after_comma"])
        reorg_before = re.compile(r["reorganized_before"], re.I)
        reorg_after = re.compile(r["reorganized_into_after"], re.I)
        possessive = re.compile(r"^['’]s\s+$")
        domain_rx = {
            d: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ws) + r")\b", re.I)
            for d, ws in self.lex.domains.items()
        }
        cue_rx = re.compile(
            r"\b(?:" + "|".join(re.escape(c) for c in self.lex.coverage_cues) + r")\b",
            re.I,
        )
        for sent, ms in self.by_sentence().items():
            for i, a in enumerate(ms):
                for b in ms[i + 1 :]:
                    between = self.text[a.span.end : b.span.begin]
                    if len(between) > 160:
                        break
                    if (
                        a.kind is Kind.UNIT
                        and b.kind is Kind.UNIT
                        and (
                            reorg.search(between)
                            or (
                                reorg_after.match(between)
                                and reorg_before.search(
                                    self.text[sent.begin : a.span.begin]
                                )
                            )
                        )
                    ):
                        self.add(a, "reorganizedInto", b, "reorganized-into", sent)
                    if (
                        a.kind is Kind.UNIT
                        and b.kind in PLACE_KINDS
                        and station.search(between)
                    ):
                        self.add(a, "stationedAt", b, "stationed-at", sent)
                    if (
                        a.kind in PLACE_KINDS - {Kind.COUNTRY}
                        and b.kind in PLACE_KINDS
                        and located.fullmatch(between)
                        and (
                            "," not in between
                            or located_end.match(self.text, b.span.end)
                        )
                    ):
                        self.add(a, "locatedIn", b, "located-in", sent)
                    if (
                        a.kind is Kind.COUNTRY
                        and b.kind in {Kind.ISLAND, Kind.BASE, Kind.PLACE}
                        and possessive.match(between)
                    ):
                        self.add(b, "locatedIn", a, "possessive-located", sent)
            # treaty coverage: a treaty (article) + a domain word + a coverage cue
            subjects = [m for m in ms if m.kind is Kind.TREATY_ARTICLE] or [
                m for m in ms if m.kind is Kind.TREATY
            ]
            if not subjects:
                continue
            sent_text = self.text[sent.begin : sent.end]
            masked = list(sent_text)
            for m in ms:  # a domain word inside a name ("East China Sea") is no domain
                for k in range(m.span.begin - sent.begin, m.span.end - sent.begin):
                    if 0 <= k < len(masked):
                        masked[k] = " "
            plain = "".join(masked)
            if not cue_rx.search(plain):
                continue
            for domain, rx in domain_rx.items():
                if rx.search(plain):
                    self.add(subjects[0], "coversDomain", domain, "covers-domain", sent)

    def numeric_claims(self) -> None:
        r = self.rules
        quals = "|".join(
            re.escape(q)
            for q in sorted(self.lex.personnel_qualifiers, key=len, reverse=True)
        )
        nouns = "|".join(
            re.escape(n)
            for n in sorted(self.lex.personnel_nouns, key=len, reverse=True)
        )
        nats = "|".join(
            re.escape(f) for f in sorted(self.lex.country_forms, key=len, reverse=True)
        )
        count = re.compile(
            rf"(?:(?P<qual>{quals})\s+)?(?:between\s+(?P<min>{_NUMBER})\s+and\s+)?"
            rf"(?P<num>{_NUMBER})\s+(?:(?P<nat>{nats})\s+)?(?P<noun>{nouns})\b"
        )
        in_place = re.compile(r["count_in_place_after"])
        hosts = re.compile(r["place_hosts_between"])
        unit_of = re.compile(r["unit_size_between"], re.I)
        groups = self.by_sentence()
        for sent, ms in groups.items():
            sent_text = self.text[sent.begin : sent.end]
            for m in count.finditer(sent_text):
                b, e = sent.begin + m.start(), sent.begin + m.end()
                value = int(m.group("num").replace(",", ""))
                subject = None
                rule = ""
                after = [x for x in ms if x.span.begin >= e]
                before = [x for x in ms if x.span.end <= b]
                if after and after[0].kind in PLACE_KINDS:
                    gap = self.text[e : after[0].span.begin]
                    if in_place.fullmatch(gap):
                        subject, rule = after[0], "count-in-place"
                for prev in reversed(before[-3:]):
                    if subject is not None:
                        break
                    gap = self.text[prev.span.end : b]
                    if prev.kind in PLACE_KINDS and hosts.fullmatch(gap):
                        subject, rule = prev, "place-hosts"
                    elif prev.kind is Kind.UNIT and unit_of.fullmatch(gap):
                        subject, rule = prev, "unit-size"
                if subject is None:
                    continue
                personnel_of = None
                if m.group("nat"):
                    nb = sent.begin + m.start("nat")
                    cid = self.lex.country_of_form(m.group("nat"))
                    if cid:
                        personnel_of = self.mention_at(
                            nb, nb + len(m.group("nat")), Kind.COUNTRY, cid, "demonym"
                        )
                qual = m.group("qual")
                lo = m.group("min")
                self.claims.append(
                    Claim(
                        article_id=self.ea.article.id,
                        subject=subject,
                        value=value,
                        sentence=sent,
                        confidence=self.conf(rule),
                        rule=rule,
                        category=self.lex.personnel_nouns[m.group("noun")],
                        personnel_of=personnel_of,
                        qualifier="between" if lo else (qual.lower() if qual else None),
                        minimum=int(lo.replace(",", "")) if lo else None,
                        maximum=value if lo else None,
                    )
                )


def read_relations(
    ea: ExtractedArticle, lexicon: Lexicon | None = None
) -> ArticleReading:
    """The relations and numeric claims one extracted article states.

    >>> # see tests/test_relations.py for worked sentences
    """
    reader = _Reader(ea, lexicon or load_lexicon())
    reader.positions()
    reader.treaties()
    reader.treaty_articles()
    reader.sentence_rules()
    reader.numeric_claims()
    mentions = tuple(sorted(reader.mentions, key=lambda m: (m.span.begin, m.span.end)))
    return ArticleReading(
        extracted=replace(ea, mentions=mentions),
        mentions=mentions,
        relations=tuple(reader.relations),
        claims=tuple(reader.claims),
    )
