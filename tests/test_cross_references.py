"""Mentions of chapters in the book: each one a link that the build checks, none ahead of time.

A reader who meets "Chapter 4 derives it" should be able to click through to Chapter 4, and a
book that promises a chapter it does not have yet misleads. So every "Chapter N" in the prose
of a page in the table of contents must sit inside a link to chapter N: a MyST `{doc}` role or
a Markdown link to the chapter's notebook, which `jupyter-book build -n -W` fails on when the
target does not resolve. A chapter that is not written yet (no `chapters/NN_*.ipynb`) may not
be mentioned by number at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

# "Chapter 4", "Chapters 4 and 8", "Chapters 2, 3 and 7": every number is a mention.
MENTION = re.compile(r"\bChapters?\s+\d+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*[-–]\s*)\d+)*")
NUMBER = re.compile(r"\d+")
# {doc}`text <target>`, {doc}`target`, and [text](target): the span and where it points.
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<([^>`]+)>|([^`]+))`")
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def toc_pages():
    """Every page of the book, as paths relative to the root (from _toc.yml)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    pages = []
    for name in files:
        matches = [ROOT / f"{name}{suffix}" for suffix in (".ipynb", ".md")]
        pages += [path for path in matches if path.exists()]
    return pages


def chapter_files():
    """{chapter number: path relative to the root, without suffix} of the written chapters."""
    found = {}
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        found[int(path.name[:2])] = path.with_suffix("").relative_to(ROOT).as_posix()
    return found


def prose(path):
    """The Markdown a page shows: a notebook's markdown cells, or the whole .md file."""
    if path.suffix == ".md":
        return [path.read_text()]
    nb = nbformat.read(path, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def link_spans(text, page):
    """(start, end, target) of every link in `text`, the target relative to the root."""
    spans = []
    for pattern in (DOC_ROLE, MD_LINK):
        for match in pattern.finditer(text):
            target = next(group for group in match.groups() if group)
            target = target.strip().split("#")[0]
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = (page.parent / target).resolve().relative_to(ROOT).as_posix()
            resolved = re.sub(r"\.(ipynb|md)$", "", resolved)
            spans.append((match.start(), match.end(), resolved))
    return spans


def unlinked(text, page, chapters):
    """(number, offset, "not written yet" or "not a link") for each mention that is wrong."""
    spans = link_spans(text, page)
    found = []
    for mention in MENTION.finditer(text):
        for number in NUMBER.finditer(mention.group()):
            n, at = int(number.group()), mention.start() + number.start()
            if n not in chapters:
                found.append((n, at, "not written yet"))
            elif not any(s <= at < e and t == chapters[n] for s, e, t in spans):
                found.append((n, at, "not a link"))
    return found


PAGES = toc_pages()


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_mention_of_a_chapter_is_a_link_to_a_written_chapter(page):
    chapters = chapter_files()
    problems = [
        f"{page.relative_to(ROOT)}: {text[max(at - 30, 0) : at + 30]!r}: Chapter {n} is {why}"
        + (f" to {chapters[n]}" if n in chapters else "")
        for text in prose(page)
        for n, at, why in unlinked(text, page, chapters)
    ]
    assert not problems, "\n".join(problems)


def test_the_rule_itself():
    """Plain, ahead-of-time and mis-targeted mentions are caught; links to chapters pass."""
    chapters = {0: "chapters/00_introduction", 1: "chapters/01_perceptron"}
    page = ROOT / "chapters" / "00_introduction.ipynb"
    cases = {
        "As Chapter 1 shows.": ["not a link"],
        "Chapter 3 studies activations.": ["not written yet"],
        "Chapters 4 and 8 explain it.": ["not written yet", "not written yet"],
        "Chapters 1, 3 or 5.": ["not a link", "not written yet", "not written yet"],
        "See {doc}`Chapter 1 <01_perceptron>`.": [],
        "See [Chapter 1](01_perceptron.ipynb).": [],
        "See [Chapter 1](../chapters/01_perceptron.ipynb).": [],
        "See [Chapter 1](00_introduction.ipynb).": ["not a link"],
        "See {doc}`Chapter 0 <00_introduction>` and {doc}`Chapter 1 <01_perceptron>`.": [],
        "A later chapter on activation functions.": [],
    }
    for text, expected in cases.items():
        assert [why for _, _, why in unlinked(text, page, chapters)] == expected, text
