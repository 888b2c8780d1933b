"""Deterministic IRIs: ``{base}{kind}/{slug}``, minted from content, never random.

>>> slugify("Antony J. Blinken")
'antony-j-blinken'
>>> slugify("U.S.-Japan Security Treaty")
'u-s-japan-security-treaty'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "article_iri",
    "assertion_iri",
    "evidence_iri",
    "mention_iri",
    "mint",
    "slugify",
]

_NON_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def _digest(*parts: str, n: int = 12) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:n]


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by ``-``; never empty, at most 80 characters.

    Text with no ASCII letter or digit (e.g. all CJK) gets a content hash, so two
    different names never share a slug by accident of transliteration.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _NON_SLUG.sub("-", folded.lower()).strip("-")
    if not slug:
        return "x-" + _digest(text)
    if len(slug) > MAX_SLUG:
        slug = slug[: MAX_SLUG - 13].rstrip("-") + "-" + _digest(text)
    return slug


def mint(base: str, kind: str, key: str) -> str:
    """The IRI of an entity of ``kind`` whose canonical key is ``key``."""
    return f"{base}{kind}/{slugify(key)}"


_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def article_iri(base: str, article_id: str) -> str:
    """The IRI of an article: its id when that is IRI-safe, else a slug plus hash.

    >>> article_iri("https://x.org/id/", "000_882f0b8c3bdfd23a")
    'https://x.org/id/article/000_882f0b8c3bdfd23a'
    """
    if _SAFE_ID.fullmatch(article_id):
        return f"{base}article/{article_id}"
    # Ids come from file names and feed records: anything else is made safe, and
    # the hash keeps two ids that slug alike apart.
    return f"{base}article/{slugify(article_id)}-{_digest(article_id, n=8)}"


def mention_iri(base: str, article_id: str, begin: int, end: int) -> str:
    return f"{article_iri(base, article_id)}/mention/{begin}-{end}"


def evidence_iri(base: str, article_id: str, begin: int, end: int) -> str:
    """The IRI of a sentence quoted as evidence: NIF's RFC 5147 style offsets.

    ``#char=b,e`` after the article IRI; under a base that already has a
    fragment (``--base https://example.org/kg#``) a second ``#`` would make an
    invalid IRI, so the offsets follow a ``/`` there.

    >>> evidence_iri("https://x.org/id/", "a", 3, 9)
    'https://x.org/id/article/a#char=3,9'
    >>> evidence_iri("https://x.org/kg#", "a", 3, 9)
    'https://x.org/kg#article/a/char=3,9'
    """
    article = article_iri(base, article_id)
    sep = "/" if "#" in article else "#"
    return f"{article}{sep}char={begin},{end}"


def assertion_iri(base: str, article_id: str, s: str, p: str, o: str) -> str:
    return f"{article_iri(base, article_id)}/assertion/{_digest(s, p, o)}"
