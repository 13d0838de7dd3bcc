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
"""

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


def setup(app):
    # Late (default priority is 500), after the extensions that add a page's assets.
    app.connect("html-page-context", tidy_page_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
