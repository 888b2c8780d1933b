"""Assembles the RDF dataset: entities, articles, the run, and per article its
mentions, facts and assertions (the provenance model of DESIGN.md).

The default graph holds entity descriptions, article metadata and the run; one
named graph per article (graph IRI = article IRI) holds what that article
supports. No blank nodes: every node is minted from content (``iri.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from rdflib import Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from .iri import article_iri, assertion_iri, evidence_iri, mention_iri
from .model import Article, Entity, Fact, Kind, RawMention, Span
from .namespace import DAL, ITSRDF, NIF, PREFIXES, SCHEMA, WD
from .resolve import Resolution, ResolvedClaim

__all__ = [
    "CLASS_OF",
    "ArticlePart",
    "RunInfo",
    "Triple",
    "article_triples",
    "assemble",
    "entity_triples",
    "run_iri",
    "run_triples",
    "split_resolution",
]

Triple = tuple[URIRef, URIRef, URIRef | Literal]

CLASS_OF: dict[Kind, URIRef] = {
    Kind.OFFICIAL: DAL.Official,
    Kind.UNIT: DAL.MilitaryUnit,
    Kind.BASE: DAL.MilitaryBase,
    Kind.ISLAND: DAL.Island,
    Kind.TREATY: DAL.Treaty,
    Kind.TREATY_ARTICLE: DAL.TreatyArticle,
    Kind.COUNTRY: DAL.Country,
    Kind.ORGANIZATION: DAL.Organization,
    Kind.PLACE: DAL.Place,
    Kind.POSITION: DAL.Position,
    Kind.EQUIPMENT: DAL.Equipment,
}


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What the ExtractionRun node records."""

    tool_version: str
    model_name: str
    model_version: str


def _decimal(x: float) -> Literal:
    return Literal(Decimal(f"{x:.2f}"), datatype=XSD.decimal)


def _nni(x: int) -> Literal:
    return Literal(x, datatype=XSD.nonNegativeInteger)


def _http_url(url: str | None) -> str | None:
    # Only web addresses become schema:url; "javascript:" and the like are dropped.
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def _issued(value: str | None) -> Literal | None:
    if not value:
        return None
    try:
        return Literal(dt.date.fromisoformat(value[:10]).isoformat(), datatype=XSD.date)
    except ValueError:
        return None


def _run_time() -> Literal | None:
    # Reproducible builds: a timestamp only when SOURCE_DATE_EPOCH says which.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or not epoch.strip().isdigit():
        return None
    t = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return Literal(t.isoformat(timespec="seconds") + "Z", datatype=XSD.dateTime)


def _domain(o: str) -> URIRef:
    return DAL[o.removeprefix("dal:")]


@dataclass(frozen=True, slots=True)
class ArticlePart:
    """What the graph says about one article: the article, and its share of the
    resolution (kept mentions with their entities, facts, numeric claims)."""

    article: Article
    mentions: tuple[tuple[RawMention, str], ...] = ()  # (mention, entity IRI)
    facts: tuple[Fact, ...] = ()
    claims: tuple[ResolvedClaim, ...] = ()

    def entities(self) -> frozenset[str]:
        """IRIs of the entities the article mentions or states facts about."""
        out = {iri for _, iri in self.mentions}
        for f in self.facts:
            out.add(f.subject)
            if not f.object.startswith("dal:"):
                out.add(f.object)
        for c in self.claims:
            out.add(c.subject)
            if c.personnel_of:
                out.add(c.personnel_of)
        return frozenset(out)


def split_resolution(
    articles: Iterable[Article], resolution: Resolution
) -> Iterator[ArticlePart]:
    """One :class:`ArticlePart` per article, in the order given."""
    mentions: dict[str, list[tuple[RawMention, str]]] = {}
    for m in resolution.mentions:
        entity = resolution.mention_iris[(m.article_id, m.span.begin, m.span.end)]
        mentions.setdefault(m.article_id, []).append((m, entity))
    facts: dict[str, list[Fact]] = {}
    for f in resolution.facts:
        facts.setdefault(f.article_id, []).append(f)
    claims: dict[str, list[ResolvedClaim]] = {}
    for c in resolution.claims:
        claims.setdefault(c.claim.article_id, []).append(c)
    for a in articles:
        yield ArticlePart(
            a,
            tuple(mentions.get(a.id, ())),
            tuple(facts.get(a.id, ())),
            tuple(claims.get(a.id, ())),
        )


