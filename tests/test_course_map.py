"""The course map on the landing page (tools/course_map.py): its data, its checks, its figure.

No build here: the functions the {course-map} directive calls are run on the real notebooks
and on small fakes that show each rule can fail. The book build renders the directive.
"""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import course_map  # noqa: E402
from course_map import Chapter, Plan  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def chapters():
    return course_map.course(ROOT)[0]


def fake_chapter(number, builds_on=(), links=(), title="A topic"):
    return Chapter(
        number,
        f"chapters/{number:02d}_topic{number}",
        title,
        (),
        tuple(builds_on),
        frozenset(links),
        (),
        0,
        0,
        0,
    )


# --- Reading time ----------------------------------------------------------------------------


def test_reading_load_counts_the_text_and_the_code_the_page_shows():
    words = " ".join(["word"] * 150)
    nb = new_notebook(
        cells=[
            new_markdown_cell(f"# Title\n\n{words}"),  # 2 + 150 words
            new_markdown_cell("Two <!-- a comment of seven words, not shown --> words."),
            new_markdown_cell(" ".join(["hidden"] * 999), metadata={"tags": ["remove-cell"]}),
            new_code_cell("x = 1\n\n\ny = 2\nprint(x + y)\n"),  # 3 non-blank lines
            new_code_cell("\n".join(["a = 0"] * 40), metadata={"tags": ["hide-input"]}),
            new_code_cell("\n".join(["b = 0"] * 40), metadata={"tags": ["remove-input"]}),
            new_code_cell("\n".join(["c = 0"] * 40), metadata={"tags": ["remove-cell"]}),
            new_code_cell("z = 3  # a comment is read too", metadata={"tags": ["hide-output"]}),
        ]
    )
    assert course_map.reading_load(nb) == (154, 4)


def test_reading_time_rule():
    assert (course_map.WORDS_PER_MINUTE, course_map.CODE_LINES_PER_MINUTE) == (200, 10)
    assert course_map.ROUND_TO == 5
    assert course_map.minutes(2000, 100) == 20  # 10 min of text + 10 of code
    assert course_map.minutes(2000, 24) == 10  # 12.4 min rounds down
    assert course_map.minutes(2000, 25) == 15  # 12.5 min rounds up
    assert course_map.minutes(0, 1) == 5  # never less than 5 min
    assert course_map.minutes(7000, 300) == 65  # 35 + 30


def test_real_reading_times_follow_the_rule(chapters):
    for chapter in chapters:
        nb = nbformat.read(ROOT / f"{chapter.docname}.ipynb", as_version=4)
        words, lines = course_map.reading_load(nb)
        assert (chapter.words, chapter.code_lines) == (words, lines)
        exact = words / 200 + lines / 10
        assert chapter.minutes % 5 == 0 and abs(chapter.minutes - exact) <= 2.5, chapter


# --- What is read from the book --------------------------------------------------------------


def test_chapters_come_from_the_toc_in_order_with_their_titles(chapters):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = [
        entry["file"]
        for part in toc["parts"]
        for entry in part["chapters"]
        if entry["file"].startswith("chapters/")
    ]
    assert [c.docname for c in chapters] == listed
    assert [c.number for c in chapters] == list(range(len(listed)))
    for chapter in chapters:
        nb = nbformat.read(ROOT / f"{chapter.docname}.ipynb", as_version=4)
        first = next(c.source for c in nb.cells if c.cell_type == "markdown").splitlines()[0]
        assert first.startswith("# ") and first.endswith(chapter.title), (first, chapter.title)
        assert not re.match(r"\d", chapter.title), chapter.title
    assert chapters[1].title == "The perceptron"


def test_title_drops_a_leading_number_and_a_missing_heading_is_an_error():
    nb = new_notebook(cells=[new_markdown_cell("Some text\n\n# 0. Introduction\n\nMore")])
    assert course_map.notebook_title(nb) == "Introduction"
    nb = new_notebook(cells=[new_markdown_cell("## Only a section")])
    with pytest.raises(ValueError, match="no level-1 heading"):
        course_map.notebook_title(nb, "chapters/99_none")
    with pytest.raises(ValueError, match="NN_topic"):
        course_map.chapter_number("chapters/intro")


