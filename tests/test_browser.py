"""The built book in headless Chromium, exactly as it will be published, with no network.

`make browser` builds the book if needed and runs these tests. They serve _build/html on
127.0.0.1 and drive Debian's Chromium (never a downloaded browser) with Playwright. The pages
are opened as they are: every request that leaves 127.0.0.1 is refused and recorded, so a page
that needs a CDN for its scripts, styles, fonts or math fails here, as it would for a reader
who is offline, behind a firewall or reading a downloaded copy.

Every page of the table of contents (read from _toc.yml, so a new chapter is covered as soon
as it is listed) must load with no outside request, no failed request, no console error, its
math typeset, and no sideways scrolling of the page at 1366 x 768.
"""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
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
VIEWPORT = {"width": 1366, "height": 768}
CHAPTER = "chapters/01_perceptron"
EXERCISES = "exercises/01_perceptron"
SOLUTIONS = "solutions/01_perceptron"
EXERCISES_TITLE = "Exercises: the perceptron"
SOLUTIONS_TITLE = "Solutions: the perceptron"


def toc_titles():
    """{page: title} for the pages that _toc.yml gives a title (the exercise sets)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return {entry["file"]: entry["title"] for part in toc.get("parts", [])
            for entry in part.get("chapters") or [] if "title" in entry}  # fmt: skip


def toc_pages():
    """Every page of the book, in reading order: `index` (the root's address), then the rest."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                yield entry["file"]
            yield from walk(entry.get("sections"))

    chapters = [c for part in toc.get("parts", []) for c in walk(part.get("chapters"))]
    return toc["root"], ["index", *chapters, *walk(toc.get("chapters"))]


ROOT_PAGE, PAGES = toc_pages()
# The numbered chapters (each has an explorable figure and launch buttons), and the graded
# sets: each exercise page is followed by its solutions page.
CHAPTERS = [page for page in PAGES if page.startswith("chapters/") and "/00_" not in page]
SETS = [page.removeprefix("exercises/") for page in PAGES if page.startswith("exercises/")]
TITLES = toc_titles()

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install Debian's `chromium` (or set CHROMIUM=path)",
        allow_module_level=True,
    )
if not (HTML / "index.html").exists():
    pytest.skip("the book is not built: run `make book` first", allow_module_level=True)

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: run `make install`"
)


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


def refuse_outside(route, outside):
    """Let requests to the book's own server through; refuse (and note) every other one."""
    if urlparse(route.request.url).hostname == "127.0.0.1":
        return route.continue_()
    outside.append(route.request.url)
    return route.abort()


def wait_for_mathjax(page):
    """True once MathJax has typeset the page; False if MathJax never started."""
    return page.evaluate(
        """() => (window.MathJax && MathJax.startup && MathJax.startup.promise)
                 ? MathJax.startup.promise.then(() => true) : false"""
    )


@pytest.fixture()
def open_page(browser, server):
    """Opens a page as a first-time reader would: fresh browser context, empty storage."""
    pages = []

    def _open(path):
        page = browser.new_page(viewport=VIEWPORT)  # a new context each time
        page.outside, page.failed, page.console_errors, page.errors = [], [], [], []
        page.route("**/*", lambda route: refuse_outside(route, page.outside))
        page.on(
            "requestfailed",
            lambda request: (
                request.url in page.outside
                or page.failed.append(f"{request.url}: {request.failure}")
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and page.failed.append(f"{response.url}: HTTP {response.status}")
            ),
        )
        page.on(
            "console",
            lambda msg: msg.type == "error" and page.console_errors.append(msg.text),
        )
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(f"{server}/{path}", wait_until="load")
        if path == "index.html":  # the book's address forwards to its first page
            page.wait_for_url(f"**/{ROOT_PAGE}.html", wait_until="load")
        page.mathjax_ran = wait_for_mathjax(page)
        page.wait_for_load_state("networkidle")  # fonts and extensions MathJax loads late
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.close()


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    return config["url"].removeprefix("https://github.com/"), config["branch"]


