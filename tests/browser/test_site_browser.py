"""The linked-data site in a real headless Chromium (Debian's ``chromium``, driven
by Playwright's Python package; never a browser Playwright downloads).

Both ways of publishing are browsed: ``kg-builder serve`` and the static site of
``kg-builder publish`` opened from disk. ``scripts/setup-browser.sh`` installs the
browser; without it these tests skip, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg_builder.server import make_server
from kg_builder.site import publish
from kg_builder.store import load_build
from tests.test_publish import SCRIPT, hostile_build

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[test]'")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _unavailable("Debian's chromium is not installed: run scripts/setup-browser.sh")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def build(sample_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_build(sample_out, tmp_path_factory.mktemp("browse") / "out")


@pytest.fixture(scope="module", params=["served", "published"])
def start(
    request: pytest.FixtureRequest,
    build: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The URL of the index: of a running server, or of a static site on disk."""
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "published":
        publish(build, tmp / "site")
        yield (tmp / "site" / "index.html").as_uri()
        return
    load_build(build, tmp / "store")
    server = make_server(tmp / "store", "127.0.0.1", 0, workers=1, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def test_from_the_index_to_a_highlighted_mention(page: Any, start: str, tmp_path: Path):
    from playwright.sync_api import expect

    page.goto(start)
    expect(page.locator("h1")).to_have_text("Defense-alliance knowledge graph")

    # the index of officials, then one official
    page.locator("main table a", has_text="Officials").click()
    expect(page.locator("h1")).to_have_text("Officials")
    page.locator("main a", has_text="Antony Blinken").first.click()
    expect(page.locator("h1")).to_have_text("Antony Blinken")
    expect(page.locator(".types")).to_contain_text("official")
    page.screenshot(path=tmp_path / "official.png", full_page=True)

    # the link to their position, and back
    page.locator("table.facts a", has_text="Secretary of State").first.click()
    expect(page.locator("h1")).to_contain_text("Secretary of State")
    expect(page.locator("main")).to_contain_text("Antony Blinken")  # referenced by
    page.go_back()
    expect(page.locator("h1")).to_have_text("Antony Blinken")

    # a source of the fact: the article, at the quoted sentence
    source = page.locator("ul.sources a").first
    quote = page.locator("ul.sources blockquote").first.inner_text()
    source.click()
    assert "/doc/article/" in page.url and "#char=" in page.url
    expect(page.locator(".types")).to_contain_text("source article")
    sentence = page.locator(".ev:target")
    expect(sentence).to_have_count(1)
    assert " ".join(sentence.inner_text().split()) == " ".join(quote.split())

    # the highlighted mention of the official, linking back to them
    mark = page.locator('mark a[href$="official/antony-blinken.html"]')
    assert mark.count() >= 1
    expect(mark.first).to_be_visible()
    assert "Blinken" in mark.first.inner_text()
    in_sentence = sentence.locator('mark a[href$="official/antony-blinken.html"]')
    expect(in_sentence.first).to_be_visible()
    sentence.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.screenshot(path=tmp_path / "article.png")
    assert (tmp_path / "article.png").stat().st_size > 10_000

    in_sentence.first.click()
    expect(page.locator("h1")).to_have_text("Antony Blinken")


def test_a_label_with_a_script_tag_shows_as_text(page: Any, start: str, tmp_path: Path):
    from playwright.sync_api import expect

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(start)
    page.locator("main table a", has_text="Officials").click()
    page.locator("main a", has_text=SCRIPT).click()
    expect(page.locator("h1")).to_have_text(SCRIPT)
    assert page.locator("script").count() == 0
    assert page.locator("main a[href^='javascript:']").count() == 0
    expect(page.locator("main")).to_contain_text("U+202E")  # shown, not obeyed
    # its mention in an article whose title and text carry markup too
    page.locator("main a", has_text="<img src=x>").first.click()
    expect(page.locator("h1")).to_have_text("<img src=x>")
    expect(page.locator("mark").first).to_have_text(SCRIPT)
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    page.screenshot(path=tmp_path / "hostile.png", full_page=True)
    assert dialogs == []