def entity_triples(entities: Iterable[Entity]) -> Iterator[Triple]:
    """The entity layer: type, labels, Wikidata link, typed attributes."""
    for e in entities:
        s = URIRef(e.iri)
        yield (s, RDF.type, CLASS_OF[e.kind])
        yield (s, RDFS.label, Literal(e.label))
        for alt in e.alt_labels:
            yield (s, SKOS.altLabel, Literal(alt))
        if e.wikidata:
            yield (s, OWL.sameAs, WD[e.wikidata])
        for k, v in e.attrs:
            if k == "articleNumber":
                yield (s, DAL.articleNumber, Literal(int(v), datatype=XSD.integer))


def run_iri(base: str, run: RunInfo, articles: Iterable[tuple[str, str]]) -> URIRef:
    """The IRI of the run: a digest of the tool, model, base and the articles'
    ``(id, sha256)``."""
    run_digest = hashlib.sha256(
        "\x1f".join(
            [run.tool_version, run.model_name, run.model_version, base]
            + sorted(f"{aid}:{sha}" for aid, sha in articles)
        ).encode()
    ).hexdigest()[:16]
    return URIRef(f"{base}run/{run_digest}")


def run_triples(
    node: URIRef, run: RunInfo, article_iris: Iterable[str]
) -> Iterator[Triple]:
    """The ExtractionRun node, ``prov:used`` each article."""
    yield (node, RDF.type, DAL.ExtractionRun)
    yield (node, DAL.toolVersion, Literal(run.tool_version))
    yield (node, DAL.modelName, Literal(run.model_name))
    yield (node, DAL.modelVersion, Literal(run.model_version))
    ended = _run_time()
    if ended is not None:
        yield (node, PROV.endedAtTime, ended)
    for iri in article_iris:
        yield (node, PROV.used, URIRef(iri))


def _metadata(a: Article, s: URIRef) -> Iterator[Triple]:
    yield (s, RDF.type, DAL.SourceArticle)
    yield (s, DCTERMS.identifier, Literal(a.id))
    if a.title:
        yield (s, DCTERMS.title, Literal(a.title))
    if a.publisher:
        yield (s, DCTERMS.publisher, Literal(a.publisher))
    issued = _issued(a.published)
    if issued is not None:
        yield (s, DCTERMS.issued, issued)
    if a.language:
        yield (s, DCTERMS.language, Literal(a.language))
    url = _http_url(a.url)
    if url:
        yield (s, SCHEMA.url, Literal(url, datatype=XSD.anyURI))
    yield (s, DAL.sha256, Literal(a.sha256))
    yield (s, DAL.machineTranslated, Literal(a.machine_translated))
    yield (s, NIF.isString, Literal(a.text))


def article_triples(part: ArticlePart, base: str) -> tuple[list[Triple], list[Triple]]:
    """One article's triples: ``(default, named)``.

    ``default`` is what the article adds to the default graph (its metadata and
    ``dal:mentions``); ``named`` is its named graph (graph IRI = article IRI):
    mentions, facts and their assertions, numeric claims.
    """
    a = part.article
    art = URIRef(article_iri(base, a.id))
    default = list(_metadata(a, art))
    named: list[Triple] = []

    # -- mentions --
    for m, entity in part.mentions:
        node = URIRef(mention_iri(base, m.article_id, m.span.begin, m.span.end))
        named.append((node, RDF.type, DAL.Mention))
        named.append((node, NIF.referenceContext, art))
        named.append((node, NIF.beginIndex, _nni(m.span.begin)))
        named.append((node, NIF.endIndex, _nni(m.span.end)))
        named.append((node, NIF.anchorOf, Literal(m.text)))
        named.append((node, ITSRDF.taIdentRef, URIRef(entity)))
        named.append((node, DAL.rule, Literal(m.rule)))
        default.append((art, DAL.mentions, URIRef(entity)))

    # -- facts, one assertion per (fact, article) --
    best: dict[tuple[str, str, str, str], Fact] = {}
    for f in part.facts:
        fk = (f.article_id, f.subject, f.predicate, f.object)
        cur = best.get(fk)
        if cur is None or (f.confidence, -f.sentence.begin) > (
            cur.confidence,
            -cur.sentence.begin,
        ):
            best[fk] = f
    for (aid, s_, p_, o_), f in sorted(best.items()):
        s, p = URIRef(s_), DAL[p_]
        o = _domain(o_) if o_.startswith("dal:") else URIRef(o_)
        named.append((s, p, o))
        node = URIRef(assertion_iri(base, aid, s_, str(p), str(o)))
        named.extend(
            _assertion(node, s, p, o, art, base, a, f.sentence, f.confidence, f.rule)
        )

    # -- numeric claims: assertions only --
    for c in part.claims:
        named.extend(_claim(c, art, a, base))
    return default, named


