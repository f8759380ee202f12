"""The engine's import graph, read from its source: acyclic, and free of the web layer and the store."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "app" / "engine"
WEB = ("fastapi", "starlette", "pydantic", "app.store")


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth (a function's own imports count: they run too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from app.engine import training` imports the module app.engine.training
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def engine_graph() -> dict[str, set[str]]:
    modules = {f"app.engine.{p.stem}": p for p in ENGINE.glob("*.py") if p.stem != "__init__"}
    return {name: imports_of(path) & set(modules) - {name} for name, path in modules.items()}


def test_the_engine_import_graph_has_no_cycle():
    graph = engine_graph()
    assert "app.engine.network" in graph and "app.engine.functions" in graph["app.engine.network"]
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_no_engine_module_imports_the_web_layer_or_the_store_or_defines_a_module_getattr():
    for path in ENGINE.glob("*.py"):
        web = sorted(m for m in imports_of(path) if m.split(".")[0] in WEB or m.startswith(WEB))
        assert not web, f"{path.name} imports {web}"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"], path.name
