"""byhand.grading.generate: solution notebooks -> exercise notebooks, and its errors."""

import nbformat
import pytest

from byhand.grading import generate
from byhand.grading.generate import MarkerError, exercise_notebook, find_regions, stub_out

SOLVED = '''def area(width, height):
    """A rectangle's area."""
    # BEGIN SOLUTION
    return width * height
    # END SOLUTION


class Box:
    def volume(self):
        # BEGIN SOLUTION
        return self.depth * area(self.width, self.height)
        # END SOLUTION'''


def test_regions_become_the_contracts_stubs():
    regions = find_regions(SOLVED)
    assert [(r.function, r.indent) for r in regions] == [("area", "    "), ("volume", " " * 8)]
    stubbed = stub_out(SOLVED, regions)
    assert '    # YOUR CODE HERE\n    raise NotImplementedError("area: your code here")' in stubbed
    assert '        raise NotImplementedError("volume: your code here")' in stubbed
    assert "return" not in stubbed and '"""A rectangle\'s area."""' in stubbed


BROKEN = [
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "line 1: the solution region is not inside a"),
    ("def f():\n    # END SOLUTION", "line 2: '# END SOLUTION' without a '# BEGIN SOLUTION'"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1", "line 2: '# BEGIN SOLUTION' is never closed"),
    (
        "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    # END SOLUTION",
        "line 3: '# BEGIN SOLUTION' inside the region opened on line 2; regions cannot nest",
    ),
    (
        "def f():\n    # BEGIN SOLUTION\n    return 1\n# END SOLUTION",
        "line 4: '# END SOLUTION' is indented differently",
    ),
    ("def f():\n    #BEGIN SOLUTIONS\n    return 1", "line 2: '#BEGIN SOLUTIONS' is not a marker"),
]


@pytest.mark.parametrize(("source", "words"), BROKEN, ids=range(len(BROKEN)))
def test_broken_markers_are_clear_errors(source, words):
    with pytest.raises(MarkerError) as caught:
        find_regions(source, "cell 7")
    assert str(caught.value).startswith(f"cell 7, {words}")


def notebook(*cells):
    """A notebook of (source, tags) cells: markdown when the source starts with '#', else code."""
    nb = nbformat.v4.new_notebook()
    for i, (source, tags) in enumerate(cells):
        new = (
            nbformat.v4.new_markdown_cell if source.startswith("# ") else nbformat.v4.new_code_cell
        )
        cell = new(source)
        cell.id = f"cell-{i}"
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def test_a_notebook_error_names_the_notebook_cell_and_line():
    nb = notebook(("import numpy", []), ("def f():\n    # BEGIN SOLUTION\n    return 1", []))
    with pytest.raises(MarkerError) as caught:
        exercise_notebook(nb, "01_demo", "solutions/01_demo.ipynb")
    expected = "solutions/01_demo.ipynb, cell 1 (id 'cell-1'), line 2: '# BEGIN SOLUTION' is"
    assert str(caught.value).startswith(expected)


def test_a_notebook_without_solutions_is_an_error():
    with pytest.raises(MarkerError, match="no '# BEGIN SOLUTION' region and no cell tagged"):
        exercise_notebook(notebook(("x = 1", [])), "01_demo", "01_demo.ipynb")


def test_exercise_notebook_drops_solution_cells_and_unfolds_stubs():
    solution = notebook(
        ("import numpy as np", []),
        (SOLVED, ["hide-input"]),
        ("print(area(2, 3))", ["solution"]),
    )
    solution.cells[0].outputs = [nbformat.v4.new_output("stream", text="left over")]
    exercise = exercise_notebook(solution, "01_demo")
    assert [c.id for c in exercise.cells] == ["cell-0", "cell-1"]
    assert exercise.cells[0].outputs == [] and "tags" not in exercise.cells[1].metadata
    assert exercise.metadata["byhand"] == {"exercise_set": "01_demo"}
    assert solution.cells[0].outputs, "the solution notebook itself is left unchanged"