def page_title(page):
    """The page's h1 without its permalink sign."""
    return page.locator("h1").first.inner_text().replace("#", "").strip()


# The page's text outside code, scripts and typeset formulas: where raw TeX would show.
PROSE = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, textarea, mjx-container')
      .forEach(e => e.remove());
  return copy.textContent;
}"""


def test_toc_gives_every_page():
    assert ROOT_PAGE == "intro"
    assert {"index", CHAPTER, EXERCISES, SOLUTIONS, "docs/grading"} <= set(PAGES)
    for page in PAGES[1:]:
        assert (HTML / f"{page}.html").is_file(), f"{page} is in _toc.yml but was not built"


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_completely_offline(open_page, path):
    page = open_page(f"{path}.html")
    assert not page.outside, f"the page asked the internet for {page.outside}"
    assert not page.failed, f"failed to load: {page.failed}"
    assert not page.console_errors, f"console errors: {page.console_errors}"
    assert not page.errors, f"page errors: {page.errors}"

    formulas = page.locator("span.math, div.math").count()
    if formulas:
        assert page.mathjax_ran, "MathJax did not start, so the page shows raw TeX"
        untypeset = page.locator(
            "span.math:not(:has(mjx-container)), div.math:not(:has(mjx-container))"
        )
        assert untypeset.count() == 0, f"{untypeset.count()} of {formulas} formulas not typeset"
        assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    prose = page.evaluate(PROSE)
    for raw in ("\\(", "\\[", "$$"):
        assert raw not in prose, f"raw TeX {raw!r} left in the page's text"

    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert max(widths[:2]) <= widths[2], f"the page is wider than the window: {widths}"


def test_book_opens_on_the_introduction_and_lists_both_chapters(open_page):
    page = open_page("index.html")
    assert page.url.endswith(f"/{ROOT_PAGE}.html")
    assert page.locator("h1").first.inner_text().startswith("Deep Learning by Hand")
    nav = page.locator("nav.bd-links").inner_text()
    assert "Introduction" in nav
    assert "1. The perceptron" in nav
    for number in range(1, len(CHAPTERS) + 1):  # every chapter listed, numbered
        assert f"{number}. " in nav, f"no chapter numbered {number} in the navigation"
    # One search field (in the sidebar), no empty top bar holding a second one.
    assert page.locator("#pst-header .search-button-field").count() == 0
    assert page.locator(".bd-sidebar-primary .search-button-field").count() == 1
    assert not page.errors, page.errors


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_renders_with_typeset_math(open_page, chapter):
    page = open_page(f"{chapter}.html")
    if chapter == CHAPTER:
        assert "The perceptron" in page.locator("h1").first.inner_text()
    # MathJax replaces each formula's TeX source by an <mjx-container> once it has typeset it.
    typeset = page.locator("mjx-container").count()
    assert typeset >= 10, f"only {typeset} formulas typeset"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    # Figures produced by the chapter's code are on the page.
    assert page.locator("img[src*='_images/'], .cell_output img").count() >= 3
    assert not page.outside, f"the page asked the internet for {page.outside}"
    assert not page.errors, page.errors


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_launch_buttons_open_this_notebook_in_binder_and_colab(open_page, chapter):
    page = open_page(f"{chapter}.html")
    owner_repo, branch = repository()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    binder = [h for h in hrefs if h.startswith("https://mybinder.org/")]
    colab = [h for h in hrefs if h.startswith("https://colab.research.google.com/")]
    assert binder == [
        f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=tree/{chapter}.ipynb"
    ]
    assert colab == [
        f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{chapter}.ipynb"
    ]
    assert f"https://github.com/{owner_repo}" in hrefs
    assert any(h.startswith(f"https://github.com/{owner_repo}/issues") for h in hrefs)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_widget_fallback_responds_to_its_sliders_without_a_kernel(open_page, chapter):
    page = open_page(f"{chapter}.html")
    explorer = page.locator(".byhand-explorer").first
    explorer.scroll_into_view_if_needed()
    image = explorer.locator("img.byhand-explorer-frame")
    sliders = explorer.locator("input[type=range]")
    assert sliders.count() >= 1
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


def test_search_finds_the_perceptron_pages_under_distinct_titles(open_page):
    page = open_page("search.html?q=perceptron")
    page.wait_for_function(
        "() => (document.querySelector('#search-results .search-summary') || {})"
        ".textContent?.includes('found')",
        timeout=20_000,
    )
    results = page.eval_on_selector_all(
        "#search-results li > a:first-child",
        "links => links.map(a => [new URL(a.href).pathname, new URL(a.href).hash, a.innerText])",
    )
    assert any("perceptron" in title.lower() for _, _, title in results), results
    # Page-level results (no #anchor) name each page by its title.
    titles = {path.lstrip("/"): title.strip() for path, anchor, title in results if not anchor}
    exercises = titles.get(f"{EXERCISES}.html")
    solutions = titles.get(f"{SOLUTIONS}.html")
    assert exercises == EXERCISES_TITLE, results
    assert solutions == SOLUTIONS_TITLE, results
    assert exercises != solutions
    assert not page.outside and not page.console_errors and not page.errors


@pytest.mark.parametrize("name", SETS)
def test_exercise_and_solution_pages_have_their_own_titles_and_link_to_each_other(open_page, name):
    exercises, solutions = f"exercises/{name}", f"solutions/{name}"
    exercises_title, solutions_title = TITLES[exercises], TITLES[solutions]
    assert exercises_title.startswith("Exercises: ") and solutions_title.startswith("Solutions: ")
    assert exercises_title.removeprefix("Exercises: ") == solutions_title.removeprefix(
        "Solutions: "
    )
    page = open_page(f"{exercises}.html")
    assert page_title(page) == exercises_title
    assert page.title().startswith(exercises_title)
    following = page.locator("a.right-next")
    assert following.locator(".prev-next-title").inner_text().strip() == solutions_title
    assert following.get_attribute("href").endswith(f"{solutions}.html")

    page = open_page(f"{solutions}.html")
    assert page_title(page) == solutions_title
    assert page.title().startswith(solutions_title)
    previous = page.locator("a.left-prev")
    assert previous.locator(".prev-next-title").inner_text().strip() == exercises_title
    assert previous.get_attribute("href").endswith(f"{exercises}.html")


@pytest.mark.parametrize("name", SETS)
def test_solutions_are_folded_and_the_exercises_hold_none(open_page, name):
    """Readers meet each solution only by unfolding it; the exercise page has stubs instead."""
    page = open_page(f"solutions/{name}.html")
    solutions = page.locator(".cell_input:has-text('BEGIN SOLUTION')")
    assert solutions.count() >= 4
    folded = page.locator("details:not([open]) .cell_input:has-text('BEGIN SOLUTION')")
    assert folded.count() == solutions.count()
    assert not solutions.first.is_visible()
    page.locator("details:has(.cell_input:has-text('BEGIN SOLUTION')) summary").first.click()
    assert solutions.first.is_visible()
    assert not page.errors, page.errors

    page = open_page(f"exercises/{name}.html")
    assert page.locator(".cell_input:has-text('BEGIN SOLUTION')").count() == 0
    stubs = page.locator(".cell_input:has-text('raise NotImplementedError')")
    assert stubs.count() == solutions.count()
    assert stubs.first.is_visible()
    # The untouched notebook ran when the book was built: each check says so, without errors.
    assert page.locator(".cell_output:has-text('not attempted yet')").count() >= 4
    assert page.locator(".cell_output .output.traceback, .cell_output .output.error").count() == 0