def assemble(
    articles: Sequence[Article],
    resolution: Resolution,
    base: str,
    run: RunInfo,
) -> tuple[Dataset, dict[str, str]]:
    """Build the dataset for a resolved corpus, all in memory.

    The pipeline streams the same triples article by article
    (:func:`article_triples`, :func:`entity_triples`, :func:`run_triples`); this
    puts them in one :class:`rdflib.Dataset`, for small corpora and tests.

    Returns:
        The dataset, and a mapping article id -> article IRI.
    """
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    default = ds.graph(DATASET_DEFAULT_GRAPH_ID)
    iris = {a.id: article_iri(base, a.id) for a in articles}
    for triple in entity_triples(resolution.entities.values()):
        default.add(triple)
    node = run_iri(base, run, ((a.id, a.sha256) for a in articles))
    for triple in run_triples(node, run, (iris[a.id] for a in articles)):
        default.add(triple)
    for part in split_resolution(articles, resolution):
        own, named = article_triples(part, base)
        for triple in own:
            default.add(triple)
        g = ds.graph(URIRef(iris[part.article.id]))
        for triple in named:
            g.add(triple)
    return ds, iris


def _evidence(base: str, article: Article, art: URIRef, sent: Span) -> list[Triple]:
    ev = URIRef(evidence_iri(base, article.id, sent.begin, sent.end))
    return [
        (ev, RDF.type, DAL.Evidence),
        (ev, NIF.referenceContext, art),
        (ev, NIF.beginIndex, _nni(sent.begin)),
        (ev, NIF.endIndex, _nni(sent.end)),
        (ev, NIF.anchorOf, Literal(article.text[sent.begin : sent.end])),
    ]


def _assertion(
    node: URIRef,
    s: URIRef,
    p: URIRef,
    o: URIRef | Literal,
    art: URIRef,
    base: str,
    article: Article,
    sent: Span,
    confidence: float,
    rule: str,
) -> list[Triple]:
    evidence = _evidence(base, article, art, sent)
    return [
        (node, RDF.type, DAL.Assertion),
        (node, RDF.subject, s),
        (node, RDF.predicate, p),
        (node, RDF.object, o),
        (node, PROV.wasDerivedFrom, art),
        *evidence,
        (node, DAL.evidence, evidence[0][0]),
        (node, DAL.confidence, _decimal(confidence)),
        (node, DAL.rule, Literal(rule)),
    ]


def _claim(rc: ResolvedClaim, art: URIRef, article: Article, base: str) -> list[Triple]:
    c = rc.claim
    value = Literal(c.value, datatype=XSD.integer)
    node = URIRef(
        assertion_iri(
            base,
            c.article_id,
            rc.subject,
            str(DAL.personnelCount),
            f"{c.value}|{c.category}|{rc.personnel_of or ''}|{c.sentence.begin}",
        )
    )
    subject = URIRef(rc.subject)
    out = _assertion(
        node,
        subject,
        DAL.personnelCount,
        value,
        art,
        base,
        article,
        c.sentence,
        c.confidence,
        c.rule,
    )
    out.append((node, DAL.personnelCategory, Literal(c.category)))
    if rc.personnel_of:
        out.append((node, DAL.personnelOf, URIRef(rc.personnel_of)))
    if c.qualifier:
        out.append((node, DAL.qualifier, Literal(c.qualifier)))
    if c.minimum is not None:
        out.append((node, DAL.minimumValue, Literal(c.minimum, datatype=XSD.integer)))
    if c.maximum is not None:
        out.append((node, DAL.maximumValue, Literal(c.maximum, datatype=XSD.integer)))
    return out
