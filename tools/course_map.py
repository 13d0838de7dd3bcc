"""The course map on the landing page: a Sphinx directive, ```{course-map}```, and its data.

The map shows the chapters in order, what each one builds in the engine (`byhand`), its graded
exercises, a rough reading time, and a figure of which chapter builds on which. Whatever can be
read from the book itself is read, at build time, never typed twice:

- the chapters, their order and titles: `_toc.yml` and each notebook's first heading;
- the graded exercises: the set's public cases (`byhand.exercises.SETS[...].EXERCISES`) and
  the points of its hidden tests (`solutions/hidden/NN_topic.py`);
- the reading time: the words of the text and the lines of code the page shows (`minutes`).

Only two things are declared, in `PLANS` below: the modules each chapter builds and the
earlier chapters it builds on. The build (and tests/test_course_map.py) checks them: every
declared module exists, every public module of `lib/byhand` is built by exactly one chapter (or
is named in `SUPPORT` with the reason no chapter builds it), a chapter builds only on earlier
chapters, and its notebook links to each of them. A failed check is a build warning, and the
book is built with `-W`.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent

# --- What is declared ----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    modules: tuple[str, ...]  # the byhand modules the chapter builds
    builds_on: tuple[int, ...]  # the earlier chapters it builds on directly


PLANS = {
    0: Plan(("byhand.widgets",), ()),
    1: Plan(("byhand.perceptron", "byhand.data", "byhand.plots"), (0,)),
    2: Plan(("byhand.autodiff", "byhand.gradcheck"), (1,)),
    3: Plan(("byhand.activations", "byhand.prelu", "byhand.registry"), (1, 2)),
    4: Plan(("byhand.layers", "byhand.base", "byhand.model", "byhand.initializers"), (1, 2, 3)),
    5: Plan(("byhand.losses", "byhand.symbolic"), (2, 3, 4)),
    6: Plan(("byhand.regularizers", "byhand.dropout"), (4, 5)),
    7: Plan(("byhand.optimizers", "byhand.base_optimizer", "byhand.schedules"), (2, 4)),
    8: Plan(("byhand.normalization",), (4, 6, 7)),
    9: Plan(
        ("byhand.callbacks", "byhand.training", "byhand.functional", "byhand.model_io"), (6, 7, 8)
    ),
    10: Plan(("byhand.metrics", "byhand.datasets"), (4, 5, 6, 7, 8, 9)),
}

# Public modules that no chapter builds, and why.
SUPPORT = {
    "byhand.checks": "the argument checks every module shares",
    "byhand.exercises": "the public cases and `check` of the graded sets",
    "byhand.grading": "the instructors' grader",
}

# --- Reading time ----------------------------------------------------------------------------

WORDS_PER_MINUTE = 200  # the text of the markdown cells
CODE_LINES_PER_MINUTE = 10  # the non-blank lines of the code the page shows
ROUND_TO = 5  # minutes
# Code the reader does not see (removed) or sees only on request (folded) is not counted.
UNSHOWN_CODE = {"remove-cell", "remove-input", "hide-input", "hide-cell"}


def reading_load(nb):
    """(words of text, lines of shown code) of a notebook: what `minutes` turns into time."""
    words = lines = 0
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            words += len(re.sub(r"<!--.*?-->", " ", cell.source, flags=re.DOTALL).split())
        elif cell.cell_type == "code" and not tags & UNSHOWN_CODE:
            lines += sum(1 for line in cell.source.splitlines() if line.strip())
    return words, lines


def minutes(words, lines):
    """Reading time in minutes, rounded to the nearest ROUND_TO (halves up), at least ROUND_TO."""
    exact = words / WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE
    return max(ROUND_TO, int(exact / ROUND_TO + 0.5) * ROUND_TO)


# --- What is read from the book --------------------------------------------------------------

# {doc}`text <target>`, {doc}`target` and [text](target): where a page links.
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<([^>`]+)>|([^`]+))`")
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Chapter:
    number: int
    docname: str  # "chapters/01_perceptron"
    title: str  # from its first heading, without a leading "N."
    modules: tuple[str, ...]
    builds_on: tuple[int, ...]
    links: frozenset  # the chapters (numbers) its text links to
    exercises: tuple[str, ...]  # the functions its graded set asks for; () when it has none
    points: float  # what the set's hidden tests are worth
    words: int
    code_lines: int

    @property
    def minutes(self):
        return minutes(self.words, self.code_lines)

    @property
    def short_title(self):
        return self.title.split(":")[0].strip()


def toc_chapters(root=ROOT):
    """The docnames of chapters/ in _toc.yml, in the book's order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    return [
        entry["file"]
        for part in toc.get("parts", [])
        for entry in part.get("chapters", [])
        if entry["file"].startswith("chapters/")
    ]


