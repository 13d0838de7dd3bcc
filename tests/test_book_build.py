"""The book's build tools: the pinned MathJax it serves itself, and the fixes to its pages.

No network here: tarballs are made on the spot and fetched through file:// addresses. The
browser test checks the real build (every page offline, math typeset).
"""

import base64
import hashlib
import io
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import book_assets  # noqa: E402
import notebook_cache  # noqa: E402
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


# The execution cache (tools/notebook_cache.py): the notebooks stage runs each notebook once,
# the build shows those runs, and a change to the library empties the cache.


KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def small_book(where, code):
    """A one-notebook Sphinx project that uses MyST-NB's cache mode like the book does."""
    import nbformat

    (where / "lib" / "byhand").mkdir(parents=True)
    (where / "lib" / "byhand" / "engine.py").write_text("VERSION = 1\n")
    (where / "requirements.txt").write_text("numpy==2.0\n")
    (where / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    # What the stage reads from the book's config (Sphinx itself reads conf.py).
    (where / "_config.yml").write_text("execute:\n  timeout: 60\n  allow_errors: false\n")
    (where / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tools')!r})\n"
        "extensions = ['myst_nb', 'notebook_cache']\n"
        "nb_execution_mode = 'cache'\n"
        "nb_execution_timeout = 60\n"
        "exclude_patterns = ['_build', 'lib']\n"
        "root_doc = 'index'\n"
    )
    (where / "index.md").write_text(
        "# Times\n\n```{toctree}\npage\n```\n\n```{nb-exec-table}\n```\n"
    )
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": KERNEL})
    nb.cells = [nbformat.v4.new_markdown_cell("# Page"), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, where / "page.ipynb")
    return where / "page.ipynb"


def build(where, strict=False):
    """Build the small book's HTML in its own process; (page's HTML, index's HTML, stderr)."""
    argv = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-q"]
    argv += ["-d", where / "_build" / ".doctrees", where, where / "_build" / "html"]
    result = subprocess.run(argv + (["-W"] if strict else []), capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildFailed(result.stderr)
    html = where / "_build" / "html"
    return (html / "page.html").read_text(), (html / "index.html").read_text(), result.stderr


class BuildFailed(Exception):
    pass


def test_the_cache_key_follows_the_library_and_the_pins_only(tmp_path):
    small_book(tmp_path, "1")
    key = notebook_cache.cache_key(tmp_path)
    assert len(key) == 16 and key == notebook_cache.cache_key(tmp_path)
    # Compiled files and the notebooks themselves (jupyter-cache hashes their code) do not count.
    (tmp_path / "lib" / "byhand" / "__pycache__").mkdir()
    (tmp_path / "lib" / "byhand" / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "page.ipynb").write_text("{}")
    assert notebook_cache.cache_key(tmp_path) == key
    keys = {key}
    for name, text in [
        ("lib/byhand/engine.py", "VERSION = 2\n"),
        ("lib/byhand/new_module.py", ""),
        ("requirements.txt", "numpy==2.1\n"),
        ("pyproject.toml", "[project]\nname = 'y'\n"),
    ]:
        (tmp_path / name).write_text(text)
        keys.add(notebook_cache.cache_key(tmp_path))
    assert len(keys) == 5, "every change to the library or the pins must give a new key"
    (tmp_path / "requirements.txt").unlink()
    with pytest.raises(FileNotFoundError, match="requirements.txt"):
        notebook_cache.cache_key(tmp_path)


def test_the_folder_of_another_key_is_deleted(tmp_path):
    small_book(tmp_path, "1")
    old = tmp_path / "_build" / ".jupyter_cache" / "0123456789abcdef"
    old.mkdir(parents=True)
    (tmp_path / "_build" / ".jupyter_cache" / "global.db").write_text("")  # MyST-NB's default
    folder = notebook_cache.cache_folder(tmp_path / "_build", tmp_path)
    assert folder.name == notebook_cache.cache_key(tmp_path)
    assert not old.exists() and list(folder.parent.iterdir()) == []


def test_the_build_shows_the_stages_run_and_never_one_of_an_older_library(tmp_path, monkeypatch):
    code = 'import os\nprint("run by", os.environ.get("WHO", "the build"))'
    page = small_book(tmp_path, code)
    monkeypatch.setenv("WHO", "the notebooks stage")
    assert notebook_cache.run([page], tmp_path / "_build", jobs=1, root=tmp_path) == 0
    monkeypatch.delenv("WHO")

    # The build executes nothing: its page shows the output of the stage's run, and the
    # execution-times table lists the page with the time that run took.
    page_html, index_html, warnings = build(tmp_path)
    assert "run by the notebooks stage" in page_html, warnings
    ((label, seconds, data),) = notebook_cache.recorded_times([page], tmp_path / "_build", tmp_path)
    assert label == "page.ipynb" and 0 < seconds < 60 and data["jobs"] == 1
    assert f">{round(seconds, 2)}<" in index_html and ">cache<" in index_html

    # A second run finds it cached and executes nothing.
    monkeypatch.setenv("WHO", "a second run")
    assert notebook_cache.run([page], tmp_path / "_build", jobs=1, root=tmp_path) == 0
    assert notebook_cache.recorded_times([page], tmp_path / "_build", tmp_path)[0][1] == seconds
    monkeypatch.delenv("WHO")

    # The library changes: the old runs are gone and the build executes the notebook itself.
    old = notebook_cache.cache_folder(tmp_path / "_build", tmp_path, prune=False)
    (tmp_path / "lib" / "byhand" / "engine.py").write_text("VERSION = 2\n")
    page_html, _, warnings = build(tmp_path)
    assert "run by the build" in page_html and "notebooks stage" not in page_html, warnings
    assert not old.exists()


def test_a_notebook_that_raises_fails_the_stage_and_the_strict_build(tmp_path, capsys):
    page = small_book(tmp_path, 'raise ValueError("the engine broke")')
    assert notebook_cache.run([page], tmp_path / "_build", jobs=1, root=tmp_path) == 1
    err = capsys.readouterr().err
    assert "page.ipynb failed" in err and "ValueError: the engine broke" in err
    assert notebook_cache.recorded_times([page], tmp_path / "_build", tmp_path)[0][1] is None
    with pytest.raises(BuildFailed, match="Executing notebook failed"):
        build(tmp_path, strict=True)


def test_run_refuses_what_is_not_a_notebook(tmp_path):
    small_book(tmp_path, "1")
    with pytest.raises(FileNotFoundError, match="not a notebook"):
        notebook_cache.run([tmp_path / "conf.py"], tmp_path / "_build", root=tmp_path)
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        notebook_cache.run([], tmp_path / "_build", jobs=0, root=tmp_path)


# The runner and nbval. The standard for a notebook is that it passes nbval, and authors run
# nbval on one notebook while writing it (README). The notebooks are stored without outputs
# and carry no NBVAL markers (test_notebooks.py), so nbval checks exactly one thing, that every
# cell runs without an error, and the runner checks the same: on the same notebooks they agree.


@pytest.mark.parametrize(
    ("code", "passes"),
    [
        ("import numpy as np\nprint(np.arange(3).sum())", True),
        ("x = 1\nraise ValueError('a cell that breaks')", False),
        ("import sys\nsys.stderr.write('a warning only\\n')", True),
    ],
    ids=["runs", "raises", "writes-to-stderr"],
)
def test_the_runner_and_nbval_agree_on_a_notebook(tmp_path, code, passes):
    page = small_book(tmp_path, code)
    by_runner = notebook_cache.run([page], tmp_path / "_build", jobs=1, root=tmp_path) == 0
    argv = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q"]
    argv += ["-p", "no:cacheprovider", "-p", "no:xdist", "--rootdir", tmp_path, page]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path)
    by_nbval = result.returncode == 0
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-2000:]
    assert by_nbval == by_runner == passes, result.stdout[-2000:]


