"""Measure extraction against hand-written gold annotations.

Runs extraction and resolution (the library functions the pipeline uses, no
output written) over the input articles and compares what they yield with the
gold of ``tests/data/gold/`` (format and annotation rules in
``tests/data/gold/GUIDELINES.md``):

* entities of the five main types (Official, MilitaryUnit, MilitaryBase,
  Island, Treaty with TreatyArticle): precision, recall and F1, where a
  predicted entity matches a gold one when they share a mention span exactly
  (same article, begin, end) and are paired one-to-one, most shared mentions
  first; split entities (one gold entity on several IRIs) and merged ones
  (several gold entities on one IRI);
* mention recall per article (names; definite descriptions apart);
* relation recall per predicate (per article stating the relation), and the
  precision of the predicted relations whose ends the gold knows;
* numeric claims found, and whether disagreeing sources stay side by side.

Like the pipeline module, this one knows every stage up to resolution; nothing
imports it but the CLI and the tests.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .articles import read_articles
from .errors import InputError, UsageError
from .extract import DEFAULT_MODEL, add_known_names, build_nlp, extract
from .model import Article
from .namespace import DEFAULT_BASE
from .relations import read_relations
from .resolve import Resolution, normalise, resolve

__all__ = [
    "MAIN_TYPES",
    "Evaluation",
    "Gold",
    "Prediction",
    "evaluate",
    "format_report",
    "load_gold",
    "predict",
    "predict_baseline",
    "prediction_of",
    "score",
]

#: the five main types and the kinds each covers
MAIN_TYPES: dict[str, frozenset[str]] = {
    "Official": frozenset({"official"}),
    "MilitaryUnit": frozenset({"unit"}),
    "MilitaryBase": frozenset({"base"}),
    "Island": frozenset({"island"}),
    "Treaty": frozenset({"treaty", "treaty-article"}),
}
_GROUP = {k: t for t, ks in MAIN_TYPES.items() for k in ks}


# ------------------------------------------------------------------- the gold


@dataclass(frozen=True, slots=True)
class GoldMention:
    article: str
    begin: int
    end: int
    text: str
    entity: str
    descriptor: bool = False


@dataclass(frozen=True)
class Gold:
    """A gold corpus: entities, mentions per article, relations, claims."""

    name: str
    path: Path
    entities: dict[str, dict[str, Any]]
    mentions: dict[str, tuple[GoldMention, ...]]  # article id -> mentions
    sha256: dict[str, str]  # article id -> sha256 of its text
    relations: tuple[dict[str, Any], ...]
    claims: tuple[dict[str, Any], ...]
    disagreements: tuple[dict[str, Any], ...]
    #: the inputs the gold annotates, as the corpus file names them (paths
    #: relative to the repository root)
    inputs: tuple[str, ...] = ()

    def kind(self, gid: str) -> str:
        return str(self.entities[gid]["kind"])


def load_gold(path: str | Path) -> Gold:
    """Read a gold corpus file and its per-article mention files.

    Raises:
        UsageError: the file or one it names is missing or malformed.
    """
    path = Path(path)
    try:
        corpus = json.loads(path.read_text(encoding="utf-8"))
        mentions: dict[str, tuple[GoldMention, ...]] = {}
        sha: dict[str, str] = {}
        for aid, rel in corpus["articles"].items():
            doc = json.loads((path.parent / rel).read_text(encoding="utf-8"))
            sha[aid] = doc["sha256"]
            mentions[aid] = tuple(
                GoldMention(
                    aid,
                    m["begin"],
                    m["end"],
                    m["text"],
                    m["entity"],
                    bool(m.get("descriptor", False)),
                )
                for m in doc["mentions"]
            )
        entities = corpus["entities"]
        for ms in mentions.values():
            for m in ms:
                if m.entity not in entities:
                    raise ValueError(f"mention of unknown entity {m.entity!r}")
        return Gold(
            name=corpus.get("name", path.stem),
            path=path,
            entities=entities,
            mentions=mentions,
            sha256=sha,
            relations=tuple(corpus.get("relations", ())),
            claims=tuple(corpus.get("claims", ())),
            disagreements=tuple(corpus.get("disagreements", ())),
            inputs=tuple(corpus.get("inputs", ())),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: cannot read the gold: {exc}") from exc


# ----------------------------------------------------------------- predictions


@dataclass(frozen=True)
class Prediction:
    """What a system yields, in the terms the scorer needs."""

    kinds: dict[str, str]  # IRI -> kind value
    labels: dict[str, tuple[str, ...]]  # IRI -> label, then alt labels
    mentions: dict[tuple[str, int, int], str]  # (article, begin, end) -> IRI
    facts: tuple[tuple[str, str, str, str], ...]  # (article, s, predicate, o)
    claims: tuple[tuple[str, str, int, str], ...]  # (article, s, value, category)


def prediction_of(res: Resolution) -> Prediction:
    """The scorer's view of a resolution."""
    return Prediction(
        kinds={iri: e.kind.value for iri, e in res.entities.items()},
        labels={iri: (e.label, *e.alt_labels) for iri, e in res.entities.items()},
        mentions=dict(res.mention_iris),
        facts=tuple(
            (f.article_id, f.subject, f.predicate, f.object) for f in res.facts
        ),
        claims=tuple(
            (c.claim.article_id, c.subject, c.claim.value, c.claim.category)
            for c in res.claims
        ),
    )


