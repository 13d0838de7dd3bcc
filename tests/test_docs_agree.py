"""The documents say what the code does: the stages of `make test`, the parts of a graded set.

A reader who follows the README or the grading guide should never find a stage or a part that
the Makefile or the guide's own table does not have.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()
README = (ROOT / "README.md").read_text()
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def make_test_stages():
    """The stages of `make test`, from its rule, named as the documents name them."""
    (prerequisites,) = re.findall(r"^test: (.*)$", MAKEFILE, flags=re.MULTILINE)
    return [{"book-test": "book"}.get(stage, stage) for stage in prerequisites.split()]


def test_the_readme_lists_every_stage_of_make_test_in_order():
    section = README.split("## What `make test` checks")[1].split("\n## ")[0]
    listed = re.findall(r"^\d+\. \*\*([\w-]+)\*\*", section, flags=re.MULTILINE)
    assert listed == make_test_stages()
    (start,) = re.findall(r"make test +# .*every test: (.*)", README)
    assert start.split(", ") == make_test_stages()


def test_the_makefile_names_every_stage_it_runs():
    stages = ", ".join(make_test_stages())
    assert f"#                {stages}\n" in MAKEFILE, "the Makefile's header lists the stages"
    (done,) = re.findall(r'"All test stages passed: (.*)\."', MAKEFILE)
    assert done.replace("book build", "book") == stages


def test_the_grading_guide_counts_the_parts_of_a_set_it_lists():
    guide = (ROOT / "docs" / "grading.md").read_text()
    (count, places) = re.findall(r"has (\w+) parts, kept in (\w+) places:", guide)[0]
    table = guide.split("kept in")[1].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("|")][2:]  # no header
    assert NUMBERS[count] == NUMBERS[places] == len(rows) == 4