# The learner stage's runs (tests/test_learner_env.py) go into the cache instead of a second
# run, but only a run of the notebook as it is now, and never of one that uses a framework.


def learner_run(page, root, monkeypatch, script=None):
    """Run `page` with the learner stage's own script, and leave its copy for `run`."""
    from test_learner_env import RUN_NOTEBOOK

    monkeypatch.setenv("WHO", "the learner stage")
    out = root / "executed.ipynb"
    argv = [sys.executable, "-c", script or RUN_NOTEBOOK, page, page.parent, out]
    result = subprocess.run(argv, capture_output=True, text=True)
    monkeypatch.delenv("WHO")
    assert result.returncode == 0, result.stderr[-2000:]
    seconds = float(result.stdout.split()[-1])
    return notebook_cache.stage_learner_run(
        page, out.read_text(), seconds, jobs=2, build_dir=root / "_build", root=root
    )


def test_the_learner_stages_run_is_taken_instead_of_a_second_one(tmp_path, monkeypatch):
    code = 'import os\nprint("run by", os.environ.get("WHO", "the build"))'
    page = small_book(tmp_path, code)
    staged = learner_run(page, tmp_path, monkeypatch)
    assert staged.is_file() and staged.is_relative_to(tmp_path / "_build" / ".learner_runs")

    monkeypatch.setenv("WHO", "the notebooks stage")
    assert notebook_cache.run([page], tmp_path / "_build", jobs=1, root=tmp_path) == 0
    ((_, seconds, data),) = notebook_cache.recorded_times([page], tmp_path / "_build", tmp_path)
    assert data["by"] == "the learner stage" and data["jobs"] == 2 and seconds > 0
    assert not (tmp_path / "_build" / ".learner_runs").exists(), "a staged run is taken once"
    monkeypatch.delenv("WHO")
    page_html, _, warnings = build(tmp_path)
    assert "run by the learner stage" in page_html, warnings