def _read(inputs: Iterable[Path]) -> tuple[list[Article], list[str]]:
    arts: list[Article] = []
    problems: list[str] = []
    for item in read_articles(inputs):
        if isinstance(item, InputError):
            problems.append(str(item))
        else:
            arts.append(item)
    return arts, problems


def predict(
    articles: Sequence[Article],
    *,
    model: str | None = DEFAULT_MODEL,
    base: str = DEFAULT_BASE,
) -> Prediction:
    """Extraction, relations and resolution over ``articles``, as the pipeline
    runs them (nothing is written)."""
    nlp = build_nlp(model)
    extracted = add_known_names(list(extract(articles, nlp)))
    readings = [read_relations(ea) for ea in extracted]
    return prediction_of(resolve(readings, base))


_BASELINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("treaty-article", re.compile(r"^Article\s+\w+$")),
    ("treaty", re.compile(r"\b(?:Treaty|Agreement|Pact|Accord)\b")),
    ("unit", re.compile(r"\b(?:Regiment|Squadron|Division|Brigade|Battalion|Wing)\b")),
    ("unit", re.compile(r"\b(?:Unit|Fleet|Marines|Force)\b")),
    ("base", re.compile(r"\b(?:Base|Camp|Air Station|Fort|Area|Airfield)\b")),
    ("island", re.compile(r"\b(?:Islands?|Isles?|Jima|shima)\b")),
)


def predict_baseline(
    articles: Sequence[Article], model: str = DEFAULT_MODEL
) -> Prediction:
    """The reference the issue names: plain spaCy NER plus keyword rules.

    PERSON entities are officials; other entities are typed by keywords in
    their text (Treaty, Regiment, Base, Island…); each distinct surface string
    is one entity (no resolution); no relations, no claims.
    """
    import spacy  # the rule pipeline is deliberately not used here

    nlp = spacy.load(model)
    kinds: dict[str, str] = {}
    labels: dict[str, tuple[str, ...]] = {}
    mentions: dict[tuple[str, int, int], str] = {}
    for art, doc in zip(articles, nlp.pipe(a.text for a in articles), strict=True):
        for ent in doc.ents:
            if any(
                ent.start_char < x.end and x.begin < ent.end_char for x in art.excluded
            ):
                continue
            kind = "official" if ent.label_ == "PERSON" else None
            if kind is None:
                kind = next(
                    (k for k, rx in _BASELINE_RULES if rx.search(ent.text)), None
                )
            if kind is None:
                continue
            iri = f"baseline:{kind}/{ent.text}"
            kinds[iri] = kind
            labels[iri] = (ent.text,)
            mentions[(art.id, ent.start_char, ent.end_char)] = iri
    return Prediction(kinds, labels, mentions, (), ())


# --------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class TypeScore:
    type: str
    gold: int
    predicted: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class ArticleMentions:
    article: str
    names: int
    names_found: int
    descriptors: int
    descriptors_found: int

    @property
    def recall(self) -> float:
        return self.names_found / self.names if self.names else 1.0


@dataclass(frozen=True, slots=True)
class PredicateScore:
    predicate: str
    gold: int
    found: int

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0