def test_exercises_and_points_come_from_the_sets(chapters):
    from byhand.exercises import SETS
    from byhand.grading.hidden import load_tests

    graded = [c for c in chapters if c.exercises]
    assert [c.docname.split("/")[-1] for c in graded] == sorted(SETS)
    for chapter in graded:
        stem = chapter.docname.split("/")[-1]
        assert chapter.exercises == tuple(e.name for e in SETS[stem].EXERCISES)
        tests = load_tests(ROOT / "solutions" / "hidden" / f"{stem}.py")
        assert chapter.points == sum(t.points for t in tests) > 0
        # Every function the map names is one the student writes in the exercise notebook.
        notebook = (ROOT / "exercises" / f"{stem}.ipynb").read_text()
        for name in chapter.exercises:
            assert f"def {name}(" in notebook, f"exercises/{stem}.ipynb has no def {name}"
    assert chapters[0].exercises == () and chapters[0].points == 0
    assert chapters[1].exercises[0] == "net_input"


def test_links_are_resolved_from_the_page_that_holds_them():
    nb = new_notebook(
        cells=[
            new_markdown_cell(
                "{doc}`Chapter 1 <01_perceptron>`, {doc}`../chapters/02_calculus`, "
                "[three](03_activations.ipynb#softmax), {doc}`/chapters/04_backpropagation`, "
                "[web](https://example.org/x.md), {doc}`the notation <../docs/notation>`"
            ),
            new_code_cell("# {doc}`05_losses` in code is no link"),
        ]
    )
    assert course_map.linked_docs(nb, "chapters/06_regularization") == {
        "chapters/01_perceptron",
        "chapters/02_calculus",
        "chapters/03_activations",
        "chapters/04_backpropagation",
        "docs/notation",
    }


# --- The checks --------------------------------------------------------------------------------


def test_the_declared_plans_match_the_engine_and_the_toc(chapters):
    problems = course_map.plan_problems(chapters, course_map.PLANS, course_map.public_modules(ROOT))
    assert not problems, "\n".join(problems)


def test_every_dependency_is_an_earlier_chapter_the_notebook_links_to(chapters):
    problems = course_map.link_problems(chapters)
    assert not problems, "\n".join(problems)
    for chapter in chapters:
        assert all(k < chapter.number for k in chapter.builds_on)
    assert all(chapter.builds_on for chapter in chapters[1:]), "only Chapter 0 starts from nothing"


def test_public_modules_are_read_from_lib():
    modules = course_map.public_modules(ROOT)
    assert {"byhand.layers", "byhand.callbacks", "byhand.datasets", "byhand.grading"} <= modules
    assert not any(name.split(".")[-1].startswith("_") for name in modules)
    for name in modules:
        path = ROOT / "lib" / Path(*name.split("."))
        assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), name


def test_plan_checks_catch_each_kind_of_mistake():
    chapters = [fake_chapter(0), fake_chapter(1), fake_chapter(2)]
    modules = {"byhand.a", "byhand.b", "byhand.c", "byhand.d", "byhand.e"}
    plans = {
        0: Plan(("byhand.a",), ()),
        1: Plan(("byhand.b", "byhand.zz"), (0, 1)),  # a module that does not exist; itself
        2: Plan(("byhand.a", "byhand.e"), (3,)),  # a module built twice; a later chapter
        4: Plan((), ()),  # a chapter that is not in the toc
    }
    problems = course_map.plan_problems(chapters, plans, modules, {"byhand.c": "", "byhand.y": ""})
    expected = [
        "PLANS has Chapter 4",
        "Chapter 1 builds byhand.zz, which is not a module",
        "Chapter 1 builds on Chapter 1, which is not an earlier chapter",
        "byhand.a is declared twice: by Chapter 2 and by Chapter 0",
        "Chapter 2 builds on Chapter 3, which is not an earlier chapter",
        "byhand.d is built by no chapter",
        "SUPPORT names byhand.y, which is not a module",
    ]
    assert len(problems) == len(expected), problems
    for start, problem in zip(expected, problems, strict=True):
        assert problem.startswith(start), (start, problem)
    missing = course_map.plan_problems(chapters, {0: Plan((), ())}, set(), {})
    assert [p.split(" is in")[0] for p in missing] == ["Chapter 1", "Chapter 2"]


