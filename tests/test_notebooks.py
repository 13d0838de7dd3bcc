"""Checks of the course's notebooks and book configuration that need no kernel."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbtool  # noqa: E402

NOTEBOOKS = nbtool.notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2, IDS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_no_stored_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs; run `make sync`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_no_nbval_markers(path):
    # The notebooks stage runs every cell and fails on any error, which is what nbval checks
    # of a notebook stored without outputs; a marker that skips a cell or allows its error
    # would make the two disagree (test_book_build.py runs both on the same notebooks).
    nb = json.loads(path.read_text())
    marked = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code"
        and (
            re.search(r"#\s*NBVAL_", "".join(cell["source"]))
            or any(t.startswith("nbval") or t == "raises-exception"
                   for t in cell.get("metadata", {}).get("tags", []))
        )
    ]  # fmt: skip
    assert not marked, f"{path.name}: cells {marked} carry NBVAL markers or raises-exception"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_tidy_and_starts_with_the_colab_setup_cell(path):
    text = path.read_text()
    expected = nbtool.render(
        nbtool.tidy(nbtool.nbformat.reads(text, as_version=4), nbtool.setup_source())
    )
    assert text == expected, f"{path.name} is out of date; run `make sync`"
    first = json.loads(text)["cells"][0]
    assert first["id"] == nbtool.SETUP_CELL_ID
    assert first["metadata"]["tags"] == ["remove-cell"], (
        "the set-up cell must be hidden in the book"
    )


def test_setup_cell_installs_only_in_colab_and_uses_the_configured_url():
    source = nbtool.setup_source()
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert f"git+{url}" in source
    assert 'if "google.colab" in sys.modules:' in source
    # Run outside Colab, the cell must do nothing at all (no pip, no error).
    namespace: dict = {}
    exec(compile(source, "setup-cell", "exec"), namespace)
    assert "google.colab" not in sys.modules


def test_setup_cell_would_install_in_colab(monkeypatch):
    """Pretend to be Colab and check the cell asks pip for the repository."""
    import subprocess
    import types

    calls = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", lambda args, check: calls.append(args))
    exec(compile(nbtool.setup_source(), "setup-cell", "exec"), {})
    assert len(calls) == 1
    assert calls[0][1:5] == ["-m", "pip", "install", "--quiet"]
    assert calls[0][-1] == "git+" + nbtool.repository_url()


def test_repository_url_is_kept_in_one_place():
    """Every copy of the repository's address outside _config.yml must match it."""
    url = nbtool.repository_url()
    owner_repo = url.removeprefix("https://github.com/")
    pattern = re.compile(r"github\.com/([\w.-]+/[\w.-]+)")
    places = [ROOT / "README.md", *ROOT.glob("binder/*"), *NOTEBOOKS, *ROOT.glob("*.md")]
    for place in places:
        for found in pattern.findall(place.read_text()):
            found = found.removesuffix(".git")
            assert found == owner_repo, f"{place.name} names {found}, _config.yml says {owner_repo}"


def test_toc_lists_every_notebook_and_nothing_missing():
    """Chapters, exercise sets and their solutions: every notebook is a page of the book."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = {ch["file"] for part in toc["parts"] for ch in part["chapters"]}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    pages = {page for page in listed if (ROOT / f"{page}.md").exists()}  # prose pages
    assert listed - pages == on_disk
    assert (ROOT / f"{toc['root']}.md").exists()
    # The notebooks stage executes exactly the book's notebooks, into its execution cache.
    import notebook_cache

    assert sorted(notebook_cache.book_notebooks(ROOT)) == sorted(NOTEBOOKS)


def test_book_config_keeps_launch_buttons_and_strict_execution():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    # Cache mode, with the cache folder keyed on the library (tools/notebook_cache.py; the
    # build's reuse of the runs and the key's invalidation are tested in test_book_build.py).
    assert config["execute"]["execute_notebooks"] == "cache"
    assert "cache" not in config["execute"], "the notebook_cache extension sets the folder"
    assert config["sphinx"]["local_extensions"]["notebook_cache"] == "tools/"
    assert config["execute"]["allow_errors"] is False
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["html"]["use_repository_button"] and config["html"]["use_issues_button"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_random_generator_is_seeded(path):
    """Unseeded generators make a notebook print different numbers on every run."""
    code = "\n".join(
        "".join(c["source"])
        for c in json.loads(path.read_text())["cells"]
        if c["cell_type"] == "code"
    )
    assert not re.search(r"default_rng\(\s*\)", code), "np.random.default_rng() needs a seed"
    legacy = re.findall(r"np\.random\.(rand|randn|randint|normal|uniform|choice|shuffle)\(", code)
    if legacy:
        assert "np.random.seed(" in code, f"legacy np.random.{legacy[0]} used without a seed"


def pins(path):
    """{package: version} for the `name==version` lines of a requirements file."""
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            found[name.strip().lower()] = version.strip()
    return found


def test_binder_installs_every_runtime_dependency_at_the_books_versions():
    import tomllib

    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~ \[]", dep, maxsplit=1)[0].lower() for dep in runtime}
    binder, book = pins("binder/requirements.txt"), pins("requirements.txt")
    assert set(binder) == names, "binder/requirements.txt must pin exactly the runtime deps"
    for name, version in binder.items():
        assert book[name] == version, f"{name}: Binder pins {version}, the book {book[name]}"
    assert "pip install --no-deps ." in (ROOT / "binder" / "postBuild").read_text()


def test_the_frameworks_are_an_extra_that_the_book_pins_but_the_package_never_requires():
    # Chapter 10 compares the engine with Keras and PyTorch; `pip install -e .` must not
    # pull in ~800 MB for that, while make book / make test (requirements.txt) install it.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~ \[]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]}
    assert not names & {"torch", "keras", "tensorflow", "jax"}
    extra = {
        re.split(r"[<>=!~ \[]", d, maxsplit=1)[0].lower()
        for d in project["optional-dependencies"]["frameworks"]
    }
    assert extra == {"keras", "torch"}
    book = pins("requirements.txt")
    assert book["torch"] == "2.13.0" and book["keras"].startswith("3.")
    assert "torch" not in pins("binder/requirements.txt")
