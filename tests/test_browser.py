"""The built book in headless Chromium, offline.

`make browser` builds the book if needed and runs these tests. They serve _build/html on
127.0.0.1 and drive Debian's Chromium (never a downloaded browser) with Playwright. The
machine has no internet, so requests for MathJax's CDN are answered from the copy that
`make web-assets` installs from the npm registry; any other outside request is refused and
reported.
"""

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
MATHJAX = ROOT / ".cache" / "web" / "node_modules" / "mathjax"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHAPTER = "chapters/01_perceptron"

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install Debian's `chromium` (or set CHROMIUM=path)",
        allow_module_level=True,
    )
if not (HTML / "index.html").exists():
    pytest.skip("the book is not built: run `make book` first", allow_module_level=True)
if not (MATHJAX / "es5" / "tex-mml-chtml.js").exists():
    pytest.skip("no local MathJax: run `make web-assets` (needs npm)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def serve_cdn_locally(route, refused):
    """Answer MathJax's CDN from the local npm copy; refuse (and note) anything else."""
    url = urlparse(route.request.url)
    if url.hostname == "127.0.0.1":
        return route.continue_()
    match = re.match(r"/npm/mathjax@3[^/]*/(.+)$", url.path)
    if url.hostname == "cdn.jsdelivr.net" and match and (MATHJAX / match.group(1)).is_file():
        return route.fulfill(path=str(MATHJAX / match.group(1)))
    refused.append(route.request.url)
    return route.abort()


@pytest.fixture()
def open_page(browser, server):
    pages = []

    def _open(path):
        page = browser.new_page()
        page.refused = []
        page.errors = []
        page.route("**/*", lambda route: serve_cdn_locally(route, page.refused))
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(f"{server}/{path}", wait_until="load")
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.close()


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    return config["url"].removeprefix("https://github.com/"), config["branch"]


def test_book_opens_on_the_introduction_and_lists_both_chapters(open_page):
    page = open_page("index.html")
    assert page.locator("h1").first.inner_text().startswith("Deep Learning by Hand")
    nav = page.locator("nav.bd-links").inner_text()
    assert "Introduction" in nav
    assert "1. The perceptron" in nav
    assert not page.errors, page.errors


def test_chapter_renders_with_typeset_math(open_page):
    page = open_page(f"{CHAPTER}.html")
    assert "The perceptron" in page.locator("h1").first.inner_text()
    # MathJax replaces each formula's TeX source by an <mjx-container> once it has typeset it.
    page.wait_for_selector("mjx-container", timeout=20_000)
    typeset = page.locator("mjx-container").count()
    assert typeset >= 10, f"only {typeset} formulas typeset"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    # Figures produced by the chapter's code are on the page.
    assert page.locator("img[src*='_images/'], .cell_output img").count() >= 3
    assert not page.refused, f"the page asked the internet for {page.refused}"
    assert not page.errors, page.errors


def test_launch_buttons_open_this_notebook_in_binder_and_colab(open_page):
    page = open_page(f"{CHAPTER}.html")
    owner_repo, branch = repository()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    binder = [h for h in hrefs if h.startswith("https://mybinder.org/")]
    colab = [h for h in hrefs if h.startswith("https://colab.research.google.com/")]
    assert binder == [
        f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=tree/{CHAPTER}.ipynb"
    ]
    assert colab == [
        f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{CHAPTER}.ipynb"
    ]
    assert f"https://github.com/{owner_repo}" in hrefs
    assert any(h.startswith(f"https://github.com/{owner_repo}/issues") for h in hrefs)


def test_widget_fallback_responds_to_its_sliders_without_a_kernel(open_page):
    page = open_page(f"{CHAPTER}.html")
    explorer = page.locator(".byhand-explorer").first
    explorer.scroll_into_view_if_needed()
    image = explorer.locator("img.byhand-explorer-frame")
    sliders = explorer.locator("input[type=range]")
    assert sliders.count() >= 2
    seen = {image.get_attribute("src")}
    for k in range(sliders.count()):
        slider = sliders.nth(k)
        readout = slider.locator("xpath=following-sibling::output")
        before = readout.inner_text()
        last = slider.get_attribute("max")
        new = "0" if slider.input_value() != "0" else last
        slider.fill(new)  # sets the value and fires the `input` event, as a drag would
        assert slider.input_value() == new
        assert readout.inner_text() != before, "the slider's readout did not follow it"
        src = image.get_attribute("src")
        assert src.startswith("data:image/png;base64,")
        assert src not in seen, f"moving slider {k} did not change the figure"
        seen.add(src)
    assert not page.errors, page.errors


def test_search_page_finds_the_perceptron(open_page):
    page = open_page("search.html?q=perceptron")
    page.wait_for_selector("#search-results li", timeout=20_000)
    results = page.locator("#search-results li").all_inner_texts()
    assert any("perceptron" in r.lower() for r in results), results


def test_solutions_are_folded_and_the_exercises_hold_none(open_page):
    """Readers meet each solution only by unfolding it; the exercise page has stubs instead."""
    page = open_page("solutions/01_perceptron.html")
    solutions = page.locator(".cell_input:has-text('BEGIN SOLUTION')")
    assert solutions.count() >= 4
    folded = page.locator("details:not([open]) .cell_input:has-text('BEGIN SOLUTION')")
    assert folded.count() == solutions.count()
    assert not solutions.first.is_visible()
    page.locator("details:has(.cell_input:has-text('BEGIN SOLUTION')) summary").first.click()
    assert solutions.first.is_visible()
    assert not page.errors, page.errors

    page = open_page("exercises/01_perceptron.html")
    assert page.locator(".cell_input:has-text('BEGIN SOLUTION')").count() == 0
    stubs = page.locator(".cell_input:has-text('raise NotImplementedError')")
    assert stubs.count() == solutions.count()
    assert stubs.first.is_visible()
    # The untouched notebook ran when the book was built: each check says so, without errors.
    assert page.locator(".cell_output:has-text('not attempted yet')").count() >= 4
    assert page.locator(".cell_output .output.traceback, .cell_output .output.error").count() == 0
