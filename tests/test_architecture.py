"""Tests of the house rules a reader of the import graph checks: a library first (no Streamlit
outside planner/ui), no import circle, modules of one concept (about 450 lines at most), and
share pages that cannot reach an editor."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "planner"
MAX_LINES = 460
EDITORS = {"planner.ui.editors", "planner.ui.grid", "planner.ui.settings", "planner.ui.save_bar"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """Modules a file imports; with `top_level_only`, only those imported when it is loaded
    (not inside a function or under TYPE_CHECKING). `from planner import memo` is planner.memo."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    modules = _modules()
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            subs = {f"{node.module}.{alias.name}" for alias in node.names} & modules.keys()
            found |= subs or {node.module}
    return found


def _graph(top_level_only: bool) -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for target in _imports(path, top_level_only):
            if target in modules and target != name:
                graph.add_edge(name, target)
    return graph


def test_streamlit_only_in_the_ui():
    """Tests that planner/ is a library: only planner/ui imports Streamlit."""
    offenders = [
        name
        for name, path in _modules().items()
        if not name.startswith("planner.ui")
        and any(m == "streamlit" or m.startswith("streamlit.") for m in _imports(path, top_level_only=False))
    ]
    assert offenders == []


def test_no_import_circle():
    """Tests that no two planner modules import each other, directly or around a circle."""
    cycles = list(nx.simple_cycles(_graph(top_level_only=True)))
    assert cycles == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_module_size(name):
    """Tests that each module stays one concept: about 450 lines at most."""
    lines = _modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_share_page_reaches_no_editor():
    """Tests that a share page (read-only, no account) cannot import an editor module."""
    reach = nx.descendants(_graph(top_level_only=False), "planner.ui.share_page")
    assert not reach & EDITORS, sorted(reach & EDITORS)
    assert "planner.ui.views" in reach
