"""The search library must stay independent of the web application."""

import ast
from pathlib import Path

import search_index

FORBIDDEN = {"flask", "flask_sqlalchemy", "sqlalchemy", "directory"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_library_modules_never_import_the_app_or_its_frameworks() -> None:
    modules = sorted(Path(search_index.__file__).parent.rglob("*.py"))
    assert len(modules) >= 10
    offenders = {m.name: imported_roots(m) & FORBIDDEN for m in modules}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_checker_detects_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom flask import Flask\nimport sqlalchemy.orm as orm\n")
    assert imported_roots(sample) & FORBIDDEN == {"flask", "sqlalchemy"}
