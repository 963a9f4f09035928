"""docs/SECURITY.md names the test behind each requirement: every one it names must exist."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
    }


def test_every_test_named_in_security_md_exists():
    doc = (ROOT / "docs" / "SECURITY.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", doc)
    assert len(named) >= 40
    missing = []
    for file, test in named:
        path = ROOT / file
        if not path.exists():
            missing.append(file)
        elif test and test not in _tests_in(path):
            missing.append(f"{file}::{test}")
    assert missing == []
