"""Write a synthetic benchmark corpus: N articles recombined from the samples.

Each article strings together runs of consecutive real paragraphs (page chrome
left out) of the sample articles in ``data/articles/``, cut at sentence
boundaries, and then varies the names in it, consistently within the article:

* officials introduced with a title in the samples get other given and family
  names (``Secretary of State Antony Blinken`` -> ``Secretary of State Mei
  Okafor``; later ``Blinken`` -> ``Okafor``), so officials cluster across
  articles and resolution has surnames and spelling variants to settle;
* unit ordinals change (``12th Marine Littoral Regiment`` -> ``47th ...``);
* bases and islands of the gazetteer are swapped for other gazetteer entries of
  the same kind or for names the gazetteer does not know (``Camp Kinser``,
  ``Kumejima``), which the naming-convention rules and resolution must handle.

A name is kept as it is with some probability, so the real officials, units and
bases recur across the corpus. Article ``i`` depends only on the seed and ``i``:
the first 100 articles of a 1,000-article corpus are the 100-article corpus.

Usage::

    python -m benchmarks.make_corpus 1000 /tmp/corpus-1000 [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg_builder.articles import read_articles
from kg_builder.extract import build_nlp, extract
from kg_builder.lexicon import load_lexicon
from kg_builder.model import Article, Kind
from kg_builder.resources import DATA_DIR

__all__ = ["Sources", "load_sources", "make_article", "write_corpus"]

SAMPLES = DATA_DIR / "articles"

GIVEN = (
    "Mei Daniel Akira Maria Kenji Sarah Hiroshi Elena Takeshi Laura Ryo Miguel "
    "Yuki Patricia Satoshi Andrea Kazuo Ramon Emiko Thomas Naoko Gabriel Haruto "
    "Rosa Min-jun Julia Tomasz Aiko Victor Ingrid Sung-ho Teresa Martin Keiko "
    "Rafael Hanna Jonas Leticia Arturo Chiara Olusegun Amara Kwame Priya Arjun "
    "Nadia Pavel Sofia Mateo Ximena"
).split()
FAMILY = (
    "Okafor Tanaka Reyes Kowalski Nakamura Lindqvist Sato Moreau Watanabe "
    "Castillo Ishikawa Brennan Fujimoto Delgado Matsuda Novak Kimura Santos "
    "Yamaguchi Hartmann Kobayashi Aquino Inoue Fischer Shimizu Bautista Mori "
    "Kaminski Hayward Takahashi Lopez Ogawa Petersen Suzuki Navarro Endo "
    "Gallagher Kondo Mendoza Ueda Sorensen Murakami Villanueva Aoki Park Choi "
    "Han Jung Kang Yoon Whitfield Carrington Abernathy Thornton Ellison Mercer "
    "Ramires Okonkwo Mensah Adeyemi Banerjee Chatterjee Varga Horvath Dimitrov"
).split()
EXTRA_BASES = (
    "Camp Kinser",
    "Camp Courtney",
    "Camp Foster",
    "Camp Gonsalves",
    "Camp Lester",
    "Camp Zama",
    "Camp Casey",
    "Camp Aguinaldo",
    "Tsuiki Air Base",
    "Nyutabaru Air Base",
    "Hyakuri Air Base",
    "Chitose Air Base",
    "Naha Air Base",
    "Osan Air Base",
    "Kunsan Air Base",
    "Basa Air Base",
)
EXTRA_ISLANDS = (
    "Kumejima",
    "Tokunoshima",
    "Okinoerabu Island",
    "Yoron Island",
    "Kikai Island",
    "Aguni Island",
    "Tarama Island",
    "Hateruma Island",
    "Iriomote Island",
    "Zamami Island",
    "Fuga Island",
    "Balabac Island",
)
PUBLISHERS = ("Deutsche Welle", "Reuters", "Bloomberg L.P.", "Stars and Stripes", None)
KEEP = 0.3  # probability that a name stays as in the sample
_TITLED = frozenset({"title-before-name", "appositive-title", "rank-before-name"})
_ORDINAL = re.compile(r"\b(\d{1,3})(st|nd|rd|th)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"])")
_INITIAL_OR_SUFFIX = re.compile(r"^(?:[A-Z]\.|Jr\.?|Sr\.?|II|III|IV),?$")


@dataclass(frozen=True)
class Sources:
    """What the generator recombines: paragraphs (as sentence lists) per sample,
    and the names it varies."""

    paragraphs: tuple[tuple[tuple[str, ...], ...], ...]  # article -> paragraph
    people: tuple[tuple[frozenset[str], frozenset[str]], ...]  # (given, family)
    bases: dict[str, tuple[str, ...]]  # gazetteer id -> aliases, longest first
    islands: dict[str, tuple[str, ...]]


def _paragraphs(article: Article) -> tuple[tuple[str, ...], ...]:
    out = []
    pos = 0
    for line in article.text.split("\n"):
        begin, end = pos, pos + len(line)
        pos = end + 1
        if any(x.begin < end and begin < x.end for x in article.excluded):
            continue  # page chrome, captions with credits: not content to reuse
        if len(line.split()) < 6:
            continue
        sentences = tuple(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
        out.append(sentences)
    return tuple(out)


Person = tuple[frozenset[str], frozenset[str]]  # (given names, family names)


def _people(articles: list[Article]) -> tuple[Person, ...]:
    """Officials the rules find with a title in the samples, as (given names,
    family names); spelling variants and family-name-first order merged."""
    nlp = build_nlp("blank")
    pairs: list[tuple[str, str]] = []
    for ea in extract(articles, nlp):
        for m in ea.mentions:
            if m.kind is not Kind.OFFICIAL or m.rule not in _TITLED:
                continue
            words = [w for w in m.text.split() if not _INITIAL_OR_SUFFIX.match(w)]
            if len(words) >= 2:
                pairs.append((words[0].rstrip(","), words[-1].rstrip(",")))
    people: list[tuple[set[str], set[str]]] = []
    for given, family in sorted(set(pairs)):
        for g, f in people:
            if family in f or (given in f and family in g):  # "Hayashi Yoshimasa"
                if family in f:
                    g.add(given)
                break
        else:
            people.append(({given}, {family}))
    return tuple((frozenset(g), frozenset(f)) for g, f in people)


@cache
def load_sources(samples: Path = SAMPLES) -> Sources:
    """Read the sample articles and the gazetteer once."""
    articles = [a for a in read_articles([samples]) if isinstance(a, Article)]
    lex = load_lexicon()

    def aliases(kind: Kind) -> dict[str, tuple[str, ...]]:
        return {
            e.id: tuple(sorted({*e.aliases, e.label}, key=len, reverse=True))
            for e in sorted(lex.entries.values(), key=lambda e: e.id)
            if e.kind is kind
        }

    return Sources(
        paragraphs=tuple(_paragraphs(a) for a in articles),
        people=_people(articles),
        bases=aliases(Kind.BASE),
        islands=aliases(Kind.ISLAND),
    )


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _vary_names(text: str, src: Sources, rng: random.Random) -> str:
    # Officials: one new (given, family) per person, applied word by word.
    words: dict[str, str] = {}
    for given, family in src.people:
        if rng.random() < KEEP:
            continue
        new_given, new_family = rng.choice(GIVEN), rng.choice(FAMILY)
        words.update({g: new_given for g in given})
        words.update({f: new_family for f in family})
    if words:
        rx = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words))) + r")\b")
        text = rx.sub(lambda m: words[m.group(1)], text)

    # Unit ordinals: the same ordinal becomes the same new ordinal.
    ordinals: dict[str, str] = {}

    def new_ordinal(m: re.Match[str]) -> str:
        if m.group(0) not in ordinals:
            keep = rng.random() < KEEP
            ordinals[m.group(0)] = m.group(0) if keep else _ordinal(rng.randint(1, 199))
        return ordinals[m.group(0)]

    text = _ORDINAL.sub(new_ordinal, text)

    # Bases and islands: swap for another gazetteer entry or an unknown name.
    for table, extra in ((src.bases, EXTRA_BASES), (src.islands, EXTRA_ISLANDS)):
        forms: dict[str, str] = {}
        pool = [table[k][-1] for k in sorted(table)] + list(extra)
        for entry_aliases in table.values():
            if not any(a in text for a in entry_aliases) or rng.random() < KEEP:
                continue
            target = rng.choice(pool)
            forms.update({a: target for a in entry_aliases})
        if forms:
            alt = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
            rx = re.compile(rf"(?<!\w)({alt})(?!\w)")
            text = rx.sub(lambda m, f=forms: f[m.group(1)], text)  # type: ignore[misc]
    return text


def make_article(i: int, seed: int = 0, src: Sources | None = None) -> str:
    """The text (with YAML front matter) of article ``i`` of the corpus."""
    src = src or load_sources()
    rng = random.Random(f"{seed}:{i}")
    target = rng.randint(450, 1150)
    paragraphs: list[str] = []
    n_words = 0
    while n_words < target:
        article = rng.choice([p for p in src.paragraphs if p])
        start = rng.randrange(len(article))
        for sentences in article[start : start + rng.randint(2, 5)]:
            # A run of consecutive sentences, sometimes cut short.
            first = rng.randrange(len(sentences)) if rng.random() < 0.3 else 0
            last = rng.randint(first + 1, len(sentences))
            para = " ".join(sentences[first:last])
            paragraphs.append(para)
            n_words += len(para.split())
    body = _vary_names("\n\n".join(paragraphs), src, rng)
    title = " ".join(body.split()[: rng.randint(6, 11)]).rstrip(",.;:")
    front = {
        "title": title,
        "publisher": rng.choice(PUBLISHERS),
        "published": f"20{rng.randint(21, 24)}-{rng.randint(1, 12):02d}-"
        f"{rng.randint(1, 28):02d}",
        "language": "en",
    }
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items() if v]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def write_corpus(n: int, out: Path, seed: int = 0) -> list[Path]:
    """Write articles ``bench_000000.txt`` ... into ``out`` (created); return paths.

    Files already there with the right name are rewritten only if they differ,
    so a corpus can be grown in place.
    """
    out.mkdir(parents=True, exist_ok=True)
    src = load_sources()
    paths = []
    for i in range(n):
        path = out / f"bench_{i:06d}.txt"
        text = make_article(i, seed, src)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="directory to write them to")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = write_corpus(args.n, args.out, args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    print(f"wrote {len(paths)} articles ({words} words) to {args.out}")


if __name__ == "__main__":
    main()
