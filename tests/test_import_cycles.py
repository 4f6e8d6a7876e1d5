"""No import cycle anywhere in the product, not even through an import inside a function (checked with `ast`).

A function-level import hides a cycle from Python until the day the function runs first during an import, so
it counts like any other; imports under `if TYPE_CHECKING:` never run, so they do not. Edges go to the module
named (`from pkg import mod` -> pkg.mod, `from pkg import name` -> pkg); importing a package's `__init__` from
inside it is the usual façade pattern and is not followed upward. `LAZY_EXCEPTIONS` names the imports that are
lazy on purpose and are left out of the graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("klaviyo_core", "klaviyo_sandbox", "klaviyo_spec", "klaviyo_app")

#: (importing module, imported module) pairs that are lazy by design and may close a cycle. None is needed
#: today: the CLI's lazy `import klaviyo_sandbox` (cli/common.py, only for --sandbox) closes none, because the
#: sandbox imports nothing from the core, and the sandbox loads its handlers and stores by name (importlib).
LAZY_EXCEPTIONS: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module of a `from ... import`, relative ones included."""
    if not node.level:
        return node.module or ""
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".")[: len(importer.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _type_only(tree: ast.Module) -> set[int]:
    """Ids of the nodes under `if TYPE_CHECKING:`: never imported at run time, so never part of a cycle."""
    guarded = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.If) and "TYPE_CHECKING" in {getattr(n.test, "id", None), getattr(n.test, "attr", None)}
    ]
    return {id(inner) for g in guarded for stmt in g.body for inner in ast.walk(stmt)}


def edges(name: str) -> set[str]:
    """The product modules `name` imports anywhere in its file (functions included, type-only imports not)."""
    out: set[str] = set()
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    type_only = _type_only(tree)
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(name, node)
            submodules = {f"{module}.{a.name}" for a in node.names} & MODULES.keys()
            out |= submodules or {module}
    return {m for m in out if m in MODULES and m != name and (name, m) not in LAZY_EXCEPTIONS}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    graph = {name: edges(name) for name in MODULES}
    assert cycles(graph) == []


def test_the_checker_sees_a_function_level_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_lazy_exceptions_still_exist() -> None:
    """An exception that no longer matches an import is stale: remove it."""
    for importer, imported in LAZY_EXCEPTIONS:
        tree = ast.parse(MODULES[importer].read_text(encoding="utf-8"))
        named = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        named |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert imported in named, (importer, imported)
