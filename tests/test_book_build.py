"""The book's build tools: the pinned MathJax it serves itself, and the fixes to its pages.

No network here: tarballs are made on the spot and fetched through file:// addresses. The
browser test checks the real build (every page offline, math typeset).
"""

import base64
import hashlib
import io
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import book_assets  # noqa: E402
import sphinx_fixes  # noqa: E402


def integrity(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def tarball(members):
    """A gzipped tar, like npm's, holding {name: bytes} (None makes a symlink)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


NPM_LIKE = {
    "package/LICENSE": b"Apache-2.0",
    "package/package.json": b"{}",
    "package/es5/tex-chtml.js": b"/* component */",
    "package/es5/tex-svg.js": b"/* not needed */",
    "package/es5/input/tex/extensions/ams.js": b"/* autoloaded */",
    "package/es5/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff": b"font",
    "package/es5/output/svg/fonts/tex.js": b"/* not needed */",
    "package/es5/ui/menu.js": b"/* menu */",
    "package/es5/sre/mathmaps/en.json": b"{}",
    "package/es5/a11y/explorer.js": b"/* a11y */",
    "package/es5/ui/../../../escape.js": b"evil",
    "package/es5/ui/link.js": None,
}


def test_the_pin_is_one_version_and_the_config_loads_the_local_copy():
    assert book_assets.MATHJAX_VERSION == "3.2.2"
    assert book_assets.MATHJAX_URL.endswith("/mathjax/-/mathjax-3.2.2.tgz")
    assert book_assets.MATHJAX_INTEGRITY.startswith("sha512-")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]
    assert config["local_extensions"]["book_assets"] == "tools/"
    assert config["config"]["mathjax_path"] == f"mathjax/{book_assets.MATHJAX_COMPONENT}"
    # The macros the chapters use still reach MathJax.
    assert config["config"]["mathjax3_config"]["tex"]["macros"]["R"] == "\\mathbb{R}"


def test_integrity_is_checked_against_the_npm_string():
    data = b"some tarball"
    assert book_assets._check_integrity(data, integrity(data))
    assert not book_assets._check_integrity(data + b"!", integrity(data))
    # The pinned string is a real base64 sha512 (64 bytes).
    digest = book_assets.MATHJAX_INTEGRITY.removeprefix("sha512-")
    assert len(base64.b64decode(digest)) == 64


def test_fetch_verifies_caches_and_refuses_a_wrong_file(tmp_path, monkeypatch):
    good = tarball(NPM_LIKE)
    source = tmp_path / "mathjax.tgz"
    source.write_bytes(good)
    dest = tmp_path / "cache" / "mathjax.tgz"

    monkeypatch.setattr(book_assets, "MATHJAX_INTEGRITY", integrity(b"something else"))
    with pytest.raises(book_assets.AssetError, match="does not match the pinned integrity"):
        book_assets.fetch_tarball(url=source.as_uri(), dest=dest)
    assert not dest.exists()

    monkeypatch.setattr(book_assets, "MATHJAX_INTEGRITY", integrity(good))
    assert book_assets.fetch_tarball(url=source.as_uri(), dest=dest) == dest
    assert dest.read_bytes() == good
    # Cached: the next call needs no network at all.
    gone = (tmp_path / "nowhere.tgz").as_uri()
    assert book_assets.fetch_tarball(url=gone, dest=dest) == dest
    # A damaged cache is fetched again, and a failed fetch says what to do.
    dest.write_bytes(b"damaged")
    with pytest.raises(book_assets.AssetError, match="could not fetch MathJax 3.2.2") as err:
        book_assets.fetch_tarball(url=gone, dest=dest)
    assert str(dest) in str(err.value) and "npm registry" in str(err.value)


def test_extract_keeps_what_the_pages_load_and_nothing_else(tmp_path):
    source = tmp_path / "mathjax.tgz"
    source.write_bytes(tarball(NPM_LIKE))
    copy = book_assets.extract(source, tmp_path / "static" / "mathjax")
    files = {str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()}
    assert files == {
        "LICENSE",
        "tex-chtml.js",
        "input/tex/extensions/ams.js",
        "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "ui/menu.js",
        "sre/mathmaps/en.json",
        "a11y/explorer.js",
        ".complete",
    }
    assert not (tmp_path / "escape.js").exists()
    # Extracting again replaces the copy instead of mixing two.
    (copy / "stale.js").write_text("")
    book_assets.extract(source, copy)
    assert not (copy / "stale.js").exists()


def test_extract_refuses_a_tarball_without_the_component(tmp_path):
    source = tmp_path / "mathjax.tgz"
    source.write_bytes(tarball({"package/es5/tex-svg.js": b""}))
    with pytest.raises(book_assets.AssetError, match="tex-chtml.js"):
        book_assets.extract(source, tmp_path / "static" / "mathjax")
    assert not (tmp_path / "static" / "mathjax").exists()


@pytest.mark.parametrize(
    "path", ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js", "mathjax/nope.js"]
)
def test_the_build_refuses_a_mathjax_path_outside_the_local_copy(tmp_path, monkeypatch, path):
    from sphinx.errors import ExtensionError

    (tmp_path / "mathjax").mkdir()
    (tmp_path / "mathjax" / "tex-chtml.js").write_text("")
    monkeypatch.setattr(book_assets, "ensure_mathjax", lambda: tmp_path)
    config = SimpleNamespace(html_static_path=[], mathjax_path="mathjax/tex-chtml.js")
    book_assets._serve_mathjax_locally(None, config)
    assert config.html_static_path == [str(tmp_path)]
    config.mathjax_path = path
    with pytest.raises(ExtensionError, match="its own copy"):
        book_assets._serve_mathjax_locally(None, config)


def test_pages_lose_duplicate_scripts_and_the_unused_thebe_loader():
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    thebe_config = _JavaScript(None, body='const THEBE_JS_URL = "https://unpkg.com/thebe"')
    scripts = [
        _JavaScript("_static/doctools.js"),
        _JavaScript(None, body="let a = 1;"),
        _JavaScript("", body="let a = 1;"),  # the same inline script, listed twice
        thebe_config,
        _JavaScript("_static/sphinx-thebe.js", **{"async": "async"}),
        _JavaScript("_static/mathjax/tex-chtml.js"),
    ]
    styles = [_CascadingStyleSheet("_static/sphinx-thebe.css"), _CascadingStyleSheet("b.css")]
    context = {"script_files": scripts, "css_files": styles}

    app = SimpleNamespace(config=SimpleNamespace(html_theme_options={"launch_buttons": {}}))
    sphinx_fixes.tidy_page_assets(app, "page", "page.html", context, None)
    assert [str(s.filename) for s in context["script_files"]] == [
        "_static/doctools.js",
        "None",
        "_static/mathjax/tex-chtml.js",
    ]
    assert [s.filename for s in context["css_files"]] == ["b.css"]
    assert context["script_files"] is scripts, "the page's own list must be edited in place"

    # A book that offers Thebe's live-code button keeps its scripts.
    app.config.html_theme_options = {"launch_buttons": {"thebe": True}}
    context = {"script_files": [thebe_config], "css_files": []}
    sphinx_fixes.tidy_page_assets(app, "page", "page.html", context, None)
    assert context["script_files"] == [thebe_config]
