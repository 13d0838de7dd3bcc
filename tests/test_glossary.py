"""The glossary and the links to it: every entry linked, every link to an entry, no duplicates.

docs/glossary.md holds one Sphinx `glossary` directive. A chapter that defines a term links its
defining mention to the entry with a MyST role, {term}`gradient descent` or
{term}`learning rates <learning rate>`. Sphinx warns about a link to a missing entry only when
the book is built, and says nothing about an entry that no page links to; this test checks both,
and duplicate entries, in a fraction of a second.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"

# ```{glossary} ... ``` (or ::: fences): the body of the directive.
DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{glossary\}[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
# {term}`text <target>` or {term}`target`.
TERM_ROLE = re.compile(r"\{term\}`(?:[^`<]*<([^>`]+)>|([^`]+))`")


def glossary_terms(text):
    """The terms of every glossary directive in `text`, in order, duplicates kept.

    A term is a line inside the directive that starts in column 0 and is not an option line
    (":sorted:"); its definition follows, indented. Several term lines in a row name the same
    entry; each counts as a term.
    """
    terms = []
    for match in DIRECTIVE.finditer(text):
        for line in match.group(2).splitlines():
            if line.strip() and not line[0].isspace() and not line.startswith(":"):
                terms.append(line.strip())
    return terms


def term_links(text):
    """The target of every {term} role in `text`, as written."""
    return [(a or b).strip() for a, b in TERM_ROLE.findall(text)]


def problems(terms, links):
    """Messages for duplicate entries, links to no entry and entries nothing links to.

    `terms` is the list of entries; `links` maps a page name to the targets of its {term}
    roles. Sphinx matches terms without regard to case, and so does this check.
    """
    found = []
    counts = Counter(term.lower() for term in terms)
    found += [f"duplicate glossary entry: {term!r}" for term, n in counts.items() if n > 1]
    known = set(counts)
    linked = set()
    for page, targets in links.items():
        for target in targets:
            linked.add(target.lower())
            if target.lower() not in known:
                found.append(f"{page}: {{term}}`{target}` names no glossary entry")
    found += [
        f"glossary entry {term!r} has no {{term}} link from any page"
        for term in terms
        if term.lower() not in linked
    ]
    return found


def pages():
    """Every page a reader can reach that may link to the glossary."""
    found = [ROOT / "intro.md"]
    for folder in ("chapters", "exercises", "solutions", "docs"):
        found += sorted((ROOT / folder).glob("*.ipynb")) + sorted((ROOT / folder).glob("*.md"))
    return [path for path in found if path.exists()]


def markdown_of(path):
    """The Markdown of a page: the markdown cells of a notebook, or the whole .md file."""
    if path.suffix == ".md":
        return path.read_text()
    nb = nbformat.read(path, as_version=4)
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_the_glossary_has_entries():
    terms = glossary_terms(GLOSSARY.read_text())
    assert len(terms) >= 20, f"docs/glossary.md: only {len(terms)} entries found: {terms}"


def test_every_entry_is_linked_every_link_resolves_and_no_entry_is_repeated():
    terms = glossary_terms(GLOSSARY.read_text())
    links = {str(path.relative_to(ROOT)): term_links(markdown_of(path)) for path in pages()}
    found = problems(terms, links)
    assert not found, "\n".join(found)


FAKE_GLOSSARY = """# Glossary

```{glossary}
:sorted:

gradient
   The vector of partial derivatives. Defined somewhere.

learning rate
   The step size.

Softmax
   Logits to probabilities.

gradient
   Defined twice.

orphan
   Nothing links here.
```

A {term}`link outside the directive` is not an entry.
"""


def test_the_parser_reads_terms_and_links():
    assert glossary_terms(FAKE_GLOSSARY) == [
        "gradient",
        "learning rate",
        "Softmax",
        "gradient",
        "orphan",
    ]
    text = "Use {term}`learning rates <learning rate>` and {term}`gradient`, not `gradient`."
    assert term_links(text) == ["learning rate", "gradient"]
    assert term_links("{term}`Gradient descent\n<gradient descent>`") == ["gradient descent"]


def test_each_check_can_fail():
    terms = glossary_terms(FAKE_GLOSSARY)
    links = {
        "chapters/a.ipynb": ["gradient", "learning rate"],
        "chapters/b.ipynb": ["softmax", "missing term"],
    }
    found = problems(terms, links)
    assert found == [
        "duplicate glossary entry: 'gradient'",
        "chapters/b.ipynb: {term}`missing term` names no glossary entry",
        "glossary entry 'orphan' has no {term} link from any page",
    ], found
    # The same glossary without the duplicate and the orphan, and without the broken link, passes;
    # "softmax" matches the entry "Softmax" (Sphinx ignores case).
    fixed = [term for term in dict.fromkeys(terms) if term != "orphan"]
    assert problems(fixed, {"a": ["gradient", "learning rate", "softmax"]}) == []