def test_a_learner_run_of_an_older_notebook_is_dropped(tmp_path, monkeypatch):
    import nbformat

    page = small_book(tmp_path, 'import os\nprint("run by", os.environ.get("WHO", "the build"))')
    learner_run(page, tmp_path, monkeypatch)
    nb = nbformat.read(page, 4)
    nb.cells.append(nbformat.v4.new_code_cell("print('a cell added since')"))
    nbformat.write(nb, page)

    monkeypatch.setenv("WHO", "the notebooks stage")
    assert notebook_cache.run([page], tmp_path / "_build", jobs=1, root=tmp_path) == 0
    ((_, _, data),) = notebook_cache.recorded_times([page], tmp_path / "_build", tmp_path)
    assert "by" not in data, "the learner's run of the old notebook was used"
    assert not (tmp_path / "_build" / ".learner_runs").exists()


def test_a_learner_run_the_cache_would_not_match_is_dropped(tmp_path, monkeypatch):
    """A run whose code is the notebook's but whose hash is not (the cells' timing metadata,
    which nbclient records by default, counts for jupyter-cache) is never adopted: the book
    would execute the notebook again while the stage said it was done."""
    from test_learner_env import RUN_NOTEBOOK

    page = small_book(tmp_path, 'import os\nprint("run by", os.environ.get("WHO", "the build"))')
    timed = RUN_NOTEBOOK.replace("record_timing=False", "record_timing=True")
    assert timed != RUN_NOTEBOOK
    learner_run(page, tmp_path, monkeypatch, script=timed)
    monkeypatch.setenv("WHO", "the notebooks stage")
    assert notebook_cache.run([page], tmp_path / "_build", jobs=1, root=tmp_path) == 0
    ((_, _, data),) = notebook_cache.recorded_times([page], tmp_path / "_build", tmp_path)
    assert "by" not in data, "a run the cache cannot match was adopted"


@pytest.mark.parametrize(
    "code", ["import torch", "import keras", "from keras import layers", "x = torch.ones(2)"]
)
def test_a_notebook_that_uses_a_framework_is_never_taken_from_the_learner(tmp_path, code):
    page = small_book(tmp_path, code)
    assert not notebook_cache.runs_the_same_for_a_learner(page)
    staged = notebook_cache.stage_learner_run(
        page, page.read_text(), 1.0, build_dir=tmp_path / "_build", root=tmp_path
    )
    assert staged is None and not (tmp_path / "_build" / ".learner_runs").exists()
    # A name that merely contains one (Z_torch_style, "PyTorch") is no use of it.
    assert notebook_cache.runs_the_same_for_a_learner(
        small_book(tmp_path / "other", "Z_torch_style = 1  # as PyTorch stores it")
    )
