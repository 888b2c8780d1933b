"""The typed values that flow between the stages.

``articles -> extract -> resolve -> graph`` pass these small frozen dataclasses to
each other; no stage mutates what it was given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Article",
    "Claim",
    "Entity",
    "Fact",
    "Kind",
    "RawMention",
    "RawRelation",
    "ResolvedMention",
    "Span",
]


class Kind(StrEnum):
    """Entity kinds; the value is the IRI path segment (``{base}{kind}/{slug}``)."""

    OFFICIAL = "official"
    UNIT = "unit"
    BASE = "base"
    ISLAND = "island"
    TREATY = "treaty"
    TREATY_ARTICLE = "treaty-article"
    COUNTRY = "country"
    ORGANIZATION = "organization"
    PLACE = "place"
    POSITION = "position"
    EQUIPMENT = "equipment"

    @property
    def is_main(self) -> bool:
        """The five main types of DESIGN.md (treaty articles count with treaties)."""
        return self in MAIN_KINDS


MAIN_KINDS = frozenset(
    {Kind.OFFICIAL, Kind.UNIT, Kind.BASE, Kind.ISLAND, Kind.TREATY, Kind.TREATY_ARTICLE}
)


@dataclass(frozen=True, slots=True)
class Span:
    """A character span ``[begin, end)`` of one article's text."""

    begin: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.begin <= self.end:
            raise ValueError(f"bad span {self.begin}..{self.end}")

    def overlaps(self, other: Span) -> bool:
        return self.begin < other.end and other.begin < self.end

    def contains(self, other: Span) -> bool:
        return self.begin <= other.begin and other.end <= self.end


@dataclass(frozen=True, slots=True)
class Article:
    """One input article, its text exactly as read (after front matter).

    ``id`` is the file's stem, or the record's ``id`` in JSONL.
    """

    id: str
    text: str
    source: str
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    published: str | None = None
    language: str | None = None
    machine_translated: bool = False
    #: character spans that are page chrome (navigation, adverts, credits…)
    excluded: tuple[Span, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class RawMention:
    """A span the extractor recognised, before resolution.

    ``key`` is a canonical key when a gazetteer or pattern already knows the
    entity (the ruler pattern ``id``), else empty. ``attrs`` carries what the
    rule read off the text (e.g. ``("country", "united-states")``).
    """

    article_id: str
    span: Span
    text: str
    kind: Kind
    rule: str
    key: str = ""
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, name: str) -> str | None:
        for k, v in self.attrs:
            if k == name:
                return v
        return None


@dataclass(frozen=True, slots=True)
class RawRelation:
    """A relation the text states between two raw mentions (or a mention and a
    domain), with the sentence that states it."""

    article_id: str
    subject: RawMention
    predicate: str  # local name of a dal: property
    object: RawMention | str  # a mention, or a dal: individual local name
    sentence: Span
    confidence: float
    rule: str


@dataclass(frozen=True, slots=True)
class Claim:
    """A numeric claim (troop count, unit size), kept only as an Assertion."""

    article_id: str
    subject: RawMention
    value: int
    sentence: Span
    confidence: float
    rule: str
    category: str  # normalised noun: "troops", "marines", ...
    personnel_of: RawMention | None = None  # whose personnel (a country mention)
    qualifier: str | None = None  # "about", "more than", "between", ...
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world entity after resolution: one IRI, one label."""

    iri: str
    kind: Kind
    label: str
    alt_labels: tuple[str, ...] = ()
    wikidata: str | None = None
    #: extra typed attributes, e.g. ("articleNumber", "5")
    attrs: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ResolvedMention:
    """A raw mention with the IRI of the entity it names."""

    mention: RawMention
    entity_iri: str


@dataclass(frozen=True, slots=True)
class Fact:
    """A triple between resolved entities (or an entity and a domain), as stated
    by one article in one sentence."""

    subject: str
    predicate: str
    object: str
    article_id: str
    sentence: Span
    confidence: float
    rule: str