def test_link_check_catches_a_dependency_the_text_never_links_to():
    chapters = [fake_chapter(0), fake_chapter(1, (0,), (0,)), fake_chapter(2, (0, 1), (1, 5))]
    assert course_map.link_problems(chapters) == [
        "chapters/02_topic2 builds on Chapter 0 (PLANS in tools/course_map.py) but never "
        "links to it"
    ]


# --- What the page shows -----------------------------------------------------------------------


def test_the_figure_has_an_accessible_name_and_one_box_per_chapter(chapters):
    svg = ET.fromstring(course_map.figure_svg(chapters))
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    named = {el.get("id"): el for el in svg.iter() if el.get("id") in ids}
    assert [named[i].tag for i in ids] == [f"{SVG}title", f"{SVG}desc"]
    assert named[ids[0]].text == "How the chapters build on one another"
    desc = named[ids[1]].text
    for chapter in chapters:
        assert f"Chapter {chapter.number}, {chapter.short_title}, builds on" in desc
    assert "Chapter 8, Batch normalization, builds on Chapters 4, 6 and 7." in desc
    # It scales to its container: a viewBox, a relative width, no fixed height, no script.
    assert re.fullmatch(r"0 0 \d+ \d+", svg.get("viewBox")) and svg.get("width") == "100%"
    assert svg.get("height") is None and not list(svg.iter(f"{SVG}script"))
    nodes = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "cm-node"]
    assert [int(g.get("data-chapter")) for g in nodes] == [c.number for c in chapters]
    for g, chapter in zip(nodes, chapters, strict=True):
        assert "".join(g.find(f"{SVG}text").itertext()) == f"{chapter.number}{chapter.short_title}"
    paths = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "cm-arc"]
    arcs = [(int(p.get("data-from")), int(p.get("data-to"))) for p in paths]
    declared = sorted((k, c.number) for c in chapters for k in c.builds_on)
    assert sorted(arcs) == declared


def test_the_figure_fits_its_labels_and_each_arc_meets_its_boxes(chapters):
    svg = ET.fromstring(course_map.figure_svg(chapters))
    width = float(svg.get("viewBox").split()[2])
    assert width <= 400, "wider and the labels shrink below 11 px on a 390 px phone"
    boxes = {}
    for g in svg.iter(f"{SVG}g"):
        rect = g.find(f"{SVG}rect")
        top, left = float(rect.get("y")), float(rect.get("x"))
        boxes[int(g.get("data-chapter"))] = (top, top + float(rect.get("height")))
        right = left + float(rect.get("width"))
        # The title starts 36 units in. In DejaVu Sans, a wide fallback font, the longest one
        # ("Regularization and generalization") measures 0.51 em a character in Chromium; with
        # 0.55 em it still stays inside its box.
        title = list(g.find(f"{SVG}text").itertext())[-1]
        assert 36 + 0.55 * 13 * len(title) < float(rect.get("width")), title
    for path in svg.iter(f"{SVG}path"):
        if path.get("class") != "cm-arc":
            continue
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        (x1, y1), (x2, y2) = numbers[:2], numbers[-2:]
        source, target = boxes[int(path.get("data-from"))], boxes[int(path.get("data-to"))]
        assert source[0] < y1 < source[1] and target[0] < y2 < target[1]
        assert right <= x1 and right <= x2
        # A cubic whose two control points are at the same x reaches 3/4 of the way to them.
        control = numbers[2]
        assert numbers[4] == control and x1 + 0.75 * (control - x1) < width


