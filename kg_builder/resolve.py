"""Resolution: one IRI per real entity, however many articles and spellings.

* gazetteer entities by id; conventional names (units, bases, treaties) by a
  normalised key, matched against the gazetteer's aliases, unit name parts and
  base name stems;
* officials by clustering full names across the corpus (spelling variants,
  nicknames, middle initials and suffixes, family-name-first order), then
  attaching surnames and honorific forms within their article first;
* definite descriptions ('the treaty', 'the Coastal Regiment') to the named
  entity they corefer with in the same article;
* treaty articles under the treaty they belong to.

Mentions that resolve to nothing are dropped, and so are relations that need them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .iri import mint
from .lexicon import GazetteerEntry, Lexicon, load_lexicon
from .model import Claim, Entity, Fact, Kind, RawMention, Span
from .relations import ArticleReading, rule_confidence

__all__ = ["Resolution", "ResolvedClaim", "normalise", "resolve"]

#: definite descriptions ("the regiment", "the island"): they refer, they do not
#: name, so they never become a label
_DESCRIPTOR_RULES = frozenset(
    {"treaty-descriptor", "unit-descriptor", "island-descriptor", "base-descriptor"}
)
_SHORT_FORM_RULES = frozenset({"name-repeat", "honorific", "person-ner"}) | (
    _DESCRIPTOR_RULES
)
#: sentences before a description in which its antecedent is looked for
_ANTECEDENT_SENTENCES = 3
#: an island introduced with its modifiers: "the small southern island of "
_APPOSITION = re.compile(r"((?:[\w-]+\s+){0,4})islands?\s+of\s+$")
_TITLED_RULES = frozenset({"title-before-name", "appositive-title", "rank-before-name"})
#: rules that introduce a lone surname as an official ("President Obama",
#: "Secretary Kerry") even when no full name of that person is known
_TITLED_SINGLE_RULES = _TITLED_RULES | {"address-title"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_WORD_NUM = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_FACILITY_WORDS = frozenset(
    "air force base station marine corps naval facility camp fort joint training area "
    "maneuver manoeuvre range barracks airfield army fleet activities mcas the "
    "us mcb logistics support activity garrison installation".split()
)
_MT_FACTOR = 0.8
#: between a treaty's name and a short name it is given ("… (“X”, or “Y”)")
_ALIAS_GAP = re.compile(r"\s*\(\s*[“\"'‘]?|[”\"'’]?\s*,?\s*or\s+[“\"'‘]?")
#: words saying whose treaty it is; "two" marks a cue that names two parties
_PARTY_CUE = re.compile(
    r"\b(?:its|with|(?P<two>their|our|both|two (?:countries|nations|sides|governments"
    r"|allies)|each other|bilateral))\b",
    re.IGNORECASE,
)
_SHORT_FACTOR = 0.85


def normalise(text: str) -> str:
    """Case-, space- and punctuation-insensitive form for matching names.

    >>> normalise("the U.S.-Japan  Security\\u00a0Treaty")
    'us-japan security treaty'
    """
    t = unicodedata.normalize("NFKC", text).replace("’", "'")
    t = re.sub(r"\bU\.S\.(?=\W|$)", "US", t)
    t = re.sub(r"\bU\.K\.(?=\W|$)", "UK", t)
    t = re.sub(r"\s*[-–]\s*", "-", t)
    t = re.sub(r"\s+", " ", t).strip().lower()
    return re.sub(r"^(the|a|an) ", "", t)


def _roman(s: str) -> int | None:
    s = s.upper().rstrip(".")
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def _article_number(num: str) -> int | None:
    num = num.strip().rstrip(".")
    if num.isdigit():
        return int(num)
    if num.lower() in _WORD_NUM:
        return _WORD_NUM[num.lower()]
    return _roman(num)


def _to_roman(n: int) -> str:
    out = ""
    for v, s in (
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= v:
            out += s
            n -= v
    return out


@dataclass(frozen=True, slots=True)
class ResolvedClaim:
    claim: Claim
    subject: str
    personnel_of: str | None


@dataclass(frozen=True)
class Resolution:
    """The resolved corpus: entities, which mention names which entity, and facts."""

    entities: dict[str, Entity]
    mention_iris: dict[tuple[str, int, int], str]  # (article id, begin, end) -> IRI
    mentions: tuple[RawMention, ...]  # every kept mention, in article order
    facts: tuple[Fact, ...]
    claims: tuple[ResolvedClaim, ...]


# ----------------------------------------------------------------------- officials


@dataclass(eq=False)
class _Person:
    #: every full-name mention's cleaned name, repeats included (they vote)
    names: list[tuple[str, ...]]
    titled: bool = False
    #: position in creation order (the first compatible person wins)
    order: int = 0
    #: the distinct names, for matching
    distinct: set[tuple[str, ...]] = field(default_factory=set)


class _Officials:
    """People clustered by compatible full names.

    Matching a name only looks at the people with a name ending in its last or
    first word (every compatible pair shares one of those), so clustering is
    linear in the mentions rather than in mentions times people.
    """

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.people: list[_Person] = []
        #: lower-cased last word of a name -> the people with such a name
        self._by_last: dict[str, dict[int, _Person]] = defaultdict(dict)

    def clean(self, text: str) -> tuple[str, ...]:
        words = re.split(r"[\s,]+", unicodedata.normalize("NFKC", text))
        out = []
        for w in words:
            w = re.sub(r"['’]s$", "", w)
            if not w or w in self.lex.honorifics or w in self.lex.name_suffixes:
                continue
            if re.fullmatch(r"[A-Z]\.?", w):  # middle initial
                continue
            out.append(w)
        return tuple(out)

    def _given_ok(self, a: str, b: str) -> bool:
        a, b = a.lower(), b.lower()
        if a == b or b in self.lex.nicknames.get(a, ()):
            return True
        if len(a) >= 4 and len(b) >= 4 and _edit1(a, b):
            return True
        return False

    def compatible(self, n: tuple[str, ...], m: tuple[str, ...]) -> bool:
        if n[-1].lower() == m[-1].lower() and self._given_ok(n[0], m[0]):
            return True
        # family-name-first order: "Hayashi Yoshimasa" ~ "Yoshimasa Hayashi"
        return n[0].lower() == m[-1].lower() and self._given_ok(n[-1], m[0])

    def add_full(self, name: tuple[str, ...], titled: bool) -> _Person:
        near = {
            **self._by_last.get(name[-1].lower(), {}),
            **self._by_last.get(name[0].lower(), {}),
        }
        for p in sorted(near.values(), key=lambda p: p.order):
            if name in p.distinct or any(self.compatible(name, n) for n in p.distinct):
                p.names.append(name)
                p.titled |= titled
                self._know(p, name)
                return p
        p = _Person([name], titled, order=len(self.people))
        self.people.append(p)
        self._know(p, name)
        return p

    def _know(self, p: _Person, name: tuple[str, ...]) -> None:
        if name not in p.distinct:
            p.distinct.add(name)
            self._by_last[name[-1].lower()][id(p)] = p


def _edit1(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = diff = 0
    while i < len(a) and j < len(b):
        if a[i] != b[j]:
            diff += 1
            if diff > 1:
                return False
            if len(a) == len(b):
                i += 1
            j += 1
        else:
            i += 1
            j += 1
    return diff + (len(b) - j) + (len(a) - i) <= 1


class _SurnameIndex:
    """Who goes by a lone name: built once from the clustered people."""

    def __init__(self, people: Iterable[_Person], label_of: dict[int, str]) -> None:
        #: person -> the last words of their names, but the first of their label
        self.surnames: dict[int, frozenset[str]] = {}
        #: surname -> the titled people with it
        self.titled: dict[str, dict[int, _Person]] = defaultdict(dict)
        #: surnames anyone has
        self.anyone: set[str] = set()
        #: first word of a titled two-word name -> the people with it
        self.first_word: dict[str, dict[int, _Person]] = defaultdict(dict)
        for p in people:
            first = label_of[id(p)].split()[0].lower()
            names = frozenset(n[-1].lower() for n in p.distinct) - {first}
            self.surnames[id(p)] = names
            self.anyone |= names
            if p.titled:
                for s in names:
                    self.titled[s][id(p)] = p
                for n in p.distinct:
                    if len(n) == 2:
                        self.first_word[n[0].lower()][id(p)] = p


# ------------------------------------------------------------------------ resolver


class _Resolver:
    def __init__(
        self, readings: Sequence[ArticleReading], base: str, lex: Lexicon
    ) -> None:
        self.readings = readings
        self.base = base
        self.lex = lex
        self.key_of: dict[tuple[str, int, int], tuple[Kind, str]] = {}
        self._iris: dict[tuple[Kind, str], str] = {}
        self.labels: dict[tuple[Kind, str], str] = {}
        self.alias_index: dict[tuple[Kind, str], str] = {}
        self.unit_index: dict[tuple[str, frozenset[str], str], str] = {}
        self.stem_index: dict[str, str] = {}
        for e in lex.entries.values():
            for a in (*e.aliases, e.label):
                self.alias_index[(e.kind, normalise(a))] = e.id
            if e.kind is Kind.UNIT:
                for a in (*e.aliases, e.label):
                    k = self.unit_parts(a)
                    if k:
                        self.unit_index[k] = e.id
            if e.kind is Kind.BASE and e.stem:
                self.stem_index[e.stem] = e.id
        #: (article, country id, treaty key, sentence) stated by discourse
        self.discourse_facts: list[tuple[str, str, str, Span]] = []
        #: publication date (ISO 8601, as given) of each article that has one
        self.published = {
            r.extracted.article.id: r.extracted.article.published or ""
            for r in readings
            if _ISO_DATE.match(r.extracted.article.published or "")
        }
        self.machine_translated = {
            r.extracted.article.id
            for r in readings
            if r.extracted.article.machine_translated
        }

    @staticmethod
    def mkey(m: RawMention) -> tuple[str, int, int]:
        return (m.article_id, m.span.begin, m.span.end)

    def set_key(
        self, m: RawMention, kind: Kind, key: str, label: str | None = None
    ) -> None:
        self.key_of[self.mkey(m)] = (kind, key)
        if label and (kind, key) not in self.labels:
            self.labels[(kind, key)] = label

    # -- units --
    def unit_parts(self, text: str) -> tuple[str, frozenset[str], str] | None:
        words = normalise(text).replace("-", " ").split()
        if len(words) < 2:
            return None
        abbr = {
            k.lower(): v.lower().split() for k, v in self.lex.unit_abbreviations.items()
        }
        words = [words[0], *(x for w in words[1:] for x in abbr.get(w, [w]))]
        ordinal, *quals, echelon = words
        if re.fullmatch(r"\d+d", ordinal):  # "3d", "2d": US military style
            n = int(ordinal[:-1])
            suffix = (
                "th"
                if 10 <= n % 100 <= 20
                else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            )
            ordinal = f"{n}{suffix}"
        if not re.fullmatch(r"\d+(st|nd|rd|th)|[ivx]+", ordinal):
            return None
        syn = self.lex.unit_synonyms
        if echelon.capitalize() in self.lex.plural_regiments:
            quals.append(syn.get(echelon, echelon))
            echelon = "regiment"
        return ordinal, frozenset(syn.get(q, q) for q in quals), echelon

    def resolve_unit(self, m: RawMention) -> None:
        parts = self.unit_parts(m.text)
        if parts is None:
            return
        if parts in self.unit_index:
            gid = self.unit_index[parts]
            self.set_key(m, Kind.UNIT, gid, self.lex.entries[gid].label)
            return
        ordinal, quals, echelon = parts
        subsets = {
            gid
            for (o, q, e), gid in self.unit_index.items()
            if o == ordinal and e == echelon and quals < q
        }
        if len(subsets) == 1:
            gid = subsets.pop()
            self.set_key(m, Kind.UNIT, gid, self.lex.entries[gid].label)
            return
        key = "-".join([ordinal, *sorted(quals), echelon])
        self.set_key(m, Kind.UNIT, key, " ".join(m.text.split()))

    # -- generic named things --
    def resolve_named(self, m: RawMention) -> None:
        kind = m.kind
        norm = normalise(m.text)
        gid = self.alias_index.get((kind, norm))
        if gid:
            self.set_key(m, kind, gid, self.lex.entries[gid].label)
            return
        if kind is Kind.BASE:
            stem = " ".join(w for w in norm.split() if w not in _FACILITY_WORDS)
            if stem in self.stem_index:
                gid = self.stem_index[stem]
                self.set_key(m, kind, gid, self.lex.entries[gid].label)
                return
        if kind is Kind.TREATY:
            gid = self.treaty_by_parties(m)
            if gid:
                self.set_key(m, kind, gid, self.lex.entries[gid].label)
                return
        self.set_key(m, kind, norm, " ".join(m.text.split()))

    def treaty_by_parties(self, m: RawMention) -> str | None:
        a, b = m.attr("a"), m.attr("b")
        if not (a and b):
            mm = re.match(r"^(\S+?)\s?[-–]\s?(\S+)\s", m.text)
            if not mm:
                return None
            a, b = mm.group(1), mm.group(2)
        parties = {self.lex.country_of_form(a), self.lex.country_of_form(b)}
        if None in parties:
            return None
        head = normalise(m.text).split(" ", 1)[-1]
        hits = [
            e.id
            for e in self.lex.by_kind(Kind.TREATY)
            if set(e.parties) == parties
            and any(head == normalise(d) for d in e.descriptors)
        ]
        return hits[0] if len(hits) == 1 else None

    # -- coreference within an article --
    def top_countries(self, ms: Iterable[RawMention]) -> set[str]:
        c = Counter(m.key for m in ms if m.kind is Kind.COUNTRY and m.key)
        return {k for k, _ in c.most_common(2)} if len(c) >= 2 else set()

    def resolve_treaty_descriptor(
        self, m: RawMention, ms: Sequence[RawMention]
    ) -> None:
        named = [
            x for x in ms if x.kind is Kind.TREATY and x.rule != "treaty-descriptor"
        ]
        named = [x for x in named if self.mkey(x) in self.key_of]
        before = [x for x in named if x.span.end <= m.span.begin]
        after = [x for x in named if x.span.begin >= m.span.end]
        target = before[-1] if before else (after[0] if after else None)
        if target is not None:
            kind, key = self.key_of[self.mkey(target)]
            self.set_key(m, kind, key)
            return
        parties = self.top_countries(ms)
        desc = normalise(m.text)
        hits = [
            e
            for e in self.lex.by_kind(Kind.TREATY)
            if parties
            and set(e.parties) == parties
            and (
                desc == "treaty" or any(_words_overlap(desc, d) for d in e.descriptors)
            )
        ]
        if len(hits) == 1:
            self.set_key(m, Kind.TREATY, hits[0].id, hits[0].label)

    def resolve_unit_descriptor(self, m: RawMention, ms: Sequence[RawMention]) -> None:
        described = normalise(m.text)
        for mod in self.lex.descriptor_modifiers.get("unit", ()):
            described = re.sub(rf"^{re.escape(mod)} ", "", described)
        words = described.split()
        echelon = words[-1]
        quals = frozenset(self.lex.unit_synonyms.get(w, w) for w in words[:-1])
        candidates = []
        for x in ms:
            if x.span.end > m.span.begin:
                break
            if x.kind is not Kind.UNIT or x.rule == "unit-descriptor":
                continue
            k = self.key_of.get(self.mkey(x))
            parts = self.unit_parts(self.labels.get(k, x.text) if k else x.text)
            if not (k and parts):
                continue
            if echelon == "unit" and not quals:  # "the unit": any unit
                candidates.append((True, x.span.begin, k))
            elif parts[2] == echelon and quals <= parts[1]:
                candidates.append((parts[1] == quals, x.span.begin, k))
        if candidates:
            exact = [c for c in candidates if c[0]]
            kind, key = (exact or candidates)[-1][2]
            self.set_key(m, kind, key)

    def resolve_place_descriptor(self, m: RawMention, r: ArticleReading) -> None:
        """An island or base named by a definite description ("the island", "the
        main Okinawan island", "the southwestern islands", "the base").

        In order: the whole phrase is an alias of the gazetteer; a modifier is
        the demonym of a gazetteer entry; an earlier mention introduced with the
        same modifiers ("the small southern island of Mageshima"); the nearest
        earlier mention of the same kind (and, for islands, number) in the
        sentences just before. Otherwise the description names nothing.
        """
        kind = m.kind
        phrase = normalise(m.text)
        gid = self.alias_index.get((kind, phrase))
        if gid is not None:
            self.set_key(m, kind, gid, self.lex.entries[gid].label)
            return
        *mods, head = phrase.split()
        for e in self.lex.by_kind(kind):
            if any(normalise(a) in mods for a in e.adjectives):
                self.set_key(m, kind, e.id, e.label)
                return
        plural = head.endswith("s")
        text = r.extracted.article.text
        sentences = r.extracted.sentences
        i = bisect_right([sp.begin for sp in sentences], m.span.begin) - 1
        start = sentences[max(0, i - _ANTECEDENT_SENTENCES)].begin if i >= 0 else 0
        nearest: tuple[Kind, str] | None = None
        introduced: tuple[Kind, str] | None = None
        wanted = {
            w for w in mods if w in self.lex.descriptor_modifiers.get(kind.value, ())
        }
        for x in r.mentions:
            if x.span.begin >= m.span.begin:
                break
            if x.kind is not kind or x.rule in _DESCRIPTOR_RULES:
                continue
            k = self.key_of.get(self.mkey(x))
            if k is None:
                continue
            if kind is Kind.ISLAND:
                label = self.labels.get(k, x.text)
                if label.endswith(("Islands", "islands")) != plural:
                    continue
            before = _APPOSITION.search(text[max(0, x.span.begin - 80) : x.span.begin])
            if wanted and before and wanted <= set(before.group(1).lower().split()):
                introduced = k
            if x.span.begin >= start:
                nearest = k
        chosen = introduced or nearest
        if chosen is not None:
            self.set_key(m, *chosen)

    # -- officials --
    def resolve_officials(self) -> None:
        off = _Officials(self.lex)
        full: list[tuple[RawMention, tuple[str, ...]]] = []
        single: list[tuple[RawMention, str]] = []
        for r in self.readings:
            for m in r.mentions:
                if m.kind is not Kind.OFFICIAL:
                    continue
                name = off.clean(m.text)
                if len(name) >= 2:
                    full.append((m, name))
                elif len(name) == 1:
                    single.append((m, name[0]))
        # titled names first, so untitled look-alikes join them, never seed them
        full.sort(key=lambda x: (x[0].rule not in _TITLED_SINGLE_RULES,))
        person_of: dict[tuple[str, int, int], _Person] = {}
        for m, name in full:
            person_of[self.mkey(m)] = off.add_full(name, m.rule in _TITLED_SINGLE_RULES)
        label_of: dict[int, str] = {}
        for p in off.people:
            votes = Counter(" ".join(n) for n in p.names)
            label_of[id(p)] = sorted(
                votes.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])
            )[0][0]

        index = _SurnameIndex(off.people, label_of)
        in_article: dict[str, list[tuple[int, _Person]]] = defaultdict(list)
        for (aid, b, _e), p in person_of.items():
            if p.titled:
                in_article[aid].append((b, p))
        unresolved: list[tuple[RawMention, str]] = []
        for m, token in single:
            chosen = self._single_person(m, token, index, in_article)
            if chosen is not None:
                person_of[self.mkey(m)] = chosen
            else:
                unresolved.append((m, token))
        # A surname introduced by a title or a form of address ("President
        # Obama", "Secretary Kerry") with no full name anywhere is an official
        # of its own; the same surname under two different offices stays two.
        groups: dict[str, dict[str | None, list[RawMention]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for m, token in unresolved:
            if m.rule in _TITLED_SINGLE_RULES:
                groups[token][m.attr("position")].append(m)
        own: dict[tuple[str, str], _Person] = {}  # (article, surname) -> person
        for token, by_pid in sorted(groups.items()):
            pids: list[str | None] = sorted(by_pid, key=lambda x: x or "")
            named = [x for x in pids if x]
            if len(named) == 1 and None in by_pid:  # one office, sometimes unstated
                by_pid[named[0]].extend(by_pid.pop(None))
                pids = [named[0]]
            for pid in pids:
                person = _Person([(token,)], titled=True)
                label = token if len(by_pid) == 1 else f"{token} ({pid or 'untitled'})"
                label_of[id(person)] = label
                for m in by_pid[pid]:
                    person_of[self.mkey(m)] = person
                    own.setdefault((m.article_id, token.lower()), person)
        # other bare mentions of such a surname in the same article
        for m, token in unresolved:
            found = own.get((m.article_id, token.lower()))
            if found is not None and self.mkey(m) not in person_of:
                person_of[self.mkey(m)] = found
        # The IRI comes from the spelling that introduced the person first (the
        # earliest-published article, then article id and offset; titled
        # spellings before untitled ones), the label from the majority: a later
        # article that tips the vote changes the label, never the IRI.
        first: dict[int, tuple[tuple[bool, str, str, int], str]] = {}
        for m, name in full:
            p = person_of[self.mkey(m)]
            order = (
                m.rule not in _TITLED_SINGLE_RULES,
                self.published.get(m.article_id, "~"),
                m.article_id,
                m.span.begin,
            )
            if id(p) not in first or order < first[id(p)][0]:
                first[id(p)] = (order, " ".join(name))
        # A two-word name whose first word is the one used alone ("Hayashi
        # said") is family name first: the key takes given-name-first order.
        alone: dict[int, set[str]] = defaultdict(set)
        for m, token in single:
            if self.mkey(m) in person_of:
                alone[id(person_of[self.mkey(m)])].add(token.lower())
        keys: dict[int, str] = {}
        for pid_, (_order, spelling) in first.items():
            words = spelling.split()
            used = alone[pid_]
            if (
                len(words) == 2
                and words[0].lower() in used
                and words[1].lower() not in used
            ):
                words.reverse()
            keys[pid_] = " ".join(words)
        for mk, p in person_of.items():
            if p.titled:
                label = label_of[id(p)]
                key = keys.get(id(p), label)
                self.key_of[mk] = (Kind.OFFICIAL, key)
                self.labels[(Kind.OFFICIAL, key)] = label.split(" (")[0]

    @staticmethod
    def _single_person(
        m: RawMention,
        token: str,
        index: _SurnameIndex,
        in_article: dict[str, list[tuple[int, _Person]]],
    ) -> _Person | None:
        """The titled person a lone name refers to: the nearest preceding one in
        its article with that surname, else the only one in the corpus, else the
        only one whose name starts with it (family name first: "Kishi" for "Kishi
        Nobuo") when no one has it as a surname."""
        t = token.lower()
        local = sorted(
            ((b, p) for b, p in in_article[m.article_id] if t in index.surnames[id(p)]),
            key=lambda bp: bp[0],
        )
        if local:
            preceding = [bp for bp in local if bp[0] <= m.span.begin]
            return (preceding or local)[-1][1]
        corpus = index.titled.get(t, {})
        if len(corpus) == 1:
            return next(iter(corpus.values()))
        if corpus or t in index.anyone:
            return None
        first = index.first_word.get(t, {})
        return next(iter(first.values())) if len(first) == 1 else None

    # -- positions --
    def resolve_positions(self) -> None:
        # country of each (official, position) pair, from any mention that names it
        seen: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        links: list[tuple[RawMention, RawMention, str]] = []
        for r in self.readings:
            for rel in r.relations:
                if rel.predicate != "holdsPosition" or not isinstance(
                    rel.object, RawMention
                ):
                    continue
                k = self.key_of.get(self.mkey(rel.subject))
                pid = rel.object.attr("position")
                if not k or not pid:
                    continue
                links.append((rel.subject, rel.object, pid))
                cid = rel.object.attr("country")
                if cid:
                    seen[(k[1], pid)][cid] += 1
        for official, position, pid in links:
            okey = self.key_of[self.mkey(official)][1]
            spec = self.lex.positions[pid]
            cid = position.attr("country")
            if not cid and seen[(okey, pid)]:
                cid = seen[(okey, pid)].most_common(1)[0][0]
            if not cid:
                # the one country with this office under this name (lexicon)
                cid = spec.get("country")
            label = spec["label"]
            if cid:
                key, full = f"{pid}-of-{cid}", f"{label} of {self._country_name(cid)}"
                if cid == spec.get("country") and spec.get("country_label"):
                    full = spec["country_label"]
            else:
                key, full = pid, label
            to = position.attr("to_country")
            if to:  # an ambassador's host country
                key, full = f"{key}-to-{to}", f"{full} to {self._country_name(to)}"
            self.set_key(position, Kind.POSITION, key, full)

    def _country_name(self, cid: str) -> str:
        country = self.lex.entries[cid].label
        the = country.startswith(("United ", "Philippines", "Netherlands"))
        return f"the {country}" if the else country

    # -- driver --
    def run(self) -> None:
        for r in self.readings:
            for m in r.mentions:
                if m.key and m.key in self.lex.entries:
                    e = self.lex.entries[m.key]
                    self.set_key(m, e.kind, e.id, e.label)
                elif m.rule in _DESCRIPTOR_RULES:
                    continue  # after the names they refer back to
                elif m.kind is Kind.UNIT:
                    self.resolve_unit(m)
                elif m.kind in (
                    Kind.BASE,
                    Kind.ISLAND,
                    Kind.EQUIPMENT,
                    Kind.PLACE,
                    Kind.ORGANIZATION,
                    Kind.COUNTRY,
                ) or (m.kind is Kind.TREATY):
                    self.resolve_named(m)
        self.generic_treaty_names()
        self.merge_treaty_names()
        self.merge_base_stems()
        self.resolve_officials()
        self.resolve_positions()
        for r in self.readings:
            ms = r.mentions
            for m in ms:
                if m.rule == "treaty-descriptor":
                    self.resolve_treaty_descriptor(m, ms)
                elif m.rule == "unit-descriptor":
                    self.resolve_unit_descriptor(m, ms)
                elif m.rule in ("island-descriptor", "base-descriptor"):
                    self.resolve_place_descriptor(m, r)
        # treaty articles live under their treaty
        for r in self.readings:
            for rel in r.relations:
                if rel.predicate != "hasArticle" or not isinstance(
                    rel.object, RawMention
                ):
                    continue
                tk = self.key_of.get(self.mkey(rel.subject))
                num = _article_number(rel.object.attr("num") or "")
                if tk is None or num is None or self.mkey(rel.object) in self.key_of:
                    continue
                tlabel = self.labels.get(tk, tk[1])
                self.set_key(
                    rel.object,
                    Kind.TREATY_ARTICLE,
                    f"{tk[1]}-article-{num}",
                    f"Article {_to_roman(num)} of the {tlabel}",
                )

        self.discourse_parties()

    # -- names that are one entity ------------------------------------------------
    def _remap(self, kind: Kind, old: set[str], new: str) -> None:
        for mk, (k, key) in list(self.key_of.items()):
            if k is kind and key in old:
                self.key_of[mk] = (kind, new)

    def generic_treaty_names(self) -> None:
        """A treaty named only by its kind ('the Mutual Defense Treaty') is the
        gazetteer treaty of that kind between the article's two main countries;
        failing that it stays an entity of its article (never merged with the
        same words in another article, which may mean another treaty)."""
        descriptors = {
            normalise(d) for e in self.lex.by_kind(Kind.TREATY) for d in e.descriptors
        }
        for r in self.readings:
            parties = self.top_countries(r.mentions)
            for m in r.mentions:
                k = self.key_of.get(self.mkey(m))
                if m.kind is not Kind.TREATY or k is None or k[1] in self.lex.entries:
                    continue
                if k[1] not in descriptors:
                    continue
                hits = [
                    e
                    for e in self.lex.by_kind(Kind.TREATY)
                    if parties
                    and set(e.parties) == parties
                    and any(normalise(d) == k[1] for d in e.descriptors)
                ]
                if len(hits) == 1:
                    self.set_key(m, Kind.TREATY, hits[0].id, hits[0].label)
                else:
                    key = f"{k[1]} ({m.article_id})"
                    self.set_key(m, Kind.TREATY, key, self.labels.get(k, k[1]))

    def merge_treaty_names(self) -> None:
        """Names an article gives as one treaty's: a title followed by its short
        names ('Agreement between Japan and Australia concerning … (“Japan-
        Australia Reciprocal Access Agreement”, or “Japan-Australia RAA”)'), and
        initials of a treaty named in the same article ('RAA')."""
        parent: dict[str, str] = {}

        def find(k: str) -> str:
            while parent.get(k, k) != k:
                k = parent[k]
            return k

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra

        rules: dict[str, set[str]] = defaultdict(set)
        for r in self.readings:
            text = r.extracted.article.text
            ts = [
                m
                for m in r.mentions
                if m.kind is Kind.TREATY
                and m.rule != "treaty-descriptor"
                and self.mkey(m) in self.key_of
            ]
            by_text = {
                " ".join(m.text.split()): self.key_of[self.mkey(m)][1] for m in ts
            }
            for m in ts:
                key = self.key_of[self.mkey(m)][1]
                rules[key].add(m.rule)
                long = m.attr("abbrev_of")
                if long and long in by_text:
                    union(by_text[long], key)
            for a, b in zip(ts, ts[1:], strict=False):
                if _ALIAS_GAP.fullmatch(text[a.span.end : b.span.begin]):
                    union(self.key_of[self.mkey(a)][1], self.key_of[self.mkey(b)][1])
        groups: dict[str, set[str]] = defaultdict(set)
        for k in list(parent):
            groups[find(k)].add(k)
        for root, keys in groups.items():
            keys.add(root)
            rep = min(
                keys,
                key=lambda k: (
                    k not in self.lex.entries,
                    "treaty-dyad" not in rules[k],
                    "treaty-abbreviation" in rules[k],
                    len(k),
                    k,
                ),
            )
            self._remap(Kind.TREATY, keys, rep)

    def merge_base_stems(self) -> None:
        """Bases the gazetteer does not know, named with and without their
        facility type ('MCB Camp Blaz', 'Camp Blaz'), are one base."""
        groups: dict[str, set[str]] = defaultdict(set)
        for kind, key in self.key_of.values():
            if kind is Kind.BASE and key not in self.lex.entries:
                stem = " ".join(
                    w for w in re.split(r"[\s-]+", key) if w not in _FACILITY_WORDS
                )
                if stem:
                    groups[stem].add(key)
        for keys in groups.values():
            if len(keys) > 1:
                self._remap(Kind.BASE, keys, max(keys, key=lambda k: (len(k), k)))

    # -- facts the discourse states ----------------------------------------------
    def discourse_parties(self) -> None:
        """partyTo from a treaty mention whose sentence (or the one before) says
        whose it is ('their common defense treaty', 'both our countries', 'the two
        sides … the Mutual Defense Treaty'): its parties are the gazetteer's, or
        for an unknown treaty the article's two main countries; each must be
        named in the article."""
        for r in self.readings:
            text = r.extracted.article.text
            sents = r.extracted.sentences
            named = {m.key for m in r.mentions if m.kind is Kind.COUNTRY and m.key}
            top = self.top_countries(r.mentions)
            starts = [s.begin for s in sents]
            for m in r.mentions:
                k = self.key_of.get(self.mkey(m))
                if m.kind is not Kind.TREATY or k is None:
                    continue
                i = bisect_right(starts, m.span.begin) - 1
                if i < 0:
                    continue
                window = text[sents[max(i - 1, 0)].begin : sents[i].end]
                cue = _PARTY_CUE.search(window)
                if cue is None:
                    continue
                entry = self.lex.entries.get(k[1])
                if entry is not None and entry.parties:
                    parties = set(entry.parties)
                elif cue.group("two"):
                    parties = top
                else:
                    continue
                if not parties or not parties <= named:
                    continue
                for cid in sorted(parties):
                    self.discourse_facts.append(
                        (r.extracted.article.id, cid, k[1], sents[i])
                    )

    def iri(self, kind: Kind, key: str) -> str:
        # one string per entity, however many mentions name it
        iri = self._iris.get((kind, key))
        if iri is None:
            iri = self._iris[(kind, key)] = mint(self.base, kind.value, key)
        return iri

    def conf(self, base: float, article_id: str, *ms: RawMention) -> float:
        c = base
        if any(m.rule in _SHORT_FORM_RULES for m in ms):
            c *= _SHORT_FACTOR
        if article_id in self.machine_translated:
            c *= _MT_FACTOR
        return round(c, 2)


def _words_overlap(a: str, b: str) -> bool:
    skip = {"treaty", "agreement", "pact", "the"}
    return bool((set(a.split()) - skip) & (set(normalise(b).split()) - skip))


def resolve(
    readings: Sequence[ArticleReading],
    base: str,
    lexicon: Lexicon | None = None,
) -> Resolution:
    """Resolve every mention of every article to an entity IRI, and lift the
    relations and claims onto those IRIs.

    Args:
        readings: what each article states (mentions, relations, claims).
        base: the IRI base entities are minted under.
        lexicon: the domain knowledge; defaults to ``data/``.
    """
    lex = lexicon or load_lexicon()
    rs = _Resolver(readings, base, lex)
    rs.run()

    mention_iris: dict[tuple[str, int, int], str] = {}
    kept: list[RawMention] = []
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Kind] = {}
    keys: dict[str, tuple[Kind, str]] = {}
    for r in readings:
        for m in r.mentions:
            k = rs.key_of.get(rs.mkey(m))
            if k is None:
                continue
            iri = rs.iri(*k)
            mention_iris[rs.mkey(m)] = iri
            kept.append(m)
            kinds[iri] = k[0]
            keys[iri] = k
            if m.rule != "demonym" and m.rule not in _DESCRIPTOR_RULES:
                surfaces[iri][" ".join(m.text.split())] += 1

    entities: dict[str, Entity] = {}
    for iri, (kind, key) in sorted(keys.items()):
        entry: GazetteerEntry | None = lex.entries.get(key)
        label = (
            rs.labels.get((kind, key))
            or (surfaces[iri].most_common(1) or [(key, 0)])[0][0]
        )
        alts = tuple(sorted(s for s in surfaces[iri] if s != label))
        attrs: tuple[tuple[str, str], ...] = ()
        if kind is Kind.TREATY_ARTICLE:
            attrs = (("articleNumber", key.rsplit("-", 1)[-1]),)
        entities[iri] = Entity(
            iri=iri,
            kind=kind,
            label=label,
            alt_labels=alts,
            wikidata=entry.wikidata if entry and entry.kind is kind else None,
            attrs=attrs,
        )

    def iri_of(m: RawMention) -> str | None:
        return mention_iris.get(rs.mkey(m))

    facts: list[Fact] = []
    for r in readings:
        aid = r.extracted.article.id
        for rel in r.relations:
            s = iri_of(rel.subject)
            if isinstance(rel.object, RawMention):
                o = iri_of(rel.object)
                ms: tuple[RawMention, ...] = (rel.subject, rel.object)
            else:
                o = f"dal:{rel.object}"
                ms = (rel.subject,)
            if s is None or o is None or s == o:
                continue
            facts.append(
                Fact(
                    s,
                    rel.predicate,
                    o,
                    aid,
                    rel.sentence,
                    rs.conf(rel.confidence, aid, *ms),
                    rel.rule,
                )
            )
    stated = {(f.article_id, f.subject, f.predicate, f.object) for f in facts}
    for aid, cid, tkey, sent in rs.discourse_facts:
        s, o = rs.iri(Kind.COUNTRY, cid), rs.iri(Kind.TREATY, tkey)
        if (aid, s, "partyTo", o) in stated or s not in keys or o not in keys:
            continue
        stated.add((aid, s, "partyTo", o))
        rule = "treaty-parties-discourse"
        facts.append(
            Fact(s, "partyTo", o, aid, sent, rs.conf(rule_confidence(rule), aid), rule)
        )
    claims: list[ResolvedClaim] = []
    for r in readings:
        for c in r.claims:
            s = iri_of(c.subject)
            if s is None:
                continue
            po = iri_of(c.personnel_of) if c.personnel_of else None
            claims.append(
                ResolvedClaim(
                    replace(
                        c, confidence=rs.conf(c.confidence, c.article_id, c.subject)
                    ),
                    s,
                    po,
                )
            )
    kept.sort(key=lambda m: (m.article_id, m.span.begin, m.span.end))
    return Resolution(entities, mention_iris, tuple(kept), tuple(facts), tuple(claims))
