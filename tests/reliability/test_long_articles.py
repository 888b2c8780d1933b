"""Issue 5, item 1: a 2 MB line, a 20 MB article; ``kg_builder/chunking.py``.

spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters), so a long
article is extracted in pieces cut at paragraph breaks, with every offset
shifted back into the whole text. These tests check the cutting, that pieces
give the same mentions as the whole text, and that a 20 MB article builds in
bounded time and memory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from kg_builder.articles import MAX_ARTICLE_CHARS
from kg_builder.chunking import cut_points, extract_long
from kg_builder.extract import build_nlp, extract
from kg_builder.model import Article, Span
from kg_builder.namespace import NIF
from tests.reliability.support import cli_command, cli_env, report

PARAGRAPHS = [
    "Secretary of State Antony Blinken met Defense Minister Yasukazu Hamada.",
    "The 12th Marine Regiment will become the 12th Marine Littoral Regiment.",
    "Prime Minister Fumio Kishida visited Kadena Air Base on Okinawa.",
    "Defense Secretary Lloyd Austin toured Camp Schwab.\r\nZürich — 😀 noted.",
    "The weather was mild and nothing else happened in the harbour.",
]


# --- cutting -------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab \n\r\t\u2028é😀"), max_size=400),
    limit=st.integers(2, 60),
)
def test_pieces_cover_the_text_in_order_and_fit(text: str, limit: int) -> None:
    pieces = cut_points(text, limit)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    for (_, end), (begin, _) in zip(pieces, pieces[1:], strict=False):
        assert end == begin
    for begin, end in pieces:
        assert end - begin <= limit
        assert end > begin or len(text) == 0


def test_cuts_prefer_paragraphs_then_lines_then_spaces_then_anywhere() -> None:
    # a blank line in the last half of the piece wins over a later line break
    text = "a" * 60 + "\n\n" + "b" * 20 + "\n" + "c" * 10
    assert cut_points(text, 90) == [(0, 62), (62, len(text))]
    # else the last line break, else the last white space
    text = "a" * 50 + "\n" + "b" * 30 + " " + "c" * 20
    assert cut_points(text, 90)[0] == (0, 51)
    text = "a" * 50 + " " + "b" * 30 + " " + "c" * 20
    assert cut_points(text, 90)[0] == (0, 82)
    # a blank line in the first half is too early: the piece would be too short
    text = "a" * 10 + "\n\n" + "b" * 60 + " " + "c" * 40
    assert cut_points(text, 90)[0] == (0, 73)
    assert cut_points("x" * 25, 10) == [(0, 10), (10, 20), (20, 25)]
    assert cut_points("", 10) == [(0, 0)]
    with pytest.raises(ValueError):
        cut_points("abc", 1)


# --- extracting in pieces ------------------------------------------------------


@pytest.fixture(scope="module")
def blank() -> Language:
    return build_nlp("blank")


def _article(text: str, article_id: str = "long") -> Article:
    from kg_builder.chrome import find_chrome

    return Article(
        id=article_id, text=text, source=f"{article_id}.txt", excluded=find_chrome(text)
    )


def test_pieces_give_the_mentions_and_sentences_of_the_whole(blank: Language) -> None:
    text = "\n\n".join(PARAGRAPHS[i % len(PARAGRAPHS)] for i in range(40))
    article = _article(text)
    (whole,) = extract([article], blank)
    (cut,) = extract_long([article], blank, max_chars=500)
    assert len(cut_points(text, 500)) > 4
    assert cut.article is article
    assert [(m.span, m.text, m.kind, m.rule) for m in cut.mentions] == [
        (m.span, m.text, m.kind, m.rule) for m in whole.mentions
    ]
    assert cut.sentences == whole.sentences
    for m in cut.mentions:
        assert text[m.span.begin : m.span.end] == m.text


def test_short_and_long_articles_stream_in_input_order(blank: Language) -> None:
    texts = ["Camp Schwab.", "\n\n".join(PARAGRAPHS * 10), "Okinawa.", "Guam."]
    texts += ["\n\n".join(PARAGRAPHS * 12)]
    articles = [_article(t, f"a{i}") for i, t in enumerate(texts)]
    got = list(extract_long(articles, blank, max_chars=400))
    assert [ea.article.id for ea in got] == [a.id for a in articles]
    for ea in got:
        for m in ea.mentions:
            assert m.article_id == ea.article.id
            assert ea.article.text[m.span.begin : m.span.end] == m.text


def test_chrome_across_a_cut_stays_excluded(blank: Language) -> None:
    body = "\n\n".join(PARAGRAPHS * 4)
    chrome = "\n".join(["Related Stories"] + PARAGRAPHS * 3)  # a trailer to the end
    text = body + "\n\n" + chrome
    article = _article(text)
    assert article.excluded and article.excluded[-1].end == len(text)
    (cut,) = extract_long([article], blank, max_chars=300)
    trailer = article.excluded[-1]
    assert cut.mentions
    assert not any(m.span.overlaps(trailer) for m in cut.mentions)


def test_a_2_mb_line_with_no_spaces_is_cut_anywhere(blank: Language) -> None:
    text = "Camp Schwab is on Okinawa.\n" + "x" * 2_000_000 + "\nGuam hosts Camp Blaz."
    (ea,) = extract_long([_article(text)], blank)
    anchors = {m.text: m.span for m in ea.mentions}
    assert {"Camp Schwab", "Okinawa", "Camp Blaz", "Guam"} <= set(anchors)
    assert anchors["Camp Blaz"] == Span(len(text) - 10, len(text) - 1)


def test_many_short_lines_each_start_a_sentence(blank: Language) -> None:
    """A page of 8,000 short lines: every line starts a sentence. (kg_lines
    once set each start through Token.is_sent_start, which rescans the doc on
    every set: quadratic in lines. It now sets them in one Doc.from_array; the
    speed is measured by benchmarks/bench_long_lines.py, not by a timed test.)"""
    # no full stops: only the line breaks can start these sentences
    (ea,) = extract_long([_article("No news\n" * 8_000)], blank)
    starts = {s.begin for s in ea.sentences}
    assert {8 * i for i in range(8_000)} <= starts


@pytest.mark.slow
def test_the_statistical_model_reads_a_long_article_in_pieces() -> None:
    """What the default model does with a long text: pieces of 100k characters,
    each parsed on its own (about 300 MB and 4 s per piece with en_core_web_sm;
    a 20 MB article takes about 20 minutes on one core)."""
    nlp = build_nlp()
    text = "\n\n".join(PARAGRAPHS[i % len(PARAGRAPHS)] for i in range(1_700))
    assert 100_000 < len(text) < 200_000
    (ea,) = extract_long([_article(text)], nlp)
    assert ea.sentences[-1].end == len(text.rstrip())
    assert max(m.span.begin for m in ea.mentions) > 100_000
    for m in ea.mentions:
        assert text[m.span.begin : m.span.end] == m.text
    kishida = [m for m in ea.mentions if m.text == "Fumio Kishida"]
    assert len(kishida) == text.count("Prime Minister Fumio Kishida")


def test_a_text_too_long_for_one_literal_is_read_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import kg_builder.articles as articles

    monkeypatch.setattr(articles, "MAX_ARTICLE_CHARS", 300)
    text = "\n\n".join(PARAGRAPHS * 3)
    (tmp_path / "long.md").write_text("---\ntitle: Long\n---\n" + text, newline="")
    record = {"id": "rec", "text": text, "publisher": "P"}
    (tmp_path / "feed.jsonl").write_text(json.dumps(record) + "\n")
    with caplog.at_level("WARNING"):
        read = list(articles.read_articles([tmp_path]))
    assert all(isinstance(a, Article) for a in read)
    by_source: dict[str, list[Article]] = {}
    for a in read:
        assert isinstance(a, Article) and len(a.text) <= 300
        by_source.setdefault(a.source, []).append(a)
    long_parts = by_source[str(tmp_path / "long.md")]
    feed_parts = by_source[f"{tmp_path / 'feed.jsonl'}:1"]
    for parts, stem in ((long_parts, "long"), (feed_parts, "rec")):
        assert "".join(a.text for a in parts) == text
        assert [a.id for a in parts] == [
            f"{stem}-part-{n:03d}" for n in range(1, len(parts) + 1)
        ]
    assert {a.title for a in long_parts} == {"Long"}
    assert {a.publisher for a in feed_parts} == {"P"}
    assert "read as" in caplog.text and "long-part-001" in caplog.text


# --- a 20 MB article, end to end ---------------------------------------------------


def test_a_20_mb_article_builds_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """The CLI builds it (blank model) as parts of at most 2.5M characters (one
    RDF literal Oxigraph can read), every part extracted in pieces with offsets
    into the part's text, in well under 2 GB (about 0.5 GB here); every output
    loads into Oxigraph."""
    para = (
        "The weather report and other filler words that mean nothing at all, "
        "as scraped pages are full of. " * 10
    )
    head = "\n\n".join(PARAGRAPHS) + "\n\n"
    tail = "\n\n" + "\n\n".join(reversed(PARAGRAPHS)) + "\n"
    n = (20_000_000 - len(head) - len(tail)) // (len(para) + 12)
    text = head + "".join(f"{i:>8}. {para}\n\n" for i in range(n)) + tail
    assert len(text) > 19_900_000
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "huge.txt").write_text(text, encoding="utf-8")
    (corpus / "small.txt").write_text(PARAGRAPHS[2], encoding="utf-8")
    out = tmp_path / "out"

    proc = subprocess.Popen(
        cli_command("build", str(corpus), "--out", str(out), "--model", "blank"),
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # communicate() reaped the child; its rusage is in RUSAGE_CHILDREN, which
    # holds the largest child so far: an upper bound for this one.
    peak_mb = _children_peak_rss_mb()
    assert proc.returncode == 0, stderr
    assert peak_mb < 2048, f"peak RSS {peak_mb:.0f} MB"
    assert "skipped" not in stderr
    parts_read = re.search(r"huge\.txt: [\d,]+ characters.*read as (\d+) parts", stderr)
    assert parts_read, stderr
    n_parts = int(parts_read.group(1))
    assert 8 <= n_parts <= 16

    read = {r["id"]: r["characters"] for r in report(out)["read"]}
    assert read.pop("small") == len(PARAGRAPHS[2])
    assert sorted(read) == [f"huge-part-{k:03d}" for k in range(1, n_parts + 1)]
    assert sum(read.values()) == len(text)
    assert max(read.values()) <= MAX_ARTICLE_CHARS

    store = ox.Store()
    store.bulk_load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    parts = {
        row["a"].value.rsplit("/", 1)[1]: row["text"].value
        for row in _select(
            store, f"SELECT ?a ?text WHERE {{ ?a <{NIF.isString}> ?text }}"
        )
    }
    assert "".join(parts[k] for k in sorted(parts) if k != "small") == text
    checked = 0
    for row in _select(
        store,
        "SELECT ?a ?b ?e ?anchor WHERE { "
        f"?m <{NIF.referenceContext}> ?a ; <{NIF.beginIndex}> ?b ; "
        f"<{NIF.endIndex}> ?e ; <{NIF.anchorOf}> ?anchor }}",
    ):
        part = parts[row["a"].value.rsplit("/", 1)[1]]
        assert part[int(row["b"].value) : int(row["e"].value)] == row["anchor"].value
        checked += 1
    assert checked >= 30  # the first and last paragraphs' mentions and sentences
    for name in ("graph.ttl", "graph.trig"):
        fmt = ox.RdfFormat.TURTLE if name.endswith("ttl") else ox.RdfFormat.TRIG
        assert sum(1 for _ in ox.parse(path=str(out / name), format=fmt)) > 0


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _children_peak_rss_mb() -> float:
    import resource

    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return kib / 1024 if os.uname().sysname == "Linux" else kib / 1024 / 1024