def chapter_number(docname):
    """4 for "chapters/04_backpropagation"."""
    match = re.fullmatch(r"chapters/(\d+)_\w+", docname)
    if not match:
        raise ValueError(f"{docname}: a chapter's file name starts with its number, NN_topic")
    return int(match.group(1))


def notebook_title(nb, name="notebook"):
    """The text of the first level-1 heading, without a leading number ("0. Introduction")."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return re.sub(r"^\d+\.\s+", "", line[2:].strip())
    raise ValueError(f"{name}: no level-1 heading ('# Title') in its markdown cells")


def linked_docs(nb, docname):
    """The docnames (relative to the root, no suffix) that a notebook's text links to."""
    found = set()
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for pattern in (DOC_ROLE, MD_LINK):
            for match in pattern.finditer(cell.source):
                target = next(group for group in match.groups() if group).strip()
                target = target.split("#")[0]
                if not target or "://" in target:
                    continue
                if target.startswith("/"):
                    path = target.lstrip("/")
                else:
                    path = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
                found.add(re.sub(r"\.(ipynb|md)$", "", path))
    return found


def exercise_set(stem, root=ROOT):
    """(function names, points) of the graded set named `stem`, or ((), 0) if it has none."""
    from byhand.exercises import SETS
    from byhand.grading.hidden import load_tests

    if stem not in SETS:
        return (), 0
    names = tuple(exercise.name for exercise in SETS[stem].EXERCISES)
    points = sum(test.points for test in load_tests(root / "solutions" / "hidden" / f"{stem}.py"))
    return names, points


def course(root=ROOT, plans=PLANS):
    """(the chapters of the toc as `Chapter`s, the files they were read from)."""
    chapters, sources = [], [root / "_toc.yml"]
    for docname in toc_chapters(root):
        number = chapter_number(docname)
        path = root / f"{docname}.ipynb"
        nb = nbformat.read(path, as_version=4)
        words, lines = reading_load(nb)
        stem = docname.split("/")[-1]
        names, points = exercise_set(stem, root)
        plan = plans.get(number, Plan((), ()))
        numbered = {
            chapter_number(d) for d in linked_docs(nb, docname) if d.startswith("chapters/")
        }
        chapters.append(
            Chapter(
                number,
                docname,
                notebook_title(nb, docname),
                plan.modules,
                plan.builds_on,
                frozenset(numbered),
                names,
                points,
                words,
                lines,
            )
        )
        sources.append(path)
        hidden = root / "solutions" / "hidden" / f"{stem}.py"
        if hidden.exists():
            sources.append(hidden)
    return chapters, sources


# --- The checks ------------------------------------------------------------------------------


def public_modules(root=ROOT):
    """The public modules and packages of lib/byhand, as "byhand.name"."""
    package = root / "lib" / "byhand"
    found = {f"byhand.{p.stem}" for p in package.glob("*.py") if not p.name.startswith("_")}
    found |= {
        f"byhand.{p.name}"
        for p in package.iterdir()
        if p.is_dir() and not p.name.startswith("_") and (p / "__init__.py").exists()
    }
    return found


