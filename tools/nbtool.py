"""Keep the course notebooks tidy: one set-up cell, no stored outputs.

    python tools/nbtool.py sync     # rewrite every notebook in place
    python tools/nbtool.py check    # exit 1 and list the notebooks `sync` would change

Every notebook in chapters/, exercises/ and solutions/ starts with the same cell. It installs
the `byhand` package from the repository when the notebook runs in Google Colab, which opens
a notebook with nothing beside it; everywhere else (locally, on Binder, in the book build) it
does nothing. The repository's address is read from `_config.yml`, the one place it is kept,
so changing the address there and running `sync` updates every notebook.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("chapters", "exercises", "solutions")
SETUP_CELL_ID = "colab-setup"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

SETUP_TEMPLATE = """\
# Set-up for Google Colab, which opens this notebook on its own: install the course's
# `byhand` package from the repository. Anywhere else this cell does nothing.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "git+{url}"],
        check=True,
    )"""


def repository_url(root: Path = ROOT) -> str:
    """The repository address from `_config.yml`, without a trailing slash."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/")


def setup_source(root: Path = ROOT) -> str:
    return SETUP_TEMPLATE.format(url=repository_url(root))


def notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook the course ships, in a stable order."""
    found = []
    for folder in NOTEBOOK_DIRS:
        found += sorted(
            p for p in (root / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
        )
    return found


def tidy(nb: nbformat.NotebookNode, setup: str) -> nbformat.NotebookNode:
    """Return `nb` with the set-up cell first and every output and count removed."""
    cells = [c for c in nb.cells if c.get("id") != SETUP_CELL_ID]
    first = nbformat.v4.new_code_cell(setup)
    first.id = SETUP_CELL_ID
    first.metadata = {"tags": ["remove-cell"]}
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        # Editors add these; they carry nothing a reader or the build needs.
        for key in ("execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
    nb.cells = [first, *cells]
    course = nb.metadata.get("byhand")  # an exercise notebook's set, read by the grader
    nb.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    if course:
        nb.metadata["byhand"] = course
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["sync", "check"])
    args = parser.parse_args(argv)
    setup = setup_source()
    stale = []
    for path in notebooks():
        before = path.read_text()
        after = render(tidy(nbformat.reads(before, as_version=4), setup))
        if after != before:
            stale.append(path)
            if args.command == "sync":
                path.write_text(after)
    verb = "rewrote" if args.command == "sync" else "needs `make sync`"
    for path in stale:
        print(f"{verb}: {path.relative_to(ROOT)}")
    return 1 if (stale and args.command == "check") else 0


if __name__ == "__main__":
    sys.exit(main())
