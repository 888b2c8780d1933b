"""``kg-builder publish``: a static linked-data site of a build (kg_builder/site.py)."""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg_builder.cli import app
from kg_builder.errors import InputError, OutputError, UsageError
from kg_builder.namespace import DAL, DEFAULT_BASE, NIF, PREFIXES
from kg_builder.site import Paths, Site, _highlight, esc, publish

BASE = DEFAULT_BASE
SCRIPT = "<script>alert(1)</script>"
HOSTILE = f"{BASE}official/x-script"
HOSTILE_ARTICLE = f"{BASE}article/zz-hostile"
HOSTILE_TEXT = f'He met {SCRIPT} & "friends" today.\u202e'


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def hostile_build(sample_out: Path, into: Path) -> Path:
    """A copy of the sample build plus an official and an article made to attack
    the pages: markup in a label, title and text, a ``javascript:`` link, a bidi
    override. Returns the new build directory (only ``graph.nq`` is written)."""
    into.mkdir(parents=True)
    rdf, rdfs, xsd = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
    begin = HOSTILE_TEXT.index(SCRIPT)
    mention = f"{HOSTILE_ARTICLE}/mention/{begin}-{begin + len(SCRIPT)}"
    art = _n(HOSTILE_ARTICLE)
    triples = [
        (HOSTILE, rdf + "type", _n(str(DAL.Official))),
        (HOSTILE, rdfs + "label", ox.Literal(SCRIPT)),
        (HOSTILE, PREFIXES["skos"] + "altLabel", ox.Literal("Evil\u202egnp.exe")),
        (HOSTILE, PREFIXES["owl"] + "sameAs", _n("javascript:alert(2)")),
        (HOSTILE_ARTICLE, rdf + "type", _n(str(DAL.SourceArticle))),
        (HOSTILE_ARTICLE, PREFIXES["dcterms"] + "title", ox.Literal("<img src=x>")),
        (
            HOSTILE_ARTICLE,
            PREFIXES["schema"] + "url",
            ox.Literal("javascript:alert(3)", datatype=_n(xsd + "anyURI")),
        ),
        (HOSTILE_ARTICLE, str(NIF.isString), ox.Literal(HOSTILE_TEXT)),
        (HOSTILE_ARTICLE, str(DAL.mentions), _n(HOSTILE)),
    ]
    quads = [ox.Quad(_n(s), _n(p), o) for s, p, o in triples]
    in_article = [
        (mention, rdf + "type", _n(str(DAL.Mention))),
        (mention, str(NIF.referenceContext), art),
        (mention, str(NIF.beginIndex), ox.Literal(begin)),
        (mention, str(NIF.endIndex), ox.Literal(begin + len(SCRIPT))),
        (mention, str(NIF.anchorOf), ox.Literal(SCRIPT)),
        (mention, PREFIXES["itsrdf"] + "taIdentRef", _n(HOSTILE)),
    ]
    quads += [ox.Quad(_n(s), _n(p), o, art) for s, p, o in in_article]
    extra = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    (into / "graph.nq").write_bytes((sample_out / "graph.nq").read_bytes() + extra)
    return into


@pytest.fixture(scope="module")
def hostile_out(sample_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_build(sample_out, tmp_path_factory.mktemp("hostile") / "out")


@pytest.fixture(scope="module")
def site(hostile_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site") / "site"
    publish(hostile_out, target)
    return target


def test_the_site_has_the_layout_of_the_server(site: Path):
    for rel in [
        "index.html",
        "404.html",
        "ontology.html",
        "ontology.ttl",
        "ontology.jsonld",
        "ontology.nt",
        "types/official.html",
        "types/article.html",
        "doc/official/antony-blinken.html",
        "doc/official/antony-blinken.ttl",
        "doc/official/antony-blinken.jsonld",
        "doc/official/antony-blinken.nt",
    ]:
        assert (site / rel).is_file(), rel
    mentions = list((site / "doc/article").glob("*/mention/*.html"))
    assert len(mentions) > 100  # every mention IRI dereferences too


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "nt"])
def test_documents_parse_and_describe_their_resource(site: Path, ext: str):
    fmt = ox.RdfFormat.from_extension(ext)
    assert fmt is not None
    path = site / f"doc/official/antony-blinken.{ext}"
    triples = list(ox.parse(path=path, format=fmt))
    blinken = _n(f"{BASE}official/antony-blinken")
    assert {t.subject for t in triples} == {blinken}
    preds = {t.predicate.value for t in triples}
    assert PREFIXES["rdfs"] + "label" in preds and str(DAL.holdsPosition) in preds