def plan_problems(chapters, plans, modules, support=SUPPORT):
    """What is wrong with the declared plans, given the toc's chapters and lib's modules."""
    problems = []
    numbers = [chapter.number for chapter in chapters]
    problems += [
        f"Chapter {n} is in _toc.yml but has no plan in PLANS" for n in numbers if n not in plans
    ]
    problems += [
        f"PLANS has Chapter {n}, which is not in _toc.yml" for n in plans if n not in numbers
    ]
    builder = {name: "SUPPORT" for name in support}
    for n, plan in sorted(plans.items()):
        for name in plan.modules:
            if name not in modules:
                problems.append(f"Chapter {n} builds {name}, which is not a module of lib/byhand")
            elif name in builder:
                problems.append(f"{name} is declared twice: by Chapter {n} and by {builder[name]}")
            else:
                builder[name] = f"Chapter {n}"
        for k in plan.builds_on:
            if k >= n:
                problems.append(
                    f"Chapter {n} builds on Chapter {k}, which is not an earlier chapter"
                )
            elif k not in numbers:
                problems.append(f"Chapter {n} builds on Chapter {k}, which is not in _toc.yml")
    problems += [
        f"{name} is built by no chapter: add it to a chapter's plan, or to SUPPORT with the reason"
        for name in sorted(modules - set(builder))
    ]
    problems += [
        f"SUPPORT names {name}, which is not a module of lib/byhand"
        for name in support
        if name not in modules
    ]
    return problems


def link_problems(chapters):
    """A chapter that builds on another must link to it, so the reader can go back."""
    return [
        f"{chapter.docname} builds on Chapter {k} (PLANS in tools/course_map.py) but never "
        "links to it"
        for chapter in chapters
        for k in chapter.builds_on
        if k not in chapter.links
    ]


# --- What the page shows ---------------------------------------------------------------------


def _numbers(numbers):
    """ "1", "1 and 2", "1, 2 and 3"."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def description(chapters):
    """In words, which chapter builds on which: the figure's text alternative."""
    sentences = []
    for chapter in chapters:
        if chapter.builds_on:
            plural = "s" if len(chapter.builds_on) > 1 else ""
            sentences.append(
                f"Chapter {chapter.number}, {chapter.short_title}, builds on "
                f"Chapter{plural} {_numbers(chapter.builds_on)}."
            )
        else:
            sentences.append(
                f"Chapter {chapter.number}, {chapter.short_title}, builds on no other chapter."
            )
    return " ".join(sentences)


# The figure's geometry, in the units of its viewBox (the SVG scales to its container).
ROW, BOX_W, BOX_H, LEFT, TOP = 42, 280, 30, 4, 6