@dataclass(frozen=True)
class Evaluation:
    """The scores of one run against one gold corpus; the CLI prints them."""

    gold: str
    system: str
    articles: tuple[str, ...]
    types: tuple[TypeScore, ...]
    split: tuple[tuple[str, tuple[str, ...]], ...]  # gold id -> predicted IRIs
    merged: tuple[tuple[str, tuple[str, ...]], ...]  # IRI -> gold ids
    mentions: tuple[ArticleMentions, ...]
    mention_precision: float
    relations: tuple[PredicateScore, ...]
    relation_precision: float
    relations_judged: int
    claims_gold: int
    claims_found: int
    disagreements: tuple[tuple[str, bool], ...]  # description, present
    missed: dict[str, list[str]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()

    @property
    def macro_f1(self) -> float:
        scored = [t for t in self.types if t.gold or t.predicted]
        return sum(t.f1 for t in scored) / len(scored) if scored else 0.0

    @property
    def mention_recall(self) -> float:
        n = sum(a.names for a in self.mentions)
        return sum(a.names_found for a in self.mentions) / n if n else 1.0

    @property
    def descriptor_recall(self) -> float:
        n = sum(a.descriptors for a in self.mentions)
        return sum(a.descriptors_found for a in self.mentions) / n if n else 1.0

    @property
    def relation_recall(self) -> float:
        n = sum(p.gold for p in self.relations)
        return sum(p.found for p in self.relations) / n if n else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["types"] = [
            {**asdict(t), "precision": t.precision, "recall": t.recall, "f1": t.f1}
            for t in self.types
        ]
        d["mentions"] = [{**asdict(a), "recall": a.recall} for a in self.mentions]
        d["relations"] = [{**asdict(p), "recall": p.recall} for p in self.relations]
        d["split"] = {g: list(i) for g, i in self.split}
        d["merged"] = {i: list(g) for i, g in self.merged}
        d["disagreements"] = [
            {"claim": c, "present": ok} for c, ok in self.disagreements
        ]
        d.update(
            macro_f1=self.macro_f1,
            mention_recall=self.mention_recall,
            descriptor_recall=self.descriptor_recall,
            relation_recall=self.relation_recall,
        )
        return d


# ---------------------------------------------------------------------- scoring


def _pair(overlap: Counter[tuple[str, str]]) -> dict[str, str]:
    """One-to-one gold -> IRI pairs, most shared mentions first."""
    pairs: dict[str, str] = {}
    used: set[str] = set()
    for (g, iri), _n in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0])):
        if g not in pairs and iri not in used:
            pairs[g] = iri
            used.add(iri)
    return pairs


