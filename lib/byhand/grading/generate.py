"""Generate the exercise notebooks from their solutions.

    python -m byhand.grading.generate            # (re)write exercises/NN_topic.ipynb
    python -m byhand.grading.generate --check    # exit 1 listing the files a run would change

A solution notebook, solutions/NN_topic.ipynb, is the one source of an exercise set. In its
code cells the solution sits between two marker lines, indented like the code around it:

    def net_input(X, w, b):
        # BEGIN SOLUTION
        return X @ w + b
        # END SOLUTION

The exercise notebook exercises/NN_topic.ipynb is the same notebook with every such region
replaced by a stub that raises NotImplementedError, every cell tagged `solution` left out,
no outputs, and the metadata {"byhand": {"exercise_set": "NN_topic"}}. Cells keep their ids,
so generating twice gives the same bytes. The solution notebook's cells with markers get the
Jupyter Book tag `hide-input`, so the book shows each solution folded; the exercise drops it.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
SOLUTION_TAG = "solution"  # a cell with this tag is left out of the exercise notebook
FOLD_TAG = "hide-input"  # the book shows a cell with this tag folded
SET_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")  # NN_topic
LOOKS_LIKE_A_MARKER = re.compile(r"^#\s*(begin|end)\s*solution", re.IGNORECASE)
DEF = re.compile(r"^(\s*)def\s+(\w+)\s*\(")


class MarkerError(ValueError):
    """Solution markers that cannot be turned into stubs; the message says where."""


@dataclass(frozen=True)
class Region:
    """Lines begin..end (0-based, both markers included) of a cell, inside `function`."""

    begin: int
    end: int
    indent: str
    function: str


def _indent(line):
    return line[: len(line) - len(line.lstrip())]


def _enclosing_function(lines, row, indent, where):
    for line in reversed(lines[:row]):
        match = DEF.match(line)
        if match and len(match.group(1)) < len(indent):
            return match.group(2)
    raise MarkerError(
        f"{where}, line {row + 1}: the solution region is not inside a function "
        "(its stub raises NotImplementedError naming the function)"
    )


def find_regions(source, where="cell"):
    """The solution regions of one cell's source; MarkerError if the markers do not pair up."""
    lines = source.split("\n")
    regions, opened = [], None
    for row, line in enumerate(lines):
        text = line.strip()
        if text == BEGIN:
            if opened is not None:
                raise MarkerError(
                    f"{where}, line {row + 1}: {BEGIN!r} inside the region opened on line "
                    f"{opened + 1}; regions cannot nest"
                )
            opened = row
        elif text == END:
            if opened is None:
                raise MarkerError(f"{where}, line {row + 1}: {END!r} without a {BEGIN!r} before it")
            indent = _indent(lines[opened])
            if _indent(line) != indent:
                raise MarkerError(
                    f"{where}, line {row + 1}: {END!r} is indented differently from the "
                    f"{BEGIN!r} on line {opened + 1}"
                )
            function = _enclosing_function(lines, opened, indent, where)
            regions.append(Region(opened, row, indent, function))
            opened = None
        elif LOOKS_LIKE_A_MARKER.match(text):
            raise MarkerError(
                f"{where}, line {row + 1}: {text!r} is not a marker; write {BEGIN!r} or {END!r}"
            )
    if opened is not None:
        raise MarkerError(f"{where}, line {opened + 1}: {BEGIN!r} is never closed by {END!r}")
    return regions


def stub_out(source, regions):
    """`source` with each region replaced by a two-line stub."""
    lines = source.split("\n")
    for region in reversed(regions):  # from the bottom, so earlier line numbers stay valid
        stub = [
            f"{region.indent}# YOUR CODE HERE",
            f'{region.indent}raise NotImplementedError("{region.function}: your code here")',
        ]
        lines[region.begin : region.end + 1] = stub
    return "\n".join(lines)


def _set_tags(cell, tags):
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)


def fold_solutions(nb, name="notebook"):
    """Tag every code cell holding a solution region `hide-input`; True if any tag was added."""
    changed = False
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} (id {cell.get('id')!r})"
        tags = list(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and find_regions(cell.source, where) and FOLD_TAG not in tags:
            _set_tags(cell, [*tags, FOLD_TAG])
            changed = True
    return changed


def exercise_notebook(solution, set_name, name="notebook"):
    """The exercise notebook generated from a solution notebook (which is left unchanged)."""
    nb = copy.deepcopy(solution)
    cells, hidden = [], 0
    for index, cell in enumerate(nb.cells):
        tags = list(cell.metadata.get("tags", []))
        if SOLUTION_TAG in tags:
            hidden += 1
            continue
        if cell.cell_type == "code":
            regions = find_regions(cell.source, f"{name}, cell {index} (id {cell.get('id')!r})")
            if regions:
                cell.source = stub_out(cell.source, regions)
                tags = [tag for tag in tags if tag != FOLD_TAG]
                hidden += 1
            cell.outputs, cell.execution_count = [], None
        _set_tags(cell, tags)
        cells.append(cell)
    if not hidden:
        raise MarkerError(f"{name}: no {BEGIN!r} region and no cell tagged {SOLUTION_TAG!r}")
    nb.cells = cells
    nb.metadata["byhand"] = {"exercise_set": set_name}
    return nb


def render(nb):
    """The notebook's file text, as tools/nbtool.py writes it."""
    return nbformat.writes(nb) + "\n"


def plan(root):
    """{path: new text} for every solution and exercise notebook under `root`."""
    solutions = root / "solutions"
    if not solutions.is_dir():
        raise FileNotFoundError(f"no solutions/ folder in {root}; run from the repository root")
    texts = {}
    for path in sorted(solutions.glob("*.ipynb")):
        if not SET_NAME.match(path.stem):
            raise MarkerError(f"{path.name}: a solution notebook is named NN_topic.ipynb")
        shown = str(path.relative_to(root))
        nb = nbformat.reads(path.read_text(), as_version=4)
        if fold_solutions(nb, shown):
            texts[path] = render(nb)
        exercise = exercise_notebook(nb, path.stem, shown)
        texts[root / "exercises" / path.name] = render(exercise)
    return texts


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate exercises/ from solutions/.")
    parser.add_argument("--check", action="store_true", help="only list stale files; exit 1")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository root")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        texts = plan(root)
    except (MarkerError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = [p for p, text in texts.items() if not p.exists() or p.read_text() != text]
    for path in stale:
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(texts[path])
        verb = "stale (run `make exercises`)" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(root)}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