def figure_svg(chapters, ident="course-map"):
    """An inline SVG: one box per chapter, top to bottom, and an arc from each chapter to every
    later chapter that builds on it, bulging further to the right the more chapters it spans."""
    row = {chapter.number: i for i, chapter in enumerate(chapters)}
    edges = [(k, c.number) for c in chapters for k in c.builds_on if k in row]
    ends = {n: [] for n in row}  # per chapter, the edges that leave (+1) or arrive (-1)
    for k, n in edges:
        ends[k].append((row[n] - row[k], +1, (k, n)))
        ends[n].append((row[n] - row[k], -1, (k, n)))
    anchor = {}  # (edge, +1 or -1) -> y where it meets its box
    for n, items in ends.items():
        centre = TOP + row[n] * ROW + BOX_H / 2
        for sign in (+1, -1):
            # Shortest span nearest the middle of the box, so that nested arcs never cross.
            keys = sorted((span, edge) for span, s, edge in items if s == sign)
            for i, (_, edge) in enumerate(keys):
                anchor[(edge, sign)] = centre + sign * (2 + 12 * (i + 0.5) / len(keys))
    right = LEFT + BOX_W
    bulge = {edge: 16 + 14 * (row[edge[1]] - row[edge[0]]) for edge in edges}
    width = right + 0.75 * max(bulge.values(), default=0) + 12
    height = TOP * 2 + (len(chapters) - 1) * ROW + BOX_H
    title_id, desc_id = f"{ident}-title", f"{ident}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="course-map-svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">How the chapters build on one another</title>',
        f'<desc id="{desc_id}">{html.escape(description(chapters))}</desc>',
        "<defs>",
        f'<marker id="{ident}-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse">',
        '<path class="cm-head" d="M 0 0 L 10 5 L 0 10 z" fill="#6c757d"/>',
        "</marker>",
        "</defs>",
    ]
    for k, n in edges:
        y1, y2, d = anchor[((k, n), +1)], anchor[((k, n), -1)], bulge[(k, n)]
        parts.append(
            f'<path class="cm-arc" data-from="{k}" data-to="{n}" fill="none" stroke="#6c757d" '
            f'stroke-width="1.3" marker-end="url(#{ident}-head)" '
            f'd="M {right} {y1:.1f} C {right + d} {y1:.1f}, '
            f'{right + d} {y2:.1f}, {right + 1} {y2:.1f}"/>'
        )
    for chapter in chapters:
        y = TOP + row[chapter.number] * ROW
        parts += [
            f'<g class="cm-node" data-chapter="{chapter.number}">',
            f'<rect class="cm-box" x="{LEFT}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            'fill="#f3f4f5" stroke="#0a7d91" stroke-width="1.3"/>',
            f'<text class="cm-label" x="{LEFT + 10}" y="{y + BOX_H / 2 + 4.5}" font-size="13" '
            f'fill="#222832"><tspan font-weight="bold">{chapter.number}</tspan>'
            f'<tspan x="{LEFT + 36}">{html.escape(chapter.short_title)}</tspan></text>',
            "</g>",
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def _points(points):
    return f"{points:g} point" + ("" if points == 1 else "s")


def table_markdown(chapters):
    """The map's table, as MyST Markdown: links resolve and fail the build like any other.

    Four columns, so that it fits the text column: what a chapter builds on goes under its
    title, as a second line of the same cell.
    """
    lines = [
        "```{list-table}",
        ":header-rows: 1",
        ":class: course-map-table",
        "",
        "* - Chapter",
        "  - Builds in `byhand`",
        "  - Graded exercises: the functions you write",
        "  - Reading time",
    ]
    for c in chapters:
        on = ", ".join(f"{{doc}}`{k} </chapters/{_stem(chapters, k)}>`" for k in c.builds_on)
        modules = ", ".join(f"`{name}`" for name in c.modules)
        if c.exercises:
            names = ", ".join(f"`{name}`" for name in c.exercises)
            count = f"{len(c.exercises)} function" + ("" if len(c.exercises) == 1 else "s")
            stem = c.docname.split("/")[-1]
            graded = f"{names} ({{doc}}`{count}, {_points(c.points)} </exercises/{stem}>`)"
        else:
            graded = "none: its questions are for thinking"
        lines += [
            f"* - {{doc}}`{c.number}. {c.title} </{c.docname}>`\\",
            f"    builds on {on}" if on else "    the place to start",
            f"  - {modules or 'nothing'}",
            f"  - {graded}",
            f"  - {c.minutes} min",
        ]
    lines.append("```")
    return "\n".join(lines)


def _stem(chapters, number):
    return next(c.docname.split("/")[-1] for c in chapters if c.number == number)


def rule_markdown(chapters):
    """How the reading times are estimated, with the whole course's total."""
    total = sum(c.minutes for c in chapters)
    hours, rest = divmod(total, 60)
    return (
        f"Reading times are rough: the words of a chapter's text at {WORDS_PER_MINUTE} a minute, "
        f"plus the lines of code the page shows at {CODE_LINES_PER_MINUTE} a minute, rounded to "
        f"the nearest {ROUND_TO} minutes; about {hours} h {rest:02d} min for the whole book. "
        "Running the code, moving the sliders and writing the exercises take longer."
    )


def page_markdown(chapters, ident="course-map"):
    """Everything the directive puts on the page, as MyST Markdown."""
    return "\n".join(
        [
            "Each arrow goes from a chapter to a later chapter that builds on it.",
            "",
            "```{raw} html",
            '<div class="course-map-figure">',
            figure_svg(chapters, ident),
            "</div>",
            "```",
            "",
            table_markdown(chapters),
            "",
            rule_markdown(chapters),
            "",
        ]
    )


# --- The Sphinx directive --------------------------------------------------------------------


def setup(app):
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxDirective

    logger = logging.getLogger(__name__)

    class CourseMap(SphinxDirective):
        """```{course-map}```: the map, built from the book when the page is read."""

        has_content = False

        def run(self):
            root = Path(self.env.srcdir)
            chapters, sources = course(root)
            for path in sources:
                self.env.note_dependency(str(path))
            self.env.note_dependency(__file__)
            checks = plan_problems(chapters, PLANS, public_modules(root)) + link_problems(chapters)
            for problem in checks:
                logger.warning(f"course map: {problem}", location=self.get_location())
            container = nodes.container(classes=["course-map"])
            text = page_markdown(chapters).splitlines()
            self.state.nested_parse(
                StringList(text, self.get_source_info()[0]), self.content_offset, container
            )
            return [container]

    app.add_directive("course-map", CourseMap)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
