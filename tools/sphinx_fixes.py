"""A local Sphinx extension that mends one upstream defect in the book's pages.

sphinx-thebe (part of Jupyter Book 1) registers an inline script, `const THEBE_JS_URL = ...`,
while Sphinx reads the sources. Sphinx 7 then lists that script twice on every page, because
it removes duplicate scripts by file name and an inline script has none. Declaring the same
`const` twice is a JavaScript error in every reader's console. This extension drops exact
duplicates from each page's script list before the page is written.
"""


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # Same file (None or "" for an inline script) and same attributes (an inline script's
        # text is its `body` attribute) is the same script, whatever its priority.
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
