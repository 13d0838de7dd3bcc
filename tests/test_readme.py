"""The README's example must run as printed and do what it promises."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_engine_example_runs_and_learns_the_digits():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1, "expected one Python example in the README"
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    loss, accuracy = namespace["model"].evaluate(namespace["X_test"], namespace["y_test"])
    assert accuracy > 0.93, accuracy
    assert "val_loss" in namespace["history"].history
