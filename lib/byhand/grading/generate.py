"""Generate the exercise notebooks from their solutions.

    python -m byhand.grading.generate            # (re)write exercises/NN_topic.ipynb
    python -m byhand.grading.generate --check    # exit 1 listing the files a run would change

A solution notebook, solutions/NN_topic.ipynb, is the one source of an exercise set. In its
code cells the solution sits between two marker lines, indented like the code around it:

    def net_input(X, w, b):
        # BEGIN SOLUTION
        return X @ w + b
        # END SOLUTION

Two cell tags say which notebook a cell belongs to; a cell with neither is in both:

    solution   only in the solutions: the solutions page's title and introduction, a
               demonstration that uses the solutions
    exercise   only in the exercises: the exercises' title, how to work on them, how to
               hand them in

The exercise notebook exercises/NN_topic.ipynb is the solution notebook with every marked
region replaced by a stub that raises NotImplementedError, the cells tagged `solution` left
out, the tag `exercise` dropped, no outputs, and the metadata
{"byhand": {"exercise_set": "NN_topic"}}. Cells keep their ids, so generating twice gives the
same bytes. The solution notebook itself gets the Jupyter Book tags that make the book show
it as solutions: `hide-input` on each cell with a marked region (the solution is folded) and
`remove-cell` on each cell tagged `exercise` (it is not shown); the exercise notebook drops
both from those cells. `--check` reports a solution notebook that lacks these tags as stale.
A cell tagged both `solution` and `exercise`, or an `exercise` cell with a marked region, is
an error.
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
SOLUTION_TAG = "solution"  # a cell only in the solution notebook
EXERCISE_TAG = "exercise"  # a cell only in the exercise notebook
FOLD_TAG = "hide-input"  # the book shows a cell with this tag folded
REMOVE_TAG = "remove-cell"  # the book leaves a cell with this tag out
SET_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")  # NN_topic
LOOKS_LIKE_A_MARKER = re.compile(r"^#\s*(begin|end)\s*solution", re.IGNORECASE)
DEF = re.compile(r"^(\s*)def\s+(\w+)\s*\(")


class MarkerError(ValueError):
    """Solution markers or cell tags that cannot make an exercise; the message says where."""


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


def _cell_parts(cell, where):
    """(tags, solution regions) of a cell; MarkerError for tags that contradict each other."""
    tags = list(cell.metadata.get("tags", []))
    regions = find_regions(cell.source, where) if cell.cell_type == "code" else []
    if SOLUTION_TAG in tags and EXERCISE_TAG in tags:
        raise MarkerError(
            f"{where}: tagged both {SOLUTION_TAG!r} (only in the solutions) and "
            f"{EXERCISE_TAG!r} (only in the exercises); a cell for both has neither tag"
        )
    if EXERCISE_TAG in tags and regions:
        raise MarkerError(
            f"{where}: a cell tagged {EXERCISE_TAG!r} is not in the solutions, so it cannot "
            f"hold a {BEGIN!r} region"
        )
    return tags, regions


def tag_solution_notebook(nb, name="notebook"):
    """Add the book's tags to a solution notebook; True if any tag was added.

    `hide-input` on every code cell holding a solution region (the book folds it), and
    `remove-cell` on every cell tagged `exercise` (the book leaves it out).
    """
    changed = False
    for index, cell in enumerate(nb.cells):
        tags, regions = _cell_parts(cell, f"{name}, cell {index} (id {cell.get('id')!r})")
        wanted = [FOLD_TAG] if regions else [REMOVE_TAG] if EXERCISE_TAG in tags else []
        missing = [tag for tag in wanted if tag not in tags]
        if missing:
            _set_tags(cell, tags + missing)
            changed = True
    return changed


def exercise_notebook(solution, set_name, name="notebook"):
    """The exercise notebook generated from a solution notebook (which is left unchanged)."""
    nb = copy.deepcopy(solution)
    cells, hidden = [], 0
    for index, cell in enumerate(nb.cells):
        tags, regions = _cell_parts(cell, f"{name}, cell {index} (id {cell.get('id')!r})")
        if SOLUTION_TAG in tags:
            hidden += 1
            continue
        if EXERCISE_TAG in tags:  # shown in the exercises, whatever the solutions page does
            tags = [tag for tag in tags if tag not in (EXERCISE_TAG, REMOVE_TAG)]
        if regions:
            cell.source = stub_out(cell.source, regions)
            tags = [tag for tag in tags if tag != FOLD_TAG]
            hidden += 1
        if cell.cell_type == "code":
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
        if tag_solution_notebook(nb, shown):
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
