"""Text a submission can shape, made safe for every file and screen the grader writes to.

Error messages, notes, the tests' failure messages and file names come from a student's
notebook, so they may hold anything: terminal escape sequences that clear a screen or set a
window's title, a carriage return that starts a new line in Markdown, a right-to-left
override that reverses what follows, Markdown that draws a score, a leading "=" that a
spreadsheet runs as a formula, or megabytes of text. Every writer of the grader's outputs
(scores.csv, feedback/*.md, reports/*.json, the progress bar, the summary line, Gradescope's
results.json) passes such text through these functions, and only these:

    text(s, limit)          several lines: escape sequences and control characters removed,
                            every line break made "\\n", cut to `limit` characters and
                            MAX_LINES lines, saying how much was cut
    line(s, limit)          the same on one line (line breaks and tabs become spaces)
    name(s)                 a file's or submission's name: each unsafe character written as
                            an escape (\\x1b, \\u202e), so that different names stay apart
    notes(list)             at most MAX_NOTES notes, each cut to NOTE_CHARS, then "... more"
    csv_cell(s)             one line, with a leading = + - @ made text by a quote
    code_span(s)            Markdown that shows one line literally, whatever it holds
    fenced(s, indent)       Markdown that shows several lines literally, whatever they hold
    file_stem(relative)     a short, safe and stable file name for a submission's outputs

Each function gives the same text when applied twice, so a writer may clean again what a
report already holds.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import PurePath

MESSAGE_CHARS = 3000  # one test's failure message
NOTE_CHARS = 1000  # one note on running the notebook
MAX_NOTES = 20  # notes kept per submission, the last saying how many more there were
MAX_LINES = 40  # lines kept of one message or note
STEM_BYTES = 120  # a file stem's length in bytes (file names may have 255)
HASH_CHARS = 12  # hexadecimal digits of the path's hash added to a changed or cut stem

# CR LF, a lone CR and the characters Unicode counts as line breaks all end a line.
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# ANSI escape sequences, removed whole: CSI (colours, cursor moves, clearing the screen),
# OSC, DCS, SOS, PM and APC when terminated (window titles, hyperlinks), and the two- and
# three-character ones. A stray ESC left over goes with the control characters below.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)"
    r"|\x1b[ -/]*[0-~]"
)
# Control characters (C0 but newline and tab, DEL, C1) and the invisible format characters
# that reorder or hide text: bidirectional embeddings, overrides and isolates, marks,
# zero-width spaces and joiners of words, the byte-order mark, interlinear annotations and
# tag characters. ZWJ and ZWNJ (U+200C, U+200D), which some scripts need, stay.
_INVISIBLE = (
    "\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
)
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_SURROGATES = re.compile("[\ud800-\udfff]")  # half a character: not writable as UTF-8
# What name() writes as an escape: the controls, invisible characters, line breaks and
# halves of characters above.
_UNSAFE_IN_NAMES = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}\u2028\u2029\ud800-\udfff]")
# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP's list,
# and the full-width forms some programs read alike), even after spaces or controls.
_FORMULA_START = tuple("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# What a file stem keeps: letters and digits of any script, _ - . ( ) and spaces.
_UNSAFE_IN_STEMS = re.compile(r"[^\w\-. ()]")


def _strip(value):
    """`value` as text with its line breaks made \\n and no escape sequence or control."""
    value = _BREAKS.sub("\n", str(value))
    value = _ESCAPES.sub("", value)
    value = _CONTROLS.sub("", value)
    return _SURROGATES.sub("?", value)


def _cut(value, limit, beyond=0):
    """`value` cut to `limit` characters, saying how many were cut (`beyond` more before)."""
    if limit is None or not (beyond or len(value) > limit):
        return value
    room = limit - len(f" … ({beyond + len(value):,} more characters)")  # digits at most
    if room < limit // 2:  # a short label: a bare ellipsis says enough
        return value[: limit - 1].rstrip() + "…"
    kept = value[:room].rstrip()
    return f"{kept} … ({beyond + len(value) - len(kept):,} more characters)"


def text(value, limit=MESSAGE_CHARS, max_lines=MAX_LINES):
    """`value` safe to show on several lines, and at most `limit` characters and `max_lines`
    lines long (None: no limit); what is cut is counted at the end."""
    value, beyond = str(value), 0
    if limit is not None and len(value) > 4 * limit:  # do not clean megabytes to keep a page
        beyond, value = len(value) - 4 * limit, value[: 4 * limit]
    value = _strip(value)
    if max_lines is not None and value.count("\n") >= max_lines:
        kept = "\n".join(value.split("\n")[:max_lines])
        beyond, value = beyond + len(value) - len(kept), kept
        if limit is None:
            return f"{value.rstrip()} … ({beyond:,} more characters)"
    return _cut(value, limit, beyond)


def line(value, limit=NOTE_CHARS):
    """`value` safe to show on one line, and at most `limit` characters long (None: any)."""
    value, beyond = str(value), 0
    if limit is not None and len(value) > 4 * limit:
        beyond, value = len(value) - 4 * limit, value[: 4 * limit]
    value = _strip(value).replace("\n", " ").replace("\t", " ")
    return _cut(value, limit, beyond)


def name(value):
    """A name as it may be shown: every unsafe character written as a Python escape.

    Unlike text(), nothing is removed, so two different names stay different (a name can
    be written as an escape already, such as a file called `\\x1b`; grade_folder refuses
    names that would then be shown alike).
    """

    def escape(match):
        code = ord(match.group())
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    return _UNSAFE_IN_NAMES.sub(escape, str(value))


def notes(values):
    """At most MAX_NOTES notes, each safe and cut to NOTE_CHARS; the last of them says how
    many more there were."""
    values = list(values)
    if len(values) > MAX_NOTES:
        more = len(values) - (MAX_NOTES - 1)
        values = values[: MAX_NOTES - 1] + [f"… and {more:,} more notes like these"]
    return [text(value, NOTE_CHARS) for value in values]


def csv_cell(value):
    """One cell of scores.csv: safe, on one line, and never read as a formula.

    A cell that starts with = + - @ (or a tab, a carriage return...) gets a leading single
    quote, as OWASP advises against CSV injection; a plain number (-1.5) stays a number.
    """
    value = line(value, None)
    if value.lstrip(" ").startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    return value


def _longest_run(value, char="`"):
    runs = re.findall(f"{re.escape(char)}+", value)
    return max((len(run) for run in runs), default=0)


def code_span(value, limit=200):
    """Markdown showing `value` on one line, literally: an inline code span whose backtick
    fence is longer than any run of backticks inside it."""
    value = line(value, limit) or " "
    fence = "`" * (_longest_run(value) + 1)
    pad = " " if value[0] in "` " or value[-1] in "` " else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def fenced(value, indent="", limit=MESSAGE_CHARS, max_lines=MAX_LINES):
    """Markdown showing `value` literally: a fenced code block, each line indented by
    `indent` (two spaces inside a list item), whose fence no line of `value` can close."""
    value = text(value, limit, max_lines)
    fence = "`" * max(3, _longest_run(value) + 1)
    body = [f"{indent}{row}".rstrip() for row in value.split("\n")]
    return "\n".join([f"{indent}{fence}text", *body, f"{indent}{fence}"])


def file_stem(relative):
    """The stem of a submission's output files, from its path relative to the folder.

    The path without `.ipynb`, its parts joined by "__" (`alice/01.ipynb` gives `alice__01`),
    when that is a safe file name of at most STEM_BYTES bytes. Otherwise the characters
    that are not letters, digits, `_ - . ( )` or spaces become `_`, the stem is cut, and a
    hash of the whole path is added (`_1_2-3f9a0c1b2d4e` for `=1+2.ipynb`): short, unique
    and the same on every run, so a batch can resume.
    """
    relative = PurePath(relative)
    joined = "__".join(relative.with_suffix("").parts) if relative.suffix == ".ipynb" \
        else "__".join(relative.parts)  # fmt: skip
    stem = _UNSAFE_IN_STEMS.sub("_", joined).strip(" .")
    if stem.startswith("-"):  # not an option to the commands that will read it
        stem = "_" + stem[1:]
    if stem == joined and stem and len(stem.encode("utf-8")) <= STEM_BYTES:
        return stem
    digest = hashlib.sha256(os.fsencode(relative.as_posix())).hexdigest()[:HASH_CHARS]
    room = STEM_BYTES - HASH_CHARS - 1
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
    return f"{cut}-{digest}" if cut else digest