def score(
    gold: Gold, pred: Prediction, articles: Sequence[str], system: str = ""
) -> Evaluation:
    """Compare a prediction with the gold over the given article ids."""
    arts = [a for a in articles if a in gold.mentions]
    in_scope = set(arts)
    gmentions = [m for a in arts for m in gold.mentions[a]]
    missed: dict[str, list[str]] = defaultdict(list)

    # entities -----------------------------------------------------------------
    overlap: Counter[tuple[str, str]] = Counter()
    for m in gmentions:
        iri = pred.mentions.get((m.article, m.begin, m.end))
        gtype = _GROUP[gold.kind(m.entity)]
        if iri is not None and _GROUP.get(pred.kinds.get(iri, "")) == gtype:
            overlap[(m.entity, iri)] += 1
    pairs = _pair(overlap)
    gold_of = {iri: g for g, iri in pairs.items()}
    pred_in_scope = {iri for (a, _b, _e), iri in pred.mentions.items() if a in in_scope}
    types = []
    for t in MAIN_TYPES:
        g_ids = {m.entity for m in gmentions if _GROUP[gold.kind(m.entity)] == t}
        p_ids = {i for i in pred_in_scope if _GROUP.get(pred.kinds.get(i, "")) == t}
        matched = [g for g in g_ids if g in pairs]
        types.append(TypeScore(t, len(g_ids), len(p_ids), len(matched)))
        missed["entities"] += sorted(g for g in g_ids if g not in pairs)
        missed["spurious"] += sorted(
            f"{i} ({pred.labels[i][0]})" for i in p_ids if i not in gold_of
        )
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_iri: dict[str, set[str]] = defaultdict(set)
    for g, iri in overlap:
        by_gold[g].add(iri)
        by_iri[iri].add(g)
    split = tuple(
        (g, tuple(sorted(s))) for g, s in sorted(by_gold.items()) if len(s) > 1
    )
    merged = tuple(
        (i, tuple(sorted(s))) for i, s in sorted(by_iri.items()) if len(s) > 1
    )

    # mentions -----------------------------------------------------------------
    per_article = []
    for a in arts:
        counts: Counter[str] = Counter()
        for m in gold.mentions[a]:
            iri = pred.mentions.get((a, m.begin, m.end))
            ok = (
                iri is not None
                and _GROUP.get(pred.kinds.get(iri, "")) == _GROUP[gold.kind(m.entity)]
            )
            key = "d" if m.descriptor else "n"
            counts[key] += 1
            counts[key + "found"] += ok
            if not ok:
                missed["mentions"].append(f"{a[:5]} {m.begin}:{m.end} {m.text!r}")
        per_article.append(
            ArticleMentions(
                a, counts["n"], counts["nfound"], counts["d"], counts["dfound"]
            )
        )
    gold_spans = {(m.article, m.begin, m.end) for m in gmentions}
    pred_main = [
        k
        for k, iri in pred.mentions.items()
        if k[0] in in_scope and pred.kinds.get(iri) in _GROUP
    ]
    mention_precision = (
        sum(k in gold_spans for k in pred_main) / len(pred_main) if pred_main else 0.0
    )
    for k in sorted(k for k in pred_main if k not in gold_spans):
        missed["spurious mentions"].append(
            f"{k[0][:5]} {k[1]}:{k[2]} {pred.mentions[k].rsplit('/', 2)[-2:]}"
        )

    # relations ----------------------------------------------------------------
    def gold_ids(iri: str) -> set[str]:
        if iri.startswith("dal:"):
            return {f"domain/{iri[4:]}"}
        if iri in gold_of:
            return {gold_of[iri]}
        kind = pred.kinds.get(iri)
        if kind is None or kind in _GROUP:
            return set()
        names = {normalise(x) for x in pred.labels.get(iri, ())}
        return {
            g
            for g, e in gold.entities.items()
            if e["kind"] == kind
            and names & {normalise(x) for x in (e["label"], *e.get("labels", ()))}
        }

    predicted = defaultdict(set)  # (article, predicate) -> {(gold s, gold o)}
    judged = correct = 0
    gold_rel = {
        (a, r["subject"], r["predicate"], r["object"])
        for r in gold.relations
        for a in r["articles"]
        if a in in_scope
    }
    known = {g for _a, s, _p, o in gold_rel for g in (s, o)}
    # only facts of a shape the gold annotates are judged (Position ofCountry,
    # implied by the position's label, is not annotated)
    shapes = {(p, gold.kind(s)) for _a, s, p, _o in gold_rel}
    for a, s, p, o in set(pred.facts):
        if a not in in_scope:
            continue
        ss, oo = gold_ids(s), gold_ids(o)
        for gs in ss:
            for go in oo:
                predicted[(a, p)].add((gs, go))
        if ss & known and oo & known and any((p, gold.kind(g)) in shapes for g in ss):
            judged += 1
            ok = any((a, gs, p, go) in gold_rel for gs in ss for go in oo)
            correct += ok
            if not ok:
                missed["unsupported relations"].append(
                    f"{a[:5]} {'|'.join(sorted(ss))} {p} {'|'.join(sorted(oo))}"
                )
    rel_counts: Counter[str] = Counter()
    rel_found: Counter[str] = Counter()
    for a, s, p, o in sorted(gold_rel):
        rel_counts[p] += 1
        if (s, o) in predicted[(a, p)]:
            rel_found[p] += 1
        else:
            missed["relations"].append(f"{a[:5]} {s} {p} {o}")
    relations = tuple(
        PredicateScore(p, rel_counts[p], rel_found[p]) for p in sorted(rel_counts)
    )

    # claims -------------------------------------------------------------------
    def claim_found(c: dict[str, Any], category: bool = False) -> bool:
        return any(
            a == c["article"]
            and v == c["value"]
            and c["subject"] in gold_ids(s)
            and (not category or cat == c["category"])
            for a, s, v, cat in pred.claims
        )

    gclaims = [c for c in gold.claims if c["article"] in in_scope]
    found_claims = 0
    for c in gclaims:
        if claim_found(c):
            found_claims += 1
        else:
            missed["claims"].append(f"{c['article'][:5]} {c['subject']} {c['value']}")
    disagreements = []
    for d in gold.disagreements:
        values = {a: v for a, v in d["values"].items() if a in in_scope}
        if len(values) < 2:
            continue
        ok = all(
            claim_found(
                {
                    "article": a,
                    "value": v,
                    "subject": d["subject"],
                    "category": d["category"],
                },
                category=True,
            )
            for a, v in values.items()
        )
        desc = f"{d['subject']} {d['category']}: " + ", ".join(
            f"{v} ({a[:3]})" for a, v in sorted(values.items())
        )
        disagreements.append((desc, ok))

    return Evaluation(
        gold=str(gold.path),
        system=system,
        articles=tuple(arts),
        types=tuple(types),
        split=split,
        merged=merged,
        mentions=tuple(per_article),
        mention_precision=mention_precision,
        relations=relations,
        relation_precision=correct / judged if judged else 0.0,
        relations_judged=judged,
        claims_gold=len(gclaims),
        claims_found=found_claims,
        disagreements=tuple(disagreements),
        missed=dict(missed),
    )


