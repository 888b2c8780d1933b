"""Turn hand-written mention specs into per-article gold files with offsets.

Usage (from the repository root)::

    python tests/data/gold/make_gold.py samples          # write samples/*.json
    python tests/data/gold/make_gold.py dev --show        # also print contexts
    python tests/data/gold/make_gold.py samples --check   # files are up to date

A spec (``spec/<set>.mentions.json``) lists, per article, ``[surface, entity]``
or ``[surface, entity, options]`` items chosen by reading the article. Each
surface is matched as a whole word (case-sensitive), longest surfaces first, and
an occurrence inside a longer annotated surface (or inside a ``"block"`` string
of the article) is not a mention of the shorter one. Options: ``"occ"`` keeps
only the n-th remaining occurrences (1-based), ``"descriptor": true`` marks a
definite description. The script only computes offsets: the choice of surfaces
and entities is the annotator's, per ``GUIDELINES.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from kg_builder.articles import read_articles
from kg_builder.model import Article

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def _articles(inputs: list[str]) -> dict[str, Article]:
    out: dict[str, Article] = {}
    for item in read_articles([ROOT / p for p in inputs]):
        if isinstance(item, Article):
            out[item.id] = item
        else:
            raise SystemExit(f"cannot read {item}")
    return out


def _occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    # Whole words, where a word boundary is a change of character class: so
    # "12th" is found in "the12th" (a missing space in the page), "Blinken" is
    # not found in "Blinkens".
    def edge(ch: str) -> str:
        return r"\d" if ch.isdigit() else r"[A-Za-z0-9]" if ch.isalpha() else ""

    before, after = edge(surface[0]), edge(surface[-1])
    # A space in a surface stands for any run of white space: pages carry
    # no-break spaces ("12th\u00a0Marine") and line breaks inside names.
    body = r"\s+".join(re.escape(w) for w in surface.split(" "))
    rx = re.compile(
        (f"(?<!{before})" if before else "") + body + (f"(?!{after})" if after else "")
    )
    return [m.span() for m in rx.finditer(text)]


def annotate(text: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Mentions (with offsets) of one article's spec."""
    claimed: list[tuple[int, int]] = []
    for block in spec.get("block", []):
        found = _occurrences(text, block)
        if not found:
            raise SystemExit(f"block string {block!r} not found")
        claimed.extend(found)
    items = sorted(
        spec["mentions"], key=lambda it: -len(it[0])
    )  # longest first; stable for equal lengths
    mentions: list[dict[str, Any]] = []
    for item in items:
        surface, entity = item[0], item[1]
        opts: dict[str, Any] = item[2] if len(item) > 2 else {}
        free = [
            (b, e)
            for b, e in _occurrences(text, surface)
            if not any(b < ce and cb < e for cb, ce in claimed)
        ]
        if "occ" in opts:
            try:
                free = [free[i - 1] for i in opts["occ"]]
            except IndexError:
                raise SystemExit(
                    f"{surface!r}: occurrence {opts['occ']} of {len(free)}"
                ) from None
        if not free:
            raise SystemExit(f"{surface!r} ({entity}) not found")
        for b, e in free:
            mentions.append(
                {
                    "begin": b,
                    "end": e,
                    "text": text[b:e],
                    "entity": entity,
                    "descriptor": bool(opts.get("descriptor", False)),
                }
            )
            claimed.append((b, e))
    mentions.sort(key=lambda m: (m["begin"], m["end"]))
    return mentions


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("set")
    ap.add_argument("--show", action="store_true", help="print each mention")
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args(argv)
    spec = json.loads((HERE / "spec" / f"{args.set}.mentions.json").read_text())
    corpus = json.loads((HERE / f"{args.set}.json").read_text())
    arts = _articles(corpus["inputs"])
    entities = corpus["entities"]
    stale = 0
    for aid, aspec in spec["articles"].items():
        text = arts[aid].text
        mentions = annotate(text, aspec)
        for m in mentions:
            if m["entity"] not in entities:
                raise SystemExit(f"{aid}: unknown entity {m['entity']}")
        doc = {
            "article": aid,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "mentions": mentions,
        }
        path = HERE / corpus["articles"][aid]
        body = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
        if args.show:
            for m in mentions:
                ctx = text[max(0, m["begin"] - 30) : m["end"] + 30].replace("\n", "⏎")
                flag = "D" if m["descriptor"] else " "
                print(f"{aid[:5]} {m['begin']:>5} {flag} {m['entity']:<45} …{ctx}…")
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != body:
                print(f"stale: {path}")
                stale += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
