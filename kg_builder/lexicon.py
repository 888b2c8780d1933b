"""Loads the gazetteer and lexicons under ``data/`` once, into plain lookups.

Everything the rules know about the world is data (``data/README.md`` says where
each file came from); this module only reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .model import Kind
from .resources import DATA_DIR

__all__ = ["GazetteerEntry", "Lexicon", "load_lexicon"]


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One known entity: its canonical key, kind, label and the forms it goes by."""

    id: str
    kind: Kind
    label: str
    aliases: tuple[str, ...]
    adjectives: tuple[str, ...] = ()
    wikidata: str | None = None
    country: str | None = None
    parties: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()
    stem: str | None = None


@dataclass(frozen=True)
class Lexicon:
    """The domain knowledge the extractor and resolver use."""

    entries: dict[str, GazetteerEntry]
    positions: dict[str, dict[str, Any]]
    title_surfaces: dict[str, str]  # lower-cased surface -> position id
    ranks: tuple[str, ...]
    honorifics: frozenset[str]
    name_suffixes: frozenset[str]
    nicknames: dict[str, frozenset[str]]
    unit_echelons: tuple[str, ...]
    unit_synonyms: dict[str, str]
    plural_regiments: frozenset[str]
    domains: dict[str, tuple[str, ...]]
    coverage_cues: tuple[str, ...]
    personnel_nouns: dict[str, str]
    personnel_qualifiers: tuple[str, ...]
    patterns: dict[str, Any]
    #: country alias or adjective -> country id (case-sensitive forms)
    country_forms: dict[str, str] = field(default_factory=dict)
    #: titles used as a form of address before a surname ("Secretary Kerry")
    address_titles: frozenset[str] = frozenset()
    #: letters after a name before an appositive title ("Scott Morrison, MP, …")
    post_nominals: frozenset[str] = frozenset()
    #: unit-type abbreviation -> the words it stands for ("MLR")
    unit_abbreviations: dict[str, str] = field(default_factory=dict)
    ordinal_suffixes: tuple[str, ...] = ("st", "nd", "rd", "th")
    #: kind -> words that may stand before the head of a definite description
    #: ("the small southern island"): data/lexicons/descriptors.json
    descriptor_modifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def entry(self, key: str) -> GazetteerEntry | None:
        return self.entries.get(key)

    def by_kind(self, kind: Kind) -> Iterable[GazetteerEntry]:
        return (e for e in self.entries.values() if e.kind is kind)

    def country_of_form(self, form: str) -> str | None:
        """The country id a name or demonym denotes ('Japanese' -> 'japan')."""
        form = re.sub(r"['’]s$", "", form.strip())
        return self.country_forms.get(form)


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _read_gazetteer(directory: Path) -> dict[str, GazetteerEntry]:
    entries: dict[str, GazetteerEntry] = {}
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    entry = GazetteerEntry(
                        id=raw["id"],
                        kind=Kind(raw["kind"]),
                        label=raw["label"],
                        aliases=tuple(raw.get("aliases", [raw["label"]])),
                        adjectives=tuple(raw.get("adjectives", ())),
                        wikidata=raw.get("wikidata"),
                        country=raw.get("country"),
                        parties=tuple(raw.get("parties", ())),
                        descriptors=tuple(raw.get("descriptors", ())),
                        stem=raw.get("stem"),
                    )
                except (KeyError, ValueError) as exc:
                    raise ValueError(
                        f"{path}:{lineno}: bad gazetteer entry: {exc}"
                    ) from exc
                if entry.id in entries:
                    raise ValueError(
                        f"{path}:{lineno}: duplicate gazetteer id {entry.id!r}"
                    )
                entries[entry.id] = entry
    return entries


@cache
def load_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    """Read ``data/`` once per process.

    >>> load_lexicon().country_of_form("Japanese")
    'japan'
    """
    lex = data_dir / "lexicons"
    entries = _read_gazetteer(data_dir / "gazetteer")
    titles = _read_json(lex / "titles.json")
    units = _read_json(lex / "units.json")
    domains = _read_json(lex / "domains.json")
    personnel = _read_json(lex / "personnel.json")
    nick = _read_json(lex / "nicknames.json")
    patterns = _read_json(data_dir / "patterns" / "structural.json")
    descriptors = _read_json(lex / "descriptors.json")

    positions = {p["id"]: p for p in titles["positions"]}
    surfaces = {s.lower(): p["id"] for p in titles["positions"] for s in p["surfaces"]}
    nicknames: dict[str, frozenset[str]] = {}
    for group in nick["groups"]:
        members = frozenset(g.lower() for g in group)
        for g in members:
            nicknames[g] = nicknames.get(g, frozenset()) | members
    country_forms: dict[str, str] = {}
    for e in entries.values():
        if e.kind is Kind.COUNTRY:
            for form in (*e.aliases, *e.adjectives):
                country_forms[form] = e.id
    return Lexicon(
        entries=entries,
        positions=positions,
        title_surfaces=surfaces,
        ranks=tuple(titles["ranks"]),
        honorifics=frozenset(titles["honorifics"]),
        name_suffixes=frozenset(titles["name_suffixes"]),
        nicknames=nicknames,
        unit_echelons=tuple(units["echelons"]),
        unit_synonyms=units["synonyms"],
        plural_regiments=frozenset(units["plural_regiments"]),
        domains={k: tuple(v) for k, v in domains["domains"].items()},
        coverage_cues=tuple(domains["coverage_cues"]),
        personnel_nouns=personnel["nouns"],
        personnel_qualifiers=tuple(personnel["qualifiers"]),
        patterns=patterns,
        country_forms=country_forms,
        address_titles=frozenset(titles.get("address_titles", ())),
        post_nominals=frozenset(titles.get("post_nominals", ())),
        unit_abbreviations=dict(units.get("abbreviations", {})),
        ordinal_suffixes=tuple(units.get("ordinal_suffixes", ("st", "nd", "rd", "th"))),
        descriptor_modifiers={k: tuple(v) for k, v in descriptors["modifiers"].items()},
    )
