"""The codebase's own walls: every module of the package sits in a layer that lint-imports checks,
and no module grows past about 400 lines without saying why at its top."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"


def _modules() -> set[str]:
    """Top-level modules and subpackages of assistant/, as dotted names."""
    names = {f"assistant.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return names | {f"assistant.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}


def test_every_module_sits_in_a_layer_of_the_import_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    named = {m.strip() for layer in layers for part in layer.split("|") for m in part.split(":")}
    assert _modules() - named == set(), "add the new module to the layers in pyproject.toml"
    assert named - _modules() == set(), "a layer names a module that no longer exists"


def test_no_module_over_400_lines_without_a_reason_at_its_top() -> None:
    long = []
    for path in sorted([*PACKAGE.rglob("*.py"), ROOT / "app.py"]):
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > 410 and "400 lines" not in doc:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []
