"""The engine's shape: core modules stay NumPy-only, so the engine runs without a screen."""

import pkgutil
import subprocess
import sys

import pytest

import byhand

# Modules that exist to draw, to make widgets or to do algebra may import those libraries.
PRESENTATION = {"plots", "widgets", "symbolic"}
CORE = sorted(m.name for m in pkgutil.iter_modules(byhand.__path__) if m.name not in PRESENTATION)
HEAVY = ("matplotlib", "ipywidgets", "sympy", "IPython", "pandas", "networkx")


def test_the_core_is_what_we_think_it_is():
    for name in ("layers", "model", "training", "losses", "optimizers", "callbacks"):
        assert name in CORE


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_plotting_widget_or_algebra_library(module):
    probe = f"import sys, byhand.{module}; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"byhand.{module} pulls in {out.stdout.strip()}"