def evaluate(
    gold_path: str | Path,
    inputs: Sequence[str | Path],
    *,
    model: str | None = DEFAULT_MODEL,
    baseline: bool = False,
) -> Evaluation:
    """Run the extraction over ``inputs`` and score it against the gold.

    Args:
        gold_path: a gold corpus file (``tests/data/gold/samples.json``).
        inputs: article files or folders (those the gold annotates are scored;
            others are read but left out of the scores).
        model: the spaCy pipeline (``"blank"`` for rules only).
        baseline: score the plain-NER baseline instead of the rules.

    Raises:
        UsageError: the gold is unreadable, or an article's text is not the text
            the gold was written for (its sha256 differs).
    """
    gold = load_gold(gold_path)
    articles, problems = _read(Path(p) for p in inputs)
    for a in articles:
        if a.id in gold.sha256:
            digest = hashlib.sha256(a.text.encode("utf-8")).hexdigest()
            if digest != gold.sha256[a.id]:
                raise UsageError(
                    f"{a.source}: the text differs from the one the gold "
                    f"{gold.path} was written for; re-annotate (make_gold.py)"
                )
    if not any(a.id in gold.mentions for a in articles):
        raise UsageError(f"none of the inputs is annotated in {gold.path}")
    if baseline:
        pred = predict_baseline(articles, model or DEFAULT_MODEL)
        system = f"baseline: {model} NER + keyword rules"
    else:
        pred = predict(articles, model=model)
        system = f"kg-builder rules on {model}"
    ev = score(gold, pred, [a.id for a in articles], system)
    return Evaluation(**{**ev.__dict__, "skipped": tuple(problems)})


# --------------------------------------------------------------------- report


def format_report(ev: Evaluation, *, errors: bool = False) -> str:
    """The evaluation as a plain-text table (what ``kg-builder evaluate`` prints)."""
    out = [f"gold: {ev.gold}   system: {ev.system}   articles: {len(ev.articles)}", ""]
    out.append(
        f"{'type':<14}{'gold':>6}{'pred':>6}{'match':>7}{'P':>7}{'R':>7}{'F1':>7}"
    )
    for t in ev.types:
        out.append(
            f"{t.type:<14}{t.gold:>6}{t.predicted:>6}{t.matched:>7}"
            f"{t.precision:>7.2f}{t.recall:>7.2f}{t.f1:>7.2f}"
        )
    out.append(f"{'macro F1':<40}{ev.macro_f1:>7.2f}")
    out.append(f"split entities: {len(ev.split)}   merged entities: {len(ev.merged)}")
    for g, iris in ev.split:
        out.append(f"  split  {g} -> {', '.join(iris)}")
    for iri, gs in ev.merged:
        out.append(f"  merged {iri} <- {', '.join(gs)}")
    out += [
        "",
        f"{'article':<40}{'names':>7}{'found':>7}{'R':>7}{'descr':>7}{'found':>7}",
    ]
    for a in ev.mentions:
        out.append(
            f"{a.article[:39]:<40}{a.names:>7}{a.names_found:>7}{a.recall:>7.2f}"
            f"{a.descriptors:>7}{a.descriptors_found:>7}"
        )
    out.append(
        f"mention recall {ev.mention_recall:.2f} (names), "
        f"{ev.descriptor_recall:.2f} (descriptions); "
        f"mention precision {ev.mention_precision:.2f}"
    )
    out += ["", f"{'predicate':<18}{'gold':>6}{'found':>7}{'R':>7}"]
    for p in ev.relations:
        out.append(f"{p.predicate:<18}{p.gold:>6}{p.found:>7}{p.recall:>7.2f}")
    out.append(
        f"relation recall {ev.relation_recall:.2f}; precision "
        f"{ev.relation_precision:.2f} of {ev.relations_judged} judged"
    )
    out.append(f"numeric claims found: {ev.claims_found}/{ev.claims_gold}")
    for desc, ok in ev.disagreements:
        out.append(f"disagreement {desc}: {'present' if ok else 'MISSING'}")
    for s in ev.skipped:
        out.append(f"skipped {s}")
    if errors:
        for what, items in sorted(ev.missed.items()):
            if items:
                out += ["", f"{what} ({len(items)}):", *(f"  {x}" for x in items)]
    return "\n".join(out)
