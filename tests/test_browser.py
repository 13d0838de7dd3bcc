"""The built book in headless Chromium, exactly as it will be published, with no network.

`make browser` builds the book if needed and runs these tests. They serve _build/html on
127.0.0.1 and drive Debian's Chromium (never a downloaded browser) with Playwright. The pages
are opened as they are: every request that leaves 127.0.0.1 is refused and recorded, so a page
that needs a CDN for its scripts, styles, fonts or math fails here, as it would for a reader
who is offline, behind a firewall or reading a downloaded copy.

Every page of the table of contents (read from _toc.yml, so a new chapter is covered as soon
as it is listed) must load with no outside request, no failed request, no console error, its
math typeset, and no sideways scrolling of the page at 1366 x 768.

Every page must also be usable by every reader: it passes an axe-core audit (WCAG 2 A/AA and
best practices; axe-core is fetched, pinned and verified, from the npm registry by
tools/axe.py), every picture has a text alternative that says something, the page does not
scroll sideways on a phone (390 x 844), and every explorable figure works with the keyboard
alone.

BOOK_HTML=path runs the tests against a book built elsewhere (default: _build/html).
"""

import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("BOOK_HTML") or ROOT / "_build" / "html").resolve()
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
PHONE = {"width": 390, "height": 844}
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


