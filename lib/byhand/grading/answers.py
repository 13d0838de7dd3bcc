"""Which of a notebook's functions use a course-library module that implements the answers.

The course library can do what the exercises ask: `byhand.perceptron.Perceptron.fit` trains a
perceptron, `byhand.exercises.cases.finite_differences` computes a gradient. A hidden-test
file names such modules (`ANSWER_MODULES`, see `byhand.grading.hidden`), and the grader gives
no points for a function that uses one of them, directly or through another function or a
variable of the notebook, and says so in the feedback.

The notebook's code is read, never run, here: each code cell is parsed with Python's `ast`
(IPython's `%magics` and `!commands` first turned into Python, as IPython would), and the
names it binds to those modules are followed through the functions that use them. This
catches the ways a student writes an import, not deliberate disguise (a module name built
from strings at run time); the sandbox does not make the modules unimportable.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class _Scan:
    modules: tuple[str, ...]
    allowed: tuple[str, ...]
    aliases: dict = field(default_factory=dict)  # local name -> dotted path it stands for
    tainted: dict = field(default_factory=dict)  # top-level name -> what it uses
    functions: dict = field(default_factory=dict)  # function name -> its def node

    def answer(self, dotted):
        """`dotted` if it lies in an answer module and is not allowed, else None."""
        if dotted is None or any(_within(dotted, a) or _within(a, dotted) for a in self.allowed):
            return None
        # `import byhand` alone names no answer yet: byhand.perceptron under it does.
        return dotted if any(_within(dotted, m) for m in self.modules) else None


def _within(dotted, module):
    return dotted == module or dotted.startswith(module + ".")


def _dotted(node, aliases):
    """The dotted path an expression `a.b.c` stands for, when `a` is an imported name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id], *reversed(parts)])
    return None


def _imported_by_string(node):
    """The module of `__import__("m")` or `importlib.import_module("m")` with a constant name."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
        return None
    callee = node.func
    name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
    if name in ("__import__", "import_module") and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _bind_imports(node, aliases):
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                aliases[alias.asname] = alias.name
            else:  # `import a.b.c` binds `a`, through which a.b.c is reached
                top = alias.name.split(".")[0]
                aliases[top] = top
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for alias in node.names:
            aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _uses(node, scan, own=None):
    """What the code under `node` uses of the answer modules (dotted paths, names)."""
    found = []
    aliases = dict(scan.aliases)
    inner = set()  # the `a.b` of each `a.b.c`: only the whole chain is looked up
    local = {own}  # a function's own names hide the notebook's: its arguments, its variables
    for sub in ast.walk(node):
        _bind_imports(sub, aliases)  # imports inside a function count too
        if isinstance(sub, ast.Attribute):
            inner.add(id(sub.value))
        elif isinstance(sub, ast.arg) or (
            isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store)
        ):
            local.add(getattr(sub, "arg", None) or sub.id)
    for sub in ast.walk(node):
        if id(sub) in inner:
            continue
        what = None
        if isinstance(sub, ast.Import | ast.ImportFrom):
            local = {}
            _bind_imports(sub, local)
            what = next((scan.answer(path) for path in local.values() if scan.answer(path)), None)
        elif isinstance(sub, ast.Attribute | ast.Name) and isinstance(sub.ctx, ast.Load):
            what = scan.answer(_dotted(sub, aliases))
            base = sub
            while isinstance(base, ast.Attribute):
                base = base.value
            if what is None and isinstance(base, ast.Name) and base.id not in local:
                what = scan.tainted.get(base.id)  # `unit.fit(...)`, unit made from a module
        elif isinstance(sub, ast.Call):
            what = scan.answer(_imported_by_string(sub))
        if what and what not in found:
            found.append(what)
    return found


def answer_uses(sources, modules, allowed=()):
    """{function name: [what it uses]} for the notebook's functions that use answer modules.

    `sources` are the code cells' texts, in order; `modules` the dotted names of the answer
    modules; `allowed` the dotted names that stay allowed inside them (a set's own `check`).
    A function counts when its body uses such a module, an object made from one at the top
    level of the notebook (`unit = Perceptron(...)`), or another function that counts.
    """
    scan = _Scan(tuple(modules), tuple(allowed))
    if not scan.modules:
        return {}
    for source in sources:
        tree = _parse(source)
        if tree is None:
            continue
        for node in tree.body:
            _bind_imports(node, scan.aliases)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                scan.functions[node.name] = node
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                used = _uses(node.value, scan) if node.value is not None else []
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name) and used:
                            scan.tainted[name.id] = used[0]
    uses = {}
    changed = True
    while changed:  # until no function is added: a function that calls one that counts
        changed = False
        for name, node in scan.functions.items():
            found = _uses(node, scan, own=name)
            if found and uses.get(name) != found:
                uses[name] = found
                scan.tainted[name] = found[0]
                changed = True
    return uses


def _parse(source):
    """The cell's syntax tree, magics turned into Python first; None if it cannot be read."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001  (IPython missing or confused: read the text as it is)
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