def test_the_table_links_every_chapter_and_exercise_set(chapters):
    text = course_map.table_markdown(chapters)
    rows = re.findall(r"^\* - (.*)$", text, flags=re.M)
    assert rows[0] == "Chapter" and len(rows) == len(chapters) + 1
    for chapter, row in zip(chapters, rows[1:], strict=True):
        assert row == f"{{doc}}`{chapter.number}. {chapter.title} </{chapter.docname}>`\\"
    perceptron = text.split("* - {doc}`1. ")[1].split("* - ")[0]
    assert "\n    builds on {doc}`0 </chapters/00_introduction>`\n" in perceptron
    eight = text.split("* - {doc}`8. ")[1].split("* - ")[0]
    assert "builds on {doc}`4 </chapters/04_backpropagation>`, {doc}`6 </chapters/06_" in eight
    assert "`byhand.perceptron`, `byhand.data`, `byhand.plots`" in perceptron
    assert "`net_input`, `step`" in perceptron
    assert "{doc}`6 functions, 20 points </exercises/01_perceptron>`" in perceptron
    assert f"  - {chapters[1].minutes} min" in perceptron
    rule = course_map.rule_markdown(chapters)
    total = sum(c.minutes for c in chapters)
    assert "200 a minute" in rule and "10 a minute" in rule
    assert f"about {total // 60} h {total % 60:02d} min" in rule


def test_the_landing_page_holds_the_map_and_links_the_reference_pages():
    intro = (ROOT / "intro.md").read_text()
    assert intro.count("```{course-map}\n```") == 1
    conventions = intro.split("## Conventions")[1].split("\n## ")[0]
    assert "{doc}`docs/notation`" in conventions and "{doc}`docs/glossary`" in conventions
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]
    assert config["local_extensions"]["course_map"] == "tools/"
    assert "course-map.css" in config["config"]["html_css_files"]
    assert (ROOT / "_static" / "course-map.css").is_file()


# --- The directive, in a small Sphinx project -------------------------------------------------


def test_the_directive_renders_the_map_and_warns_about_a_wrong_plan(tmp_path):
    """Two chapters: the page gets the figure and the table; PLANS's other chapters, the
    modules no chapter builds and a dependency the text never links to are build warnings."""
    from io import StringIO

    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "lib" / "byhand").mkdir(parents=True)
    (src / "lib" / "byhand" / "widgets.py").write_text("")
    (src / "lib" / "byhand" / "orphan.py").write_text("")
    toc = {
        "root": "intro",
        "parts": [{"chapters": [{"file": "chapters/00_start"}, {"file": "chapters/01_next"}]}],
    }
    (src / "_toc.yml").write_text(yaml.safe_dump(toc))
    start = new_notebook(cells=[new_markdown_cell("# 0. Start\n\n" + "word " * 1000)])
    following = new_notebook(
        cells=[new_markdown_cell("# Next: more\n\nNo link back."), new_code_cell("x = 1")]
    )
    nbformat.write(start, src / "chapters" / "00_start.ipynb")
    nbformat.write(following, src / "chapters" / "01_next.ipynb")
    (src / "intro.md").write_text(
        "# Intro\n\n```{course-map}\n```\n\n```{toctree}\n:glob:\nchapters/*\n```\n"
    )
    (src / "conf.py").write_text(
        "extensions = ['myst_nb', 'course_map']\nnb_execution_mode = 'off'\n"
        "root_doc = 'intro'\nexclude_patterns = ['lib']\n"
    )
    warnings = StringIO()
    app = Sphinx(
        src, src, tmp_path / "out", tmp_path / "doctrees", "html", status=None, warning=warnings
    )
    app.build()
    found = [line for line in warnings.getvalue().splitlines() if "course map:" in line]
    assert any("PLANS has Chapter 2, which is not in _toc.yml" in line for line in found), found
    assert any("byhand.orphan is built by no chapter" in line for line in found), found
    assert any(
        "chapters/01_next builds on Chapter 0" in line and "never links" in line for line in found
    )
    assert all("intro.md" in line for line in found), found  # each points at the directive

    page = (tmp_path / "out" / "intro.html").read_text()
    svg = ET.fromstring(re.search(r"<svg .*?</svg>", page, flags=re.DOTALL).group())
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text
    assert [g.get("data-chapter") for g in svg.iter(f"{SVG}g")] == ["0", "1"]
    assert "builds on no other chapter" in svg.find(f"{SVG}desc").text
    assert 'href="chapters/01_next.html"' in page and "1. Next: more" in page
    assert "5 min" in page  # 1002 words at 200 a minute
    assert "<table" in page and "course-map-table" in page
