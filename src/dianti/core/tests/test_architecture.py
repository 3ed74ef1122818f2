"""The house drawn from its imports: no cycle between modules, and (once the registry lands) no arrow from core to an app.

The graph is read from source with `ast`, not by importing, so a function-local import counts as much as one at
the top of a module: a cycle that only closes at call time is still a tangle a reader has to hold in their head.
"""

from __future__ import annotations

import ast
from collections import deque
from functools import cache
from pathlib import Path

PACKAGE = "dianti"
ROOT = Path(__file__).resolve().parents[2]  # src/dianti
SKIPPED_PARTS = frozenset({"tests", "migrations"})
SKIPPED_PACKAGES = (f"{PACKAGE}.bench",)  # benchmarks may reach anywhere; they are not part of the product
# Top-level packages that are not a step of the cycle (an "app" in the second test).
NOT_APPS = frozenset({"core", "testing", "bench", "locale"})


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_skipped(path: Path) -> bool:
    rel = path.relative_to(ROOT)
    if SKIPPED_PARTS.intersection(rel.parts[:-1]) or rel.name == "conftest.py":
        return True
    name = _module_name(path)
    return any(name == pkg or name.startswith(pkg + ".") for pkg in SKIPPED_PACKAGES)


def _source_modules() -> dict[str, Path]:
    """Return every product module of the package by dotted name (tests, migrations and benchmarks left out)."""
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py")) if not _is_skipped(path)}


def _all_modules() -> set[str]:
    """Return the dotted names of every module on disk, skipped ones included (so arrows into them resolve)."""
    return {_module_name(path) for path in ROOT.rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Return every import statement at any depth, leaving out the body of `if TYPE_CHECKING:` blocks."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _resolve(name: str, known: set[str]) -> str | None:
    """Return the longest prefix of `name` that is a module of the package, or None outside it."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {t for alias in node.names if (t := _resolve(alias.name, known))}
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        base_parts = package.split(".")
        if node.level > 1:
            base_parts = base_parts[: -(node.level - 1)]
        base = ".".join([*base_parts, node.module] if node.module else base_parts)
    else:
        base = node.module or ""
    targets: set[str] = set()
    for alias in node.names:
        # `from pkg import name` where name is a submodule is an arrow to that submodule.
        submodule = f"{base}.{alias.name}"
        target = submodule if submodule in known else _resolve(base, known)
        if target:
            targets.add(target)
    return targets


@cache
def _graph() -> dict[str, frozenset[str]]:
    modules = _source_modules()
    known = _all_modules()
    graph: dict[str, frozenset[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        arrows: set[str] = set()
        for node in _import_nodes(tree):
            arrows |= _targets(module, path, node, known)
        graph[module] = frozenset(a for a in arrows if a != module and a in modules)
    return graph


def import_graph() -> dict[str, set[str]]:
    """Return the package's import graph: module -> modules it imports (any depth in the file, relative resolved).

    Tests, migrations, conftest and `dianti.bench` are left out, as nodes and as targets; imports under
    `if TYPE_CHECKING:` are not arrows. Importing a submodule is an arrow to it, not to its parent packages.
    Imports by name at run time (`importlib.import_module(name)`, settings' dotted paths) are not arrows either:
    `dianti.core.demo` reaching every app's demo through its STEPS strings does not show here.
    """
    return {module: set(arrows) for module, arrows in _graph().items()}


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of `graph` (Tarjan, iterative), each sorted, in no set order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                succ = pending.pop()
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, sorted(graph.get(succ, ()))))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _shortest_cycle(graph: dict[str, set[str]], members: list[str]) -> list[str]:
    """Return one shortest cycle through the first member of a component, as a closed path of module names."""
    inside = set(members)
    start = members[0]
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for succ in sorted(graph[node] & inside):
            if succ == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if succ not in previous:
                previous[succ] = node
                queue.append(succ)
    return members


def import_cycles(graph: dict[str, set[str]] | None = None) -> list[list[str]]:
    """Return every strongly connected component of more than one module, sorted."""
    graph = import_graph() if graph is None else graph
    return sorted(c for c in strongly_connected_components(graph) if len(c) > 1)


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in NOT_APPS or not (ROOT / parts[1]).is_dir():
        return None
    return parts[1]


def test_graph_reads_relative_local_and_submodule_imports() -> None:
    graph = import_graph()
    assert "dianti.core.models" in graph
    assert not any(".tests" in m or ".migrations" in m or m.startswith("dianti.bench") for m in graph)
    # A relative import inside a package, resolved to its absolute name.
    assert "dianti.rectification.workflow" in graph["dianti.rectification.deadlines"]
    # `from dianti.core import audit` is an arrow to the submodule, not to the package.
    assert "dianti.core.audit" in graph["dianti.rectification.workflow"]
    # An import inside a function body counts.
    assert "dianti.core.directory" in graph["dianti.core.selectors"]  # home_summary asks the directory inside


def test_tarjan_finds_each_cycle_once() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert _shortest_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_import_cycle_between_modules() -> None:
    graph = import_graph()
    cycles = import_cycles(graph)
    report = "\n".join(
        f"  {len(c)} modules: {', '.join(c)}\n    e.g. {' -> '.join(_shortest_cycle(graph, c))}" for c in cycles
    )
    assert not cycles, f"{len(cycles)} import cycle(s) between modules:\n{report}"


def test_core_imports_no_app() -> None:
    """The kernel never imports a step: steps plug in through core/components.py and speak through events."""
    arrows = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if module.startswith(f"{PACKAGE}.core.") or module == f"{PACKAGE}.core"
        for target in targets
        if _app_of(target)
    )
    assert not arrows, f"{len(arrows)} arrow(s) from dianti.core to an app:\n  " + "\n  ".join(arrows)
