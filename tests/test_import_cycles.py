"""The plan editor's modules import one another without a cycle (STYLE.md: views vs controllers).

Every import counts: at module level, inside a function, and under ``TYPE_CHECKING``, since a
controller that names the editor's class only for its type hints still depends on the editor.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (``from x import y`` names y when y is a module)."""
    folder = ROOT.joinpath(*package.split("."))
    modules = {f"{package}.{path.stem}" for path in folder.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[f"{package}.{path.stem}"] = (found & modules) - {f"{package}.{path.stem}"}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph as a path (first module repeated at the end), or []."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check itself: a loop through three modules is reported as its path."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_plan_editor_modules_import_no_cycle() -> None:
    """ui/plans: the editor (the view) imports its controllers and chrome; none of them imports it back."""
    graph = _imports("dentaldesk.ui.plans")
    assert "dentaldesk.ui.plans.editor" in graph["dentaldesk.ui.plans.treatments_view"]  # the graph is read
    assert _cycle(graph) == []
