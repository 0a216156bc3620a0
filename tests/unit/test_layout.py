"""The package rules, read from the source: the core stays free of Rasa and of its adapters, channels never reach
into the action server, and no test imports another test module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package -> top-level modules it must never import
FORBIDDEN = {
    "dealer": {"rasa", "rasa_sdk", "sanic", "actions", "connectors", "nlu_components", "rasa_sdk_plugins", "scripts",
               "testing", "tests"},
    "actions": {"rasa", "sanic", "connectors", "scripts", "testing", "tests"},
    "connectors": {"actions", "rasa_sdk", "scripts", "testing", "tests"},
    "rasa_sdk_plugins": {"rasa", "connectors", "scripts", "testing", "tests"},
    "rasa_policies": {"actions", "connectors", "rasa_sdk", "sanic", "scripts", "testing", "tests"},
    "testing": {"scripts", "tests"},
    "scripts": {"tests"},
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_package_imports_only_what_its_layer_may(package):
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(package)
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FORBIDDEN[package]
    ]
    assert python_files(package) and offences == []


def test_no_test_imports_another_test_module():
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files("tests")
        for module in sorted(imported_modules(path))
        if module.startswith("tests.") and module.rsplit(".", 1)[-1] != "conftest"
    ]
    assert offences == []


def test_scripts_are_entry_points_only():
    """Library code lives in the packages; a script has a main guard and nothing imports it but its tests."""
    scripts = [path for path in python_files("scripts") if path.name != "__init__.py"]
    assert all('if __name__ == "__main__":' in path.read_text(encoding="utf-8") for path in scripts)
    importers = [
        f"{path.relative_to(ROOT)} imports {module}"
        for package in FORBIDDEN if package != "scripts"
        for path in python_files(package)
        for module in imported_modules(path) if module.split(".")[0] == "scripts"
    ]
    assert importers == []
