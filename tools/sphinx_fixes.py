"""A local Sphinx extension that mends two upstream defects in the book's pages.

1. sphinx-thebe (part of Jupyter Book 1) registers an inline script, `const THEBE_JS_URL = ...`,
   while Sphinx reads the sources. Sphinx 7 then lists that script twice on every page, because
   it removes duplicate scripts by file name and an inline script has none. Declaring the same
   `const` twice is a JavaScript error in every reader's console. This extension drops exact
   duplicates from each page's script list before the page is written.
2. Jupyter Book always loads sphinx-thebe, whose scripts fetch Thebe from a CDN (unpkg) when a
   reader presses its "live code" button. This book offers no such button (`launch_buttons`
   in `_config.yml` has no `thebe: true`), so those scripts are dead weight that names a host
   outside the book; they are left out of every page. With `thebe: true` they stay.
3. Accessibility (checked by axe-core in tests/test_browser.py). Every page, as its template
   is rendered, is mended where the theme and MyST-NB write markup that fails the audit:
   - buttons and <summary> elements whose aria-label ("Search", "Toggle hidden content") is
     not what they show ("Search Ctrl+K", "Show code cell source") lose that aria-label, so a
     speech-input user can say what they see; the colour-mode button's icons lose their
     tooltips (which FontAwesome turns into text inside the button) and keep its label;
   - the primary sidebar (the book's title, search and table of contents) becomes a
     navigation landmark, so no content of the page sits outside a landmark;
   - an empty table header cell (pandas writes one above a DataFrame's index, and one per
     column in the row that names the index; a Markdown table with an empty corner, one too)
     becomes a data cell: a header that names nothing is no header.
"""

import re

THEBE_FILES = {"sphinx-thebe.js", "sphinx-thebe.css"}


def _thebe_enabled(app):
    options = app.config.html_theme_options or {}
    return bool((options.get("launch_buttons") or {}).get("thebe"))


def _is_thebe(asset):
    name = str(asset.filename or "").rsplit("/", 1)[-1]  # by now "_static/sphinx-thebe.js"
    return name in THEBE_FILES or "THEBE_JS_URL" in str(asset.attributes.get("body", ""))


def tidy_page_assets(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for script in scripts:
            # Same file (None or "" for an inline script) and same attributes (an inline
            # script's text is its `body` attribute) is the same script, whatever its priority.
            key = (script.filename or "", tuple(sorted(script.attributes.items())))
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique  # in place: the builder and other handlers hold the same list
    if not _thebe_enabled(app):
        for key in ("script_files", "css_files"):
            assets = context.get(key)
            if assets:
                assets[:] = [asset for asset in assets if not _is_thebe(asset)]


# --- accessibility ---------------------------------------------------------------------

# An element's aria-label that hides its visible text (axe: label-content-name-mismatch).
_MISLABELLED = re.compile(
    r'(<(?:summary|button)\b[^>]*?) aria-label="(?:Toggle hidden content|Search)"'
    r'(?=[^>]*>\s*(?:<p class="collapsed admonition-title">|<i [^>]*></i>\s*<span '
    r'class="search-button__default-text">))'
)
# The colour-mode button's icons: their titles become text inside a button labelled otherwise.
_THEME_ICON = re.compile(r'(<i class="theme-switch [^"]*" data-mode="[a-z]+")\s+title="[^"]*"')
_PRIMARY_SIDEBAR = '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">'
# pandas writes <th></th> (a Styler, <th class="blank">&nbsp;</th>); Markdown, <th><p></p></th>.
_EMPTY_HEADER = re.compile(r"<th(\s[^>]*)?>(?:\s|&nbsp;|&#160;|<p>\s*</p>)*</th>")


def accessible(html):
    """A rendered page with the markup that fails the accessibility audit mended."""
    html = _MISLABELLED.sub(r"\1", html)
    html = _THEME_ICON.sub(r'\1 aria-hidden="true"', html)
    html = html.replace(
        _PRIMARY_SIDEBAR,
        _PRIMARY_SIDEBAR[:-1] + ' role="navigation" aria-label="Book">',
    )
    return _EMPTY_HEADER.sub(lambda m: f"<td{m.group(1) or ''}></td>", html)


def mend_rendered_pages(app):
    """Pass every page the HTML builder renders from a template through `accessible`."""
    templates = getattr(app.builder, "templates", None)
    if app.builder.format != "html" or templates is None:
        return
    render = templates.render

    def render_accessible(template, context):
        return accessible(render(template, context))

    templates.render = render_accessible


def setup(app):
    # Late (default priority is 500), after the extensions that add a page's assets.
    app.connect("html-page-context", tidy_page_assets, priority=900)
    app.connect("builder-inited", mend_rendered_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
