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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from .iri import article_iri, assertion_iri, evidence_iri, mention_iri
from .model import Article, Fact, Kind, Span
from .namespace import DAL, ITSRDF, NIF, PREFIXES, SCHEMA, WD
from .resolve import Resolution, ResolvedClaim

__all__ = ["CLASS_OF", "RunInfo", "assemble"]

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


def assemble(
    articles: Sequence[Article],
    resolution: Resolution,
    base: str,
    run: RunInfo,
) -> tuple[Dataset, dict[str, str]]:
    """Build the dataset for a resolved corpus.

    Returns:
        The dataset, and a mapping article id -> article IRI.
    """
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    default = ds.graph(DATASET_DEFAULT_GRAPH_ID)
    iris = {a.id: article_iri(base, a.id) for a in articles}
    by_id = {a.id: a for a in articles}

    # -- entities --
    for e in resolution.entities.values():
        s = URIRef(e.iri)
        default.add((s, RDF.type, CLASS_OF[e.kind]))
        default.add((s, RDFS.label, Literal(e.label)))
        for alt in e.alt_labels:
            default.add((s, SKOS.altLabel, Literal(alt)))
        if e.wikidata:
            default.add((s, OWL.sameAs, WD[e.wikidata]))
        for k, v in e.attrs:
            if k == "articleNumber":
                default.add(
                    (s, DAL.articleNumber, Literal(int(v), datatype=XSD.integer))
                )

    # -- articles and the run --
    run_digest = hashlib.sha256(
        "\x1f".join(
            [run.tool_version, run.model_name, run.model_version, base]
            + sorted(f"{a.id}:{a.sha256}" for a in articles)
        ).encode()
    ).hexdigest()[:16]
    run_iri = URIRef(f"{base}run/{run_digest}")
    default.add((run_iri, RDF.type, DAL.ExtractionRun))
    default.add((run_iri, DAL.toolVersion, Literal(run.tool_version)))
    default.add((run_iri, DAL.modelName, Literal(run.model_name)))
    default.add((run_iri, DAL.modelVersion, Literal(run.model_version)))
    ended = _run_time()
    if ended is not None:
        default.add((run_iri, PROV.endedAtTime, ended))
    for a in articles:
        s = URIRef(iris[a.id])
        default.add((run_iri, PROV.used, s))
        default.add((s, RDF.type, DAL.SourceArticle))
        default.add((s, DCTERMS.identifier, Literal(a.id)))
        if a.title:
            default.add((s, DCTERMS.title, Literal(a.title)))
        if a.publisher:
            default.add((s, DCTERMS.publisher, Literal(a.publisher)))
        issued = _issued(a.published)
        if issued is not None:
            default.add((s, DCTERMS.issued, issued))
        if a.language:
            default.add((s, DCTERMS.language, Literal(a.language)))
        url = _http_url(a.url)
        if url:
            default.add((s, SCHEMA.url, Literal(url, datatype=XSD.anyURI)))
        default.add((s, DAL.sha256, Literal(a.sha256)))
        default.add((s, DAL.machineTranslated, Literal(a.machine_translated)))
        default.add((s, NIF.isString, Literal(a.text)))

    # -- mentions --
    for m in resolution.mentions:
        entity = resolution.mention_iris[(m.article_id, m.span.begin, m.span.end)]
        art = URIRef(iris[m.article_id])
        g = ds.graph(art)
        node = URIRef(mention_iri(base, m.article_id, m.span.begin, m.span.end))
        g.add((node, RDF.type, DAL.Mention))
        g.add((node, NIF.referenceContext, art))
        g.add((node, NIF.beginIndex, _nni(m.span.begin)))
        g.add((node, NIF.endIndex, _nni(m.span.end)))
        g.add((node, NIF.anchorOf, Literal(m.text)))
        g.add((node, ITSRDF.taIdentRef, URIRef(entity)))
        g.add((node, DAL.rule, Literal(m.rule)))
        default.add((art, DAL.mentions, URIRef(entity)))

    # -- facts, one assertion per (fact, article) --
    best: dict[tuple[str, str, str, str], Fact] = {}
    for f in resolution.facts:
        fk = (f.article_id, f.subject, f.predicate, f.object)
        cur = best.get(fk)
        if cur is None or (f.confidence, -f.sentence.begin) > (
            cur.confidence,
            -cur.sentence.begin,
        ):
            best[fk] = f
    for (aid, s_, p_, o_), f in sorted(best.items()):
        art = URIRef(iris[aid])
        g = ds.graph(art)
        s, p = URIRef(s_), DAL[p_]
        o = _domain(o_) if o_.startswith("dal:") else URIRef(o_)
        g.add((s, p, o))
        node = URIRef(assertion_iri(base, aid, s_, str(p), str(o)))
        _assertion(
            g, node, s, p, o, art, base, by_id[aid], f.sentence, f.confidence, f.rule
        )

    # -- numeric claims: assertions only --
    for c in resolution.claims:
        _claim(ds, c, iris, by_id, base)
    return ds, iris


def _evidence(g: Graph, base: str, article: Article, art: URIRef, sent: Span) -> URIRef:
    ev = URIRef(evidence_iri(base, article.id, sent.begin, sent.end))
    g.add((ev, RDF.type, DAL.Evidence))
    g.add((ev, NIF.referenceContext, art))
    g.add((ev, NIF.beginIndex, _nni(sent.begin)))
    g.add((ev, NIF.endIndex, _nni(sent.end)))
    g.add((ev, NIF.anchorOf, Literal(article.text[sent.begin : sent.end])))
    return ev


def _assertion(
    g: Graph,
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
) -> None:
    g.add((node, RDF.type, DAL.Assertion))
    g.add((node, RDF.subject, s))
    g.add((node, RDF.predicate, p))
    g.add((node, RDF.object, o))
    g.add((node, PROV.wasDerivedFrom, art))
    g.add((node, DAL.evidence, _evidence(g, base, article, art, sent)))
    g.add((node, DAL.confidence, _decimal(confidence)))
    g.add((node, DAL.rule, Literal(rule)))


def _claim(
    ds: Dataset,
    rc: ResolvedClaim,
    iris: dict[str, str],
    by_id: dict[str, Article],
    base: str,
) -> None:
    c = rc.claim
    art = URIRef(iris[c.article_id])
    g = ds.graph(art)
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
    _assertion(
        g,
        node,
        subject,
        DAL.personnelCount,
        value,
        art,
        base,
        by_id[c.article_id],
        c.sentence,
        c.confidence,
        c.rule,
    )
    g.add((node, DAL.personnelCategory, Literal(c.category)))
    if rc.personnel_of:
        g.add((node, DAL.personnelOf, URIRef(rc.personnel_of)))
    if c.qualifier:
        g.add((node, DAL.qualifier, Literal(c.qualifier)))
    if c.minimum is not None:
        g.add((node, DAL.minimumValue, Literal(c.minimum, datatype=XSD.integer)))
    if c.maximum is not None:
        g.add((node, DAL.maximumValue, Literal(c.maximum, datatype=XSD.integer)))