def load(browser, server, path):
    """Opens a page as a first-time reader would: fresh browser context, empty storage."""
    page = browser.new_page(viewport=VIEWPORT)  # a new context each time
    page.outside, page.failed, page.console_errors, page.errors = [], [], [], []
    page.route("**/*", lambda route: refuse_outside(route, page.outside))
    page.on(
        "requestfailed",
        lambda request: (
            request.url in page.outside or page.failed.append(f"{request.url}: {request.failure}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and page.failed.append(f"{response.url}: HTTP {response.status}")
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
    return page


@pytest.fixture()
def open_page(browser, server):
    """Opens pages with `load`, and closes them after the test."""
    pages = []

    def _open(path):
        pages.append(load(browser, server, path))
        return pages[-1]

    yield _open
    for page in pages:
        page.close()


@pytest.fixture(scope="module", params=PAGES)
def book_page(request, browser, server):
    """Each page of the book, opened once for every check made on it: pytest runs the checks
    one page after another (a module-scoped parameter), in the order they are written. A test
    of some pages only (the chapters, the exercise sets) names them with
    `@pytest.mark.parametrize("book_page", [...], indirect=True)` and gets the same open page,
    not a new load: a test that changes the page (a slider moved, a solution unfolded) must
    leave it as a reader could have, and the accessibility audit, which narrows the window,
    puts it back."""
    page = load(browser, server, f"{request.param}.html")
    page.book_path = request.param
    yield page
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


def test_page_renders_completely_offline(book_page):
    page = book_page
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


@pytest.mark.parametrize("book_page", CHAPTERS, indirect=True)
def test_chapter_renders_with_typeset_math(book_page):
    page, chapter = book_page, book_page.book_path
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


@pytest.mark.parametrize("book_page", CHAPTERS, indirect=True)
def test_launch_buttons_open_this_notebook_in_binder_and_colab(book_page):
    page, chapter = book_page, book_page.book_path
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


def first_explorer(page):
    """(explorer, its picture, its sliders) of the page's first explorable figure, in view."""
    explorer = page.locator(".byhand-explorer").first
    explorer.scroll_into_view_if_needed()
    image = explorer.locator("img.byhand-explorer-frame")
    sliders = explorer.locator("input[type=range]")
    assert sliders.count() >= 1, "an explorable figure without a slider"
    return explorer, image, sliders


@pytest.mark.parametrize("book_page", CHAPTERS, indirect=True)
def test_widget_fallback_responds_to_its_sliders_without_a_kernel(book_page):
    page = book_page
    _, image, sliders = first_explorer(page)
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


EXERCISE_PAGES = [f"exercises/{name}" for name in SETS]
SOLUTION_PAGES = [f"solutions/{name}" for name in SETS]


@pytest.mark.parametrize("name", SETS)
def test_exercise_and_solution_titles_match(name):
    exercises_title, solutions_title = TITLES[f"exercises/{name}"], TITLES[f"solutions/{name}"]
    assert exercises_title.startswith("Exercises: ") and solutions_title.startswith("Solutions: ")
    assert exercises_title.removeprefix("Exercises: ") == solutions_title.removeprefix(
        "Solutions: "
    )


def assert_titled_and_linked(page, link, target):
    """The page carries its own title from _toc.yml, and its `link` (next or previous) names
    and leads to `target`."""
    own = page.book_path
    assert page_title(page) == TITLES[own]
    assert page.title().startswith(TITLES[own])
    neighbour = page.locator(link)
    assert neighbour.locator(".prev-next-title").inner_text().strip() == TITLES[target]
    assert neighbour.get_attribute("href").endswith(f"{target}.html")


@pytest.mark.parametrize("book_page", EXERCISE_PAGES, indirect=True)
def test_exercise_page_has_its_title_and_leads_to_its_solutions(book_page):
    solutions = book_page.book_path.replace("exercises/", "solutions/", 1)
    assert_titled_and_linked(book_page, "a.right-next", solutions)


@pytest.mark.parametrize("book_page", SOLUTION_PAGES, indirect=True)
def test_solution_page_has_its_title_and_leads_back_to_its_exercises(book_page):
    exercises = book_page.book_path.replace("solutions/", "exercises/", 1)
    assert_titled_and_linked(book_page, "a.left-prev", exercises)


SOLUTION_CELLS = ".cell_input:has-text('BEGIN SOLUTION')"


def solution_cells(path):
    """How many code cells of a set's solution notebook hold a solution."""
    cells = json.loads((ROOT / f"{path}.ipynb").read_text())["cells"]
    return sum(c["cell_type"] == "code" and "BEGIN SOLUTION" in "".join(c["source"]) for c in cells)


@pytest.mark.parametrize("book_page", SOLUTION_PAGES, indirect=True)
def test_solutions_are_folded(book_page):
    """Readers meet each solution only by unfolding it."""
    page = book_page
    solutions = page.locator(SOLUTION_CELLS)
    assert solutions.count() == solution_cells(page.book_path) >= 4
    folded = page.locator(f"details:not([open]) {SOLUTION_CELLS}")
    assert folded.count() == solutions.count()
    assert not solutions.first.is_visible()
    summary = page.locator(f"details:has({SOLUTION_CELLS}) summary").first
    summary.click()
    assert solutions.first.is_visible()
    summary.click()  # folded again: the page is left as it was published
    assert not solutions.first.is_visible()
    assert not page.errors, page.errors


@pytest.mark.parametrize("book_page", EXERCISE_PAGES, indirect=True)
def test_the_exercises_hold_stubs_instead_of_solutions(book_page):
    page, exercises = book_page, book_page.book_path
    solutions = exercises.replace("exercises/", "solutions/", 1)
    assert page.locator(SOLUTION_CELLS).count() == 0
    stubs = page.locator(".cell_input:has-text('raise NotImplementedError')")
    assert stubs.count() == solution_cells(solutions) >= 4
    assert stubs.first.is_visible()
    # The untouched notebook ran when the book was built: each check says so, without errors.
    assert page.locator(".cell_output:has-text('not attempted yet')").count() >= 4
    assert page.locator(".cell_output .output.traceback, .cell_output .output.error").count() == 0


# --- accessibility -------------------------------------------------------------------------

# Rules that fail the audit whatever impact axe gives them: they have failed on this book
# before (buttons whose label hides their text, content outside any landmark, the empty
# header cell pandas writes above a DataFrame's index).
ALWAYS_FAIL = {"label-content-name-mismatch", "region", "empty-table-header"}
FAILING_IMPACTS = {"serious", "critical"}
# What an alt text must not be: empty, a generic word, or a file name.
GENERIC_ALT = {"figure", "fig", "image", "img", "picture", "plot", "graph", "chart", "png",
               "svg", "output", "explorer", "widget", "frame", "animation"}  # fmt: skip
FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


@pytest.fixture(scope="module")
def axe_source():
    """axe.min.js, pinned; a registry that cannot be reached fails the tests, never skips them."""
    sys.path.insert(0, str(ROOT / "tools"))
    import axe

    try:
        return axe.script()
    except axe.AssetError as exc:
        pytest.fail(f"axe-core is needed for the accessibility audit: {exc}")


# axe reads only text in the DOM, but MathJax draws its glyphs with CSS and gives assistive
# technology a hidden MathML copy: a header cell holding a formula is not empty, whatever axe
# says, so those cells (and only those) are not counted as empty headers.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
    elementRef: true,
  });
  const typesetMath = e => Array.from(e.querySelectorAll("mjx-assistive-mml"))
      .some(m => m.textContent.trim() !== "");
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes
        .filter(n => !(v.id === "empty-table-header" && n.element && typesetMath(n.element)))
        .map(n => ({target: n.target.join(" "), html: n.html})),
  })).filter(v => v.nodes.length > 0);
}"""


def audit(page, source):
    """The violations that fail the audit, one readable line per rule and page."""
    import axe

    page.add_script_tag(content=source)
    problems = []
    for v in page.evaluate(AXE_RUN, axe.TAGS):
        if v["impact"] not in FAILING_IMPACTS and v["id"] not in ALWAYS_FAIL:
            continue
        shown = "; ".join(
            f"{n['target']} {' '.join(n['html'].split())[:120]}" for n in v["nodes"][:5]
        )
        more = f" (and {len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else ""
        problems.append(
            f"{v['id']} [{v['impact']}] on {len(v['nodes'])} element(s): {v['help']}: {shown}{more}"
        )
    return problems


# Each picture and inline SVG, with what a screen reader would get in its place.
PICTURES = """() => {
  const hidden = e => e.closest('[aria-hidden="true"]') !== null
      || ['presentation', 'none'].includes(e.getAttribute('role'));
  const name = e => (e.getAttribute('aria-label')
      || (e.getAttribute('aria-labelledby') || '').split(/\\s+/)
           .map(id => (document.getElementById(id) || {}).textContent || '').join(' ')
      || (e.querySelector(':scope > title') || {}).textContent || '').trim();
  const images = Array.from(document.querySelectorAll('img')).filter(e => !hidden(e))
      .map(e => ({what: 'img', src: (e.getAttribute('src') || '').slice(0, 80),
                  alt: e.getAttribute('alt'), role: e.getAttribute('role')}));
  const svgs = Array.from(document.querySelectorAll('svg')).filter(e => !hidden(e))
      .filter(e => !e.parentElement.closest('svg, button, a'))  // a control's icon: axe
                                                                  // checks the control's name
      .map(e => ({what: 'svg', src: e.outerHTML.slice(0, 80), alt: name(e),
                  role: e.getAttribute('role')}));
  return images.concat(svgs);
}"""


def missing_alternatives(page):
    """The pictures of a page with no meaningful text alternative."""
    problems = []
    for picture in page.evaluate(PICTURES):
        alt = " ".join((picture["alt"] or "").split())
        if picture["what"] == "svg" and picture["role"] != "img":
            problems.append(f"inline <svg> without role=img: {picture['src']}")
        if not alt:
            problems.append(f"<{picture['what']}> with no text alternative: {picture['src']}")
        elif alt.lower().strip(".") in GENERIC_ALT or FILE_NAME.search(alt):
            problems.append(f"<{picture['what']}> alt={alt[-60:]!r} says nothing")
    return problems


# The page's width, the window's, and the first elements that stick out of the window without
# a box of their own that scrolls (what widens the page).
SCROLL_WIDTHS = """() => {
  const W = document.documentElement.clientWidth;
  const inScroller = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  return {
    page: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    window: W,
    widest: Array.from(document.body.querySelectorAll('*'))
        .filter(e => e.getBoundingClientRect().right > W + 1)
        .filter(e => getComputedStyle(e).position !== 'fixed' && !inScroller(e))
        .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')),
  };
}"""


def test_page_passes_the_accessibility_audit_and_fits_a_phone(book_page, axe_source):
    """Runs after the other checks of the same page but the keyboard's (it adds axe to the
    page and narrows the window for a moment)."""
    page, path = book_page, book_page.book_path
    problems = audit(page, axe_source)
    problems += missing_alternatives(page)

    page.set_viewport_size(PHONE)
    try:
        page.wait_for_timeout(100)  # let the theme's resize handlers lay the page out again
        widths = page.evaluate(SCROLL_WIDTHS)
    finally:
        page.set_viewport_size(VIEWPORT)  # the tests after this one read the page as before
    if widths["page"] > widths["window"] + 1:
        problems.append(
            f"at {PHONE['width']} px the page scrolls sideways: {widths['page']} px wide "
            f"for a {widths['window']} px window; overflowing: {widths['widest']}"
        )
    assert not problems, f"{path}: " + "\n".join(problems)


def test_the_audit_catches_what_it_must(open_page, axe_source):
    """The audit fails a page with the defects it exists to catch (so its silence means
    something): a button whose label hides its text, an empty header cell, a bare image."""
    page = open_page("intro.html")
    page.evaluate(
        """() => {
      const main = document.querySelector('main');
      main.insertAdjacentHTML('beforeend',
        '<button aria-label="Colour">Switch theme</button>' +
        '<table><thead><tr><th></th><th>x</th>' +
        '<th><mjx-container><mjx-assistive-mml>w</mjx-assistive-mml></mjx-container></th>' +
        '</tr></thead>' +
        '<tbody><tr><th>0</th><td>1</td></tr></tbody></table>' +
        '<img src="_images/plot.png" alt="plot.png">');
      document.body.insertAdjacentHTML('beforeend', '<p>outside every landmark</p>');
    }"""
    )
    found = "\n".join(audit(page, axe_source))
    for rule in ALWAYS_FAIL:
        assert rule in found, f"the audit missed {rule}: {found}"
    assert "empty-table-header [minor] on 1 element(s)" in found, found  # not the formula
    assert "<img> alt='plot.png' says nothing" in missing_alternatives(page)


@pytest.mark.parametrize("book_page", CHAPTERS, indirect=True)
def test_explorer_works_with_the_keyboard_alone(book_page):
    page = book_page
    explorer, image, sliders = first_explorer(page)
    # A reader tabbing through the page arrives from whatever precedes the figure.
    explorer.evaluate(
        """e => e.insertAdjacentHTML('beforebegin', '<button id="before-explorer">x</button>')"""
    )
    page.focus("#before-explorer")
    for k in range(sliders.count()):
        slider = sliders.nth(k)
        page.keyboard.press("Tab")
        assert slider.evaluate("s => s === document.activeElement"), f"Tab missed slider {k}"
        # Its name is its visible label, and the focus shows.
        label = explorer.locator(f"label[for='{slider.get_attribute('id')}']").inner_text()
        assert label.strip() == slider.get_attribute("name")
        assert page.get_by_role("slider", name=label.strip(), exact=True).count() >= 1
        outline = slider.evaluate(
            "s => [getComputedStyle(s).outlineStyle, parseFloat(getComputedStyle(s).outlineWidth)]"
        )
        assert outline[0] != "none" and outline[1] >= 2, f"no visible focus: {outline}"
        readout = slider.locator("xpath=following-sibling::output")
        # To one end (End, or Home if it starts there), then one step back (an arrow key).
        first = "End" if slider.input_value() != slider.get_attribute("max") else "Home"
        for key in (first, "ArrowLeft" if first == "End" else "ArrowRight"):
            before, value, frame = (
                readout.inner_text(),
                slider.input_value(),
                image.get_attribute("src"),
            )
            page.keyboard.press(key)
            assert slider.input_value() != value, f"{key} did not move slider {k}"
            assert readout.inner_text() != before, f"{key}: the readout did not follow"
            assert slider.get_attribute("aria-valuetext") == readout.inner_text()
            assert image.get_attribute("src") != frame, f"{key} on slider {k}: same figure"
            name = slider.get_attribute("name")
            assert f"{name} = {readout.inner_text()}" in image.get_attribute("alt")
    assert not page.errors, page.errors
