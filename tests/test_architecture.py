"""Tests of the house rules a reader of the import graph checks: a library first (no Streamlit
outside planner/ui), no import circle (imports inside functions count), no module reaching into
another's private names, a few subpackages with a short top level, modules of one concept (about
450 lines at most), no process-wide state, and share pages that cannot reach an editor."""

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


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (names for the type checker alone)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return [node for node in ast.walk(tree) if id(node) not in skip]


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    """Modules a file imports when it runs, wherever the import stands (a function's imports
    too); with `top_level_only`, only those imported when it is loaded. `from planner.cli import
    common` is planner.cli.common."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else _runtime_nodes(tree)
    modules = _modules()
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            subs = {f"{node.module}.{alias.name}" for alias in node.names} & modules.keys()
            found |= subs or {node.module}
    return found


def _graph(top_level_only: bool = False) -> nx.DiGraph:
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
    """Tests that no two planner modules import each other, directly or around a circle, counting
    the imports inside functions (a circle hidden in a function is still a circle)."""
    cycles = list(nx.simple_cycles(_graph(top_level_only=False)))
    assert cycles == []


def test_no_module_uses_another_modules_private_names():
    """Tests that no module imports or calls a leading-underscore name of another planner module."""
    modules = _modules()
    offenders = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("planner"):
                for alias in node.names:
                    if alias.name.startswith("_"):
                        offenders.append(f"{name} imports {node.module}.{alias.name}")
                    elif f"{node.module}.{alias.name}" in modules:
                        aliases.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                aliases |= {a.asname or a.name for a in node.names if a.name.startswith("planner")}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = ast.unparse(node.value)
                if owner in aliases:
                    offenders.append(f"{name} uses {owner}.{node.attr}")
    assert offenders == []


def test_the_package_shows_its_architecture():
    """Tests that planner/ is a few subpackages of one concept each with a short top level, and
    that no package's __init__ does more than name its parts (no module-class tricks)."""
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert len(top) <= 12, top
    assert {"core", "risk", "levelling", "store", "cli", "charts", "formats", "ui"} <= set(packages)
    for init in PACKAGE.rglob("__init__.py"):
        assert "__class__" not in init.read_text(encoding="utf-8"), init


def test_no_process_wide_state_tricks():
    """Tests that the library keeps no cache keyed by object id, never switches off the garbage
    collector, and patches no dependency (no assignment to another module's attribute)."""
    offenders = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.asname or alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        for node in ast.walk(tree):
            text = ast.unparse(node) if isinstance(node, ast.Call | ast.Assign | ast.Subscript) else ""
            if isinstance(node, ast.Call) and text.startswith(("gc.disable", "gc.freeze")):
                offenders.append(f"{name}: {text}")
            if isinstance(node, ast.Subscript) and ast.unparse(node.slice).startswith("id("):
                offenders.append(f"{name}: {text}")
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in imported
                    ):
                        offenders.append(f"{name}: {text}")
    assert offenders == []


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
