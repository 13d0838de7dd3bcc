"""Which exercise set a submitted notebook answers, and which student handed it in.

Nothing is run to find out: the notebook's JSON is read as data, and the names of its file
and folders as text. Every name is untrusted (a student chooses it, and so does an LMS's
export), so what this module returns is only ever shown through `safetext`.

The set of a notebook, the first rule that names one deciding:

1. its content: the set in its metadata (`{"byhand": {"exercise_set": "NN_topic"}}`, which
   every exercise notebook carries) and the set of each module its code cells import
   `check` from (`from byhand.exercises.perceptron import check` is set 01_perceptron).
   Naming exactly one set decides; naming several leaves the choice to the names below,
   among those sets only.
2. its names, in order: the set's folder (in the layout "sets"), then the rest of its path
   (sub-folders and file name). A name names a set when its words hold the set's two-digit
   number (`02`) or its topic (`calculus`, `batch normalization`): `Exercises 02 calculus
   (1).ipynb` names 02_calculus. The first name that names any set decides, and a name
   naming two sets is ambiguous: the notebook is not graded, and the reason is given.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath

from byhand.grading import safetext

LAYOUTS = ("students", "sets")
# `from byhand.exercises.<module> import ...` or `import byhand.exercises.<module>`.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+byhand\.exercises\.(\w+)[ \t]+import\b"
    r"|import[ \t]+byhand\.exercises\.(\w+))",
    re.MULTILINE,
)
# Moodle's folder per submission: "Full Name_12345_assignsubmission_file_".
_MOODLE = re.compile(r"_assignsubmission_\w*$")


class LayoutError(ValueError):
    """The class folder's layout cannot be told from its folders' names."""


def course_sets():
    """{check module's short name: set name} for the course's sets (byhand.exercises.SETS)."""
    from byhand.exercises import SETS

    return {module.__name__.rsplit(".", 1)[-1]: name for name, module in SETS.items()}


def _words(text):
    """`text` as its lower-case words of letters and digits, space-separated, spaces around."""
    return " " + " ".join(re.findall(r"[^\W_]+", str(text).casefold())) + " "


def sets_in_name(text, sets):
    """The sets of `sets` (names NN_topic) that `text` names by number or topic, in order."""
    words = _words(text)
    named = []
    for name in sets:
        number, _, topic = name.partition("_")
        by_number = number.isdigit() and f" {number} " in words
        by_topic = bool(topic) and _words(topic) in words
        if by_number or by_topic:
            named.append(name)
    return named


def sets_in_content(data, sets):
    """The sets of `sets` that a notebook's bytes name in its metadata or check imports.

    Empty when the notebook names none, or is not a notebook that can be read.
    """
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError):
        return []
    if not isinstance(notebook, dict):
        return []
    found = set()
    metadata = notebook.get("metadata")
    own = metadata.get("byhand") if isinstance(metadata, dict) else None
    if isinstance(own, dict) and own.get("exercise_set") in sets:
        found.add(own["exercise_set"])
    modules = course_sets()
    cells = notebook.get("cells")
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        for match in _IMPORT.finditer(source):
            name = modules.get(match.group(1) or match.group(2))
            if name in sets:
                found.add(name)
    return sorted(found)


def set_of(data, places, sets):
    """(set, how it was known, problem) for a notebook's bytes and its `places`.

    `places` are (label, text) pairs, the names to read after the content, in order, such
    as ("folder name", "01_perceptron"). The set is None when no rule names exactly one;
    the problem then says why, in words meant for the instructor.
    """
    named = sets_in_content(data, sets)
    if len(named) == 1:
        return named[0], "content", ""
    for label, text in places:
        found = sets_in_name(text, named or sets)
        if len(found) == 1:
            return found[0], label, ""
        if found:
            return None, "", f"its {label} names several sets ({', '.join(found)})"
    if named:
        return None, "", f"its content names several sets ({', '.join(named)})"
    return None, "", "neither its content nor its name says which set it is"


def student_of(parts, layout, sets):
    """The student (raw text, untrusted) of a notebook at `parts` of the class folder, or None.

    Layout "students": the top folder. Layout "sets": inside the set's folder, a sub-folder
    (Moodle's `Name_12345_assignsubmission_file_` loses its `_assignsubmission_...`), or
    else the file name up to its first `_`, with the number that follows when it has at
    least three digits (Canvas's `name_12345_678_file.ipynb` gives `name_12345`, a late one
    `name_LATE_12345_...` too). A name that is empty or names a set is no student's.
    """
    if layout == "students":
        return parts[0] if len(parts) > 1 else None
    if len(parts) > 2:
        student = _MOODLE.sub("", parts[1]).strip()
    elif len(parts) == 2:
        tokens = PurePath(parts[1]).stem.split("_")
        student, rest = tokens[0].strip(), tokens[1:]
        if rest and rest[0].upper() == "LATE":
            rest = rest[1:]
        if student and rest and rest[0].isdecimal() and len(rest[0]) >= 3:
            student = f"{student}_{rest[0]}"
    else:
        return None
    if not student or sets_in_name(student, sets):
        return None
    return student


def detect_layout(tops, sets):
    """The layout told from the top folders that hold notebooks (`tops`, their names).

    "sets" when each of them names one set, "students" when none does, and a LayoutError
    when some do and some do not.
    """
    setlike = sorted(top for top in tops if len(sets_in_name(top, sets)) == 1)
    if tops and len(setlike) == len(tops):
        return "sets"
    if not setlike:
        return "students"
    others = sorted(set(tops) - set(setlike))
    listed = ", ".join(safetext.line(safetext.name(top), 80) for top in setlike[:5])
    rest = ", ".join(safetext.line(safetext.name(top), 80) for top in others[:5])
    raise LayoutError(
        f"cannot tell the layout: some top folders are named like exercise sets ({listed}) "
        f"and some are not ({rest}); pass --layout sets or --layout students"
    )