def test_main_writes_checks_and_reports_errors(tmp_path, capsys):
    (tmp_path / "solutions").mkdir()
    source = tmp_path / "solutions" / "01_demo.ipynb"
    source.write_text(generate.render(notebook((SOLVED, []))))
    assert generate.main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale (run `make exercises`): exercises/01_demo.ipynb" in capsys.readouterr().out
    assert generate.main(["--root", str(tmp_path)]) == 0
    folded = nbformat.read(source, as_version=4).cells[0].metadata["tags"]
    assert folded == ["hide-input"]
    written = (tmp_path / "exercises" / "01_demo.ipynb").read_text()
    assert generate.main(["--root", str(tmp_path)]) == 0  # nothing left to do ...
    assert (tmp_path / "exercises" / "01_demo.ipynb").read_text() == written  # ... same bytes
    assert generate.main(["--check", "--root", str(tmp_path)]) == 0
    capsys.readouterr()
    source.write_text(generate.render(notebook(("def f():\n    # END SOLUTION", []))))
    assert generate.main(["--check", "--root", str(tmp_path)]) == 2
    assert "01_demo.ipynb, cell 0 (id 'cell-0'), line 2" in capsys.readouterr().err


def test_exercise_cells_are_shown_in_the_exercises_and_removed_from_the_solutions_page():
    solution = notebook(
        ("# Solutions: areas", ["solution"]),
        ("# Exercises: areas", ["exercise"]),
        ("import numpy as np", []),
        (SOLVED, []),
        ("# Before you hand in", ["exercise"]),
    )
    assert generate.tag_solution_notebook(solution, "01_demo.ipynb") is True
    tags = [cell.metadata.get("tags") for cell in solution.cells]
    assert tags == [
        ["solution"],
        ["exercise", "remove-cell"],  # the book's solutions page leaves it out
        None,
        ["hide-input"],  # the book folds the solution
        ["exercise", "remove-cell"],
    ]
    assert generate.tag_solution_notebook(solution, "01_demo.ipynb") is False  # nothing to add
    exercise = exercise_notebook(solution, "01_demo")
    assert [c.id for c in exercise.cells] == ["cell-1", "cell-2", "cell-3", "cell-4"]
    assert all("tags" not in c.metadata for c in exercise.cells)
    assert exercise.cells[0].source == "# Exercises: areas"


def test_a_cell_tagged_for_both_notebooks_is_an_error():
    nb = notebook((SOLVED, []), ("# Both", ["exercise", "solution"]))
    expected = (
        "solutions/01_demo.ipynb, cell 1 (id 'cell-1'): tagged both 'solution' (only in the "
        "solutions) and 'exercise' (only in the exercises); a cell for both has neither tag"
    )
    for make in (generate.tag_solution_notebook, lambda nb, name: exercise_notebook(nb, "x", name)):
        with pytest.raises(MarkerError) as caught:
            make(nb, "solutions/01_demo.ipynb")
        assert str(caught.value) == expected


def test_an_exercise_cell_cannot_hold_a_solution():
    nb = notebook((SOLVED, ["exercise"]))
    with pytest.raises(MarkerError, match="cell 0 .*: a cell tagged 'exercise' is not in the"):
        generate.tag_solution_notebook(nb, "01_demo.ipynb")


def test_check_reports_a_solution_notebook_without_its_book_tags(tmp_path, capsys):
    (tmp_path / "solutions").mkdir()
    source = tmp_path / "solutions" / "01_demo.ipynb"
    nb = notebook(("# Solutions", ["solution"]), ("# Exercises", ["exercise"]), (SOLVED, []))
    generate.tag_solution_notebook(nb)
    source.write_text(generate.render(nb))
    assert generate.main(["--root", str(tmp_path)]) == 0  # writes the exercises
    assert generate.main(["--check", "--root", str(tmp_path)]) == 0
    nb.cells[1].metadata["tags"] = ["exercise"]  # its remove-cell lost in an edit
    source.write_text(generate.render(nb))
    capsys.readouterr()
    assert generate.main(["--check", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().out == "stale (run `make exercises`): solutions/01_demo.ipynb\n"
