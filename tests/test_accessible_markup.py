"""The markup mended for accessibility as each page is written, and the pinned axe-core.

tests/test_browser.py audits the built book with axe-core; these tests check, without a
browser or a build, what tools/sphinx_fixes.py changes in a page and what it leaves alone,
and that tools/axe.py verifies what it fetches.
"""

import base64
import hashlib
import io
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import axe  # noqa: E402
from sphinx_fixes import accessible  # noqa: E402

# Markup as MyST-NB 1.x and pydata-sphinx-theme 0.17 write it.
HIDDEN_INPUT = """<details class="admonition hide above-input">
<summary aria-label="Toggle hidden content">
<p class="collapsed admonition-title">Show code cell source</p>
<p class="expanded admonition-title">Hide code cell source</p>
</summary>"""
SEARCH_FIELD = """<button class="btn search-button-field search-button__button pst-js-only" \
title="Search" aria-label="Search" data-bs-placement="bottom" data-bs-toggle="tooltip">
 <i class="fa-solid fa-magnifying-glass"></i>
 <span class="search-button__default-text">Search</span>"""
SEARCH_ICON = """<button class="btn btn-sm pst-navbar-icon search-button search-button__button \
pst-js-only" title="Search" aria-label="Search" data-bs-placement="bottom" \
data-bs-toggle="tooltip">
    <i class="fa-solid fa-magnifying-glass fa-lg"></i>
</button>"""
THEME_ICONS = """<i class="theme-switch fa-solid fa-sun                fa-lg" data-mode="light" \
title="Light"></i>
  <i class="theme-switch fa-solid fa-moon               fa-lg" data-mode="dark"  \
title="Dark"></i>"""
SIDEBAR = '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">'
DATAFRAME = """<table border="1" class="dataframe">
  <thead>
    <tr style="text-align: right;">
      <th></th>
      <th>w</th>
    </tr>
    <tr>
      <th>epoch</th>
      <th></th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th>0</th>
      <td>0.5</td>
    </tr>
  </tbody>
</table>"""


def test_labels_that_hide_the_visible_text_are_removed():
    page = accessible(HIDDEN_INPUT)
    assert "<summary>\n<p" in page and "aria-label" not in page
    page = accessible(SEARCH_FIELD)
    assert "aria-label" not in page
    assert 'title="Search" data-bs-placement="bottom"' in page  # the rest is untouched
    # A button that shows only an icon keeps the label that names it.
    assert accessible(SEARCH_ICON) == SEARCH_ICON


def test_the_colour_mode_icons_are_hidden_and_lose_their_tooltips():
    page = accessible(THEME_ICONS)
    assert "title=" not in page
    assert page.count('aria-hidden="true"') == 2
    assert 'data-mode="light" aria-hidden="true"></i>' in page


def test_the_primary_sidebar_becomes_a_navigation_landmark():
    page = accessible(f"{SIDEBAR}\n<nav aria-label='Main'></nav></div>")
    assert page.startswith(
        '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar" '
        'role="navigation" aria-label="Book">'
    )


def test_empty_header_cells_become_data_cells_and_named_ones_stay_headers():
    page = accessible(DATAFRAME)
    assert page.count("<td></td>") == 2
    assert "<th></th>" not in page
    for header in ("<th>w</th>", "<th>epoch</th>", "<th>0</th>"):
        assert header in page
    # pandas' Styler, and a Markdown table with an empty corner.
    styled = accessible('<tr><th class="blank level0" >&nbsp;</th><th class="col0">a</th></tr>')
    assert styled == '<tr><td class="blank level0" ></td><th class="col0">a</th></tr>'
    markdown = accessible('<tr class="row-odd"><th class="head"><p></p></th>')
    assert markdown == '<tr class="row-odd"><td class="head"></td>'


def test_mending_twice_changes_nothing_more():
    page = "\n".join([HIDDEN_INPUT, SEARCH_FIELD, SEARCH_ICON, THEME_ICONS, SIDEBAR, DATAFRAME])
    once = accessible(page)
    assert once != page
    assert accessible(once) == once


def npm_tarball(script):
    """A .tgz laid out like npm's, holding package/axe.min.js, and its integrity string."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = script.encode()
        info = tarfile.TarInfo("package/axe.min.js")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    return data, "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_axe_core_is_pinned_to_one_verified_version():
    assert axe.AXE_URL == (f"https://registry.npmjs.org/axe-core/-/axe-core-{axe.AXE_VERSION}.tgz")
    assert len(base64.b64decode(axe.AXE_INTEGRITY.removeprefix("sha512-"))) == 64
    assert axe.TARBALL.parent == ROOT / ".cache" / "axe-core"
    assert {"wcag2a", "wcag2aa", "best-practice"} <= set(axe.TAGS)


def test_axe_script_is_verified_cached_and_refused_when_wrong(tmp_path, monkeypatch):
    data, integrity = npm_tarball("window.axe = {run: function () {}}; axe.run;")
    source = tmp_path / "axe.tgz"
    source.write_bytes(data)
    dest = tmp_path / "cache" / "axe.tgz"

    monkeypatch.setattr(axe, "AXE_INTEGRITY", "sha512-" + base64.b64encode(bytes(64)).decode())
    with pytest.raises(axe.AssetError, match="does not match the pinned integrity"):
        axe.script(url=source.as_uri(), dest=dest)
    assert not dest.exists()

    monkeypatch.setattr(axe, "AXE_INTEGRITY", integrity)
    assert "axe.run" in axe.script(url=source.as_uri(), dest=dest)
    gone = (tmp_path / "nowhere.tgz").as_uri()
    assert "axe.run" in axe.script(url=gone, dest=dest)  # from the cache, no network
    dest.unlink()
    with pytest.raises(axe.AssetError, match=f"could not fetch axe-core {axe.AXE_VERSION}") as err:
        axe.script(url=gone, dest=dest)
    assert "npm registry" in str(err.value) and str(dest) in str(err.value)


def test_a_tarball_without_the_script_is_refused(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/README.md")
        archive.addfile(info, io.BytesIO(b""))
    data = buffer.getvalue()
    source = tmp_path / "axe.tgz"
    source.write_bytes(data)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    monkeypatch.setattr(axe, "AXE_INTEGRITY", integrity)
    with pytest.raises(axe.AssetError, match="holds no package/axe.min.js"):
        axe.script(url=source.as_uri(), dest=tmp_path / "cache.tgz")
