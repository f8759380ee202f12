"""The layering rules of docs/architecture.md, read from the source: routes never import the engine, and only
app/config.py reads the environment (app/__init__.py sets BLAS's thread variables before numpy loads)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_no_route_imports_the_engine() -> None:
    routes = _modules(APP / "routes")
    assert len(routes) > 5
    offenders = {str(path.relative_to(APP)): name for path in routes
                 for name in _imports(ast.parse(path.read_text())) if name == "app.engine"
                 or name.startswith("app.engine.")}
    assert offenders == {}


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb", "putenv"):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                alias.name in ("environ", "getenv", "environb") for alias in node.names):
            return True
    return False


def test_only_the_settings_read_the_environment() -> None:
    readers = {str(path.relative_to(APP)) for path in _modules(APP) if _reads_environment(ast.parse(path.read_text()))}
    assert readers == {"config.py", "__init__.py"}


def test_the_scan_finds_what_it_looks_for() -> None:
    assert _reads_environment(ast.parse("import os\nx = os.environ.get('A')"))
    assert _reads_environment(ast.parse("from os import getenv"))
    assert not _reads_environment(ast.parse("import os\nx = os.getpid()"))
    assert "app.engine.functions" in _imports(ast.parse("from app.engine import functions"))
