"""Long articles: extract them in pieces, with offsets into the whole text.

spaCy refuses a text longer than ``nlp.max_length`` (1,000,000 characters by
default, error E088), and the statistical parser and recognizer need memory in
proportion to the length of each text they are given. Raising the limit would
let one scraped 20 MB page take gigabytes; skipping the page would lose every
fact in it. So an article longer than ``max_chars`` is cut into pieces, each
run through the pipeline as a text of its own, and every offset (mentions,
sentences) is shifted back, so it points into the article's whole text as read.

Where it is cut (:func:`kg_builder.articles.cut_points`), best first, within
the last half of each piece: a paragraph break (a blank line), a line break,
any whitespace, and only when the text has none of those (a 2 MB line with no
spaces) at exactly ``max_chars``. Since a
line break always ends a sentence (``kg_lines``), a cut at a line break loses
nothing a rule could have seen within a sentence. What is lost is what rules
carry from sentence to sentence within a document: a surname repeated in a
later piece than the one that introduced the official. ``add_known_names``,
which runs over whole texts afterwards, finds the full name again; a bare
surname in a later piece stays unlinked.

Articles no longer than ``max_chars`` go through untouched, in one piece, so
the output for ordinary articles is the same as without this module.

Pieces are for spaCy only; the article stays one article. A text too long to
be one RDF literal that Oxigraph can read (over
:data:`kg_builder.articles.MAX_ARTICLE_CHARS`, 2.5M characters) is already
read as several articles, ``<id>-part-001``..., by the reader.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator

from spacy.language import Language

from kg_builder.articles import cut_points
from kg_builder.extract import ExtractedArticle, extract
from kg_builder.model import Article, RawMention, Span

__all__ = ["DEFAULT_MAX_CHARS", "cut_points", "extract_long"]

#: the longest text handed to spaCy in one piece. Far below spaCy's own
#: ``max_length``: news articles are 2-20k characters, and pieces of this size
#: keep the parser's memory small.
DEFAULT_MAX_CHARS = 100_000

#: characters in flight at once when extracting the pieces of a long article
_BATCH_CHARS = 200_000


def _shift(span: Span, offset: int) -> Span:
    return Span(span.begin + offset, span.end + offset)


def _piece(article: Article, begin: int, end: int) -> Article:
    """The article restricted to ``text[begin:end]``, chrome spans clipped."""
    excluded = tuple(
        Span(max(s.begin, begin) - begin, min(s.end, end) - begin)
        for s in article.excluded
        if s.begin < end and begin < s.end
    )
    return dataclasses.replace(article, text=article.text[begin:end], excluded=excluded)


def _join(
    article: Article, parts: list[tuple[int, ExtractedArticle]]
) -> ExtractedArticle:
    mentions: list[RawMention] = []
    sentences: list[Span] = []
    for offset, ea in parts:
        for m in ea.mentions:
            span = _shift(m.span, offset)
            mentions.append(dataclasses.replace(m, span=span))
        sentences.extend(_shift(s, offset) for s in ea.sentences)
    return ExtractedArticle(article, tuple(mentions), tuple(sentences))


def extract_long(
    articles: Iterable[Article],
    nlp: Language,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    batch_size: int = 32,
    n_process: int = 1,
) -> Iterator[ExtractedArticle]:
    """:func:`kg_builder.extract.extract`, for articles of any length.

    Streams like ``extract``: articles in, one :class:`ExtractedArticle` per
    article out, in input order. An article longer than ``max_chars`` (or than
    ``nlp.max_length``) goes through the pipeline in pieces (see the module
    docstring), a few pieces at a time, so that memory stays that of a batch
    of ordinary articles; its mentions and sentences come back with offsets
    into its whole text, and each mention's text is ``article.text[begin:end]``.

    Args:
        articles: the articles, in order.
        nlp: the pipeline of :func:`kg_builder.extract.build_nlp`.
        max_chars: the longest text handed to ``nlp`` at once.
        batch_size: as for ``extract``, for articles that are not cut.
        n_process: as for ``extract``.

    Yields:
        What extraction read off each article.
    """
    limit = max(2, min(max_chars, nlp.max_length))
    # The statistical parser needs memory in proportion to the characters of a
    # whole batch (about 300 MB per 100k characters with en_core_web_sm):
    # batch the pieces of a long article by characters, not by count.
    piece_batch = max(1, _BATCH_CHARS // limit)
    for long, run in itertools.groupby(articles, key=lambda a: len(a.text) > limit):
        if not long:
            yield from extract(run, nlp, batch_size=batch_size, n_process=n_process)
            continue
        for article in run:
            cuts = cut_points(article.text, limit)
            pieces = (_piece(article, b, e) for b, e in cuts)
            done = extract(pieces, nlp, batch_size=piece_batch, n_process=n_process)
            yield _join(
                article, [(b, ea) for (b, _), ea in zip(cuts, done, strict=True)]
            )