def test_an_article_document_holds_its_evidence_sentences(site: Path):
    doc = next((site / "doc/article").glob("000_*.ttl"))
    triples = list(ox.parse(path=doc, format=ox.RdfFormat.TURTLE))
    hashed = {t.subject.value for t in triples if "#char=" in str(t.subject)}
    assert hashed, "the #char= evidence IRIs are described in the article's document"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if a.get("id"):
            self.ids.add(a["id"] or "")
        for name in ("href", "src", "action"):
            if a.get(name) is not None:
                self.hrefs.append(a[name] or "")


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_link_of_every_page_resolves(site: Path):
    pages = {p.relative_to(site).as_posix(): _parse(p) for p in site.rglob("*.html")}
    assert len(pages) > 600
    for here, page in pages.items():
        if here == "404.html":
            continue  # served at any missing path, so its links are from the root
        assert page.scripts == 0, here
        for href in page.hrefs:
            if href.startswith(("http://", "https://")):
                continue
            assert ":" not in href.split("/")[0], f"{here}: unsafe link {href}"
            path, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(here), path))
            assert (site / target).is_file(), f"{here}: broken link {href}"
            if fragment and target.endswith(".html"):
                assert fragment in pages[target].ids, f"{here}: no #{fragment}"


def test_a_label_with_markup_is_shown_as_text(site: Path):
    page = (site / "doc/official/x-script.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in page.replace("<code>", "").split("Same as")[0]
    assert 'href="javascript:' not in page
    assert 'class="ctl">U+202E<' in page  # the bidi override is shown, not obeyed
    index = (site / "types/official.html").read_text(encoding="utf-8")
    assert "<script>" not in index and "&lt;script&gt;" in index


def test_an_article_with_markup_in_its_text_is_escaped_and_highlighted(site: Path):
    page = (site / "doc/article/zz-hostile.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page
    assert 'href="javascript:' not in page
    assert '<mark id="m7-32" title="&lt;script&gt;alert(1)&lt;/script&gt;">' in page
    assert '<a href="../official/x-script.html">&lt;script&gt;' in page


def test_the_official_page_links_to_positions_and_source_sentences(site: Path):
    page = _parse(site / "doc/official/antony-blinken.html")
    assert any(h.startswith("../position/secretary-of-state") for h in page.hrefs)
    assert any(h.startswith("../article/") and "#char=" in h for h in page.hrefs)


def test_publishing_twice_gives_the_same_bytes(hostile_out: Path, tmp_path: Path):
    a = publish(hostile_out, tmp_path / "a")
    b = publish(hostile_out, tmp_path / "b")
    assert a.files == b.files
    for rel in a.files:
        assert (tmp_path / "a" / rel).read_bytes() == (
            tmp_path / "b" / rel
        ).read_bytes()


def test_an_earlier_site_is_replaced_whole(hostile_out: Path, tmp_path: Path):
    target = tmp_path / "site"
    publish(hostile_out, target)
    (target / "doc/official/stale.html").write_text("old")
    publish(hostile_out, target)
    assert not (target / "doc/official/stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temp left


def test_a_failed_publish_leaves_the_old_site(
    hostile_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    target = tmp_path / "site"
    publish(hostile_out, target)
    before = sorted(p.relative_to(target) for p in target.rglob("*"))

    def boom(self: Site, iri: str) -> str | None:
        raise OSError("disk full")

    monkeypatch.setattr(Site, "page", boom)
    with pytest.raises(OutputError, match="disk full"):
        publish(hostile_out, target)
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_foreign_directory_is_not_replaced(hostile_out: Path, tmp_path: Path):
    (tmp_path / "mine.txt").write_text("keep")
    with pytest.raises(OutputError, match="not a kg-builder site"):
        publish(hostile_out, tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep"


def test_a_base_the_graph_does_not_use_is_refused(hostile_out: Path, tmp_path: Path):
    with pytest.raises(UsageError, match="--base"):
        publish(hostile_out, tmp_path / "s", base="https://example.org/other/")


def test_a_directory_without_a_build_is_refused(tmp_path: Path):
    with pytest.raises(InputError, match="graph.nq"):
        publish(tmp_path, tmp_path / "s")


def test_cli_publish(hostile_out: Path, tmp_path: Path):
    result = CliRunner().invoke(
        app, ["publish", str(hostile_out), "--site", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    assert "published" in result.output and "resources" in result.output
    result = CliRunner().invoke(
        app, ["publish", str(tmp_path / "none"), "--site", str(tmp_path / "t")]
    )
    assert result.exit_code == 2
    assert "error:" in result.output


def test_a_site_can_be_copied_anywhere(site: Path, tmp_path: Path):
    # Relative links only: the same files work under any path of any host.
    copy = tmp_path / "deep" / "under" / "here"
    shutil.copytree(site, copy)
    page = (copy / "doc/official/antony-blinken.html").read_text(encoding="utf-8")
    assert 'href="/' not in page


# --- units --------------------------------------------------------------------


def test_esc_escapes_markup_and_shows_hidden_controls():
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert esc("a\x00b") == 'a<span class="ctl">U+0000</span>b'
    assert esc("line\nnext\ttab") == "line\nnext\ttab"


def test_paths_map_only_safe_iris_under_the_base():
    p = Paths(BASE)
    assert p.document(BASE + "unit/12th-marine-littoral-regiment") == (
        "doc/unit/12th-marine-littoral-regiment",
        "",
    )
    for bad in ["../etc/passwd", "a/../b", ".hidden", "a//b", "a b", "a/", ""]:
        assert p.document(BASE + bad) is None, bad
        assert p.resource(bad) is None, bad
    assert p.document("https://elsewhere.org/x") is None


def _nesting_ok(fragment: str) -> bool:
    stack: list[str] = []

    class Check(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert stack and stack.pop() == tag, tag

    Check().feed(fragment)
    return not stack


def test_highlight_nests_marks_in_sentences_and_drops_overlaps():
    text = "Antony Blinken met Lloyd Austin. Then he left."
    mentions = [(0, 14, "e:b"), (7, 14, "e:x"), (19, 24, "e:a"), (26, 38, "e:y")]
    html = _highlight(text, mentions, [(0, 32), (33, 46)], lambda e: (e, e))
    assert _nesting_ok(html)
    assert '<mark id="m0-14"' in html and '<mark id="m7-14"' not in html
    assert '<span id="m7-14"></span>' in html  # an overlapping mention: an anchor
    # y crosses the end of the first sentence: cut in pieces, the first with its id
    assert html.count('href="e:y"') == 3 and html.count('id="m26-38"') == 1
    assert '<span class="ev" id="char=0,32">' in html


def test_highlight_skips_offsets_out_of_range():
    html = _highlight(
        "short", [(2, 99, "e:z"), (0, 5, "e:s")], [(3, 1)], lambda e: (e, e)
    )
    assert html.count("<mark") == 1 and _nesting_ok(html)


# --- properties ------------------------------------------------------------------

_CTL = re.compile(r'<span class="ctl">U\+([0-9A-F]{4})</span>')


def _text_of(fragment: str) -> str:
    """The text a browser shows for our HTML, hidden controls restored."""
    restored = _CTL.sub(lambda m: chr(int(m[1], 16)), fragment)
    return html.unescape(re.sub(r"<[^>]*>", "", restored))


@given(st.text())
def test_esc_leaves_no_markup_and_loses_nothing(text: str):
    out = esc(text)
    assert "<" not in _CTL.sub("", out) and ">" not in _CTL.sub("", out)
    assert '"' not in _CTL.sub("", out)
    assert html.unescape(_CTL.sub(lambda m: chr(int(m[1], 16)), out)) == text


@given(
    st.text(min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(-2, 70), st.integers(-2, 70)), max_size=8),
    st.lists(st.tuples(st.integers(-2, 70), st.integers(-2, 70)), max_size=4),
)
def test_highlight_always_nests_and_keeps_the_text(
    text: str, spans: list[tuple[int, int]], sentences: list[tuple[int, int]]
):
    mentions = [(b, e, f"e:{i}") for i, (b, e) in enumerate(spans)]
    out = _highlight(text, mentions, sentences, lambda e: (e, f"<{e}>"))
    assert _nesting_ok(out)
    assert _text_of(out) == text
    ids = re.findall(r' id="([^"]+)"', out)
    assert len(ids) == len(set(ids))


@given(st.text(max_size=40))
def test_any_iri_maps_to_a_safe_path_or_none(local: str):
    doc = Paths(BASE).document(BASE + local)
    if doc is not None:
        path = doc[0]
        assert path.startswith("doc/") and posixpath.normpath(path) == path
        assert ".." not in path.split("/") and "\\" not in path
