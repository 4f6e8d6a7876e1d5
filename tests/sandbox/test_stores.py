"""The sandbox's storage has one home per feature (moto's models.py / responses.py split), checked with `ast`.

- Only a feature's `store.py` calls `register_schema`, and `engine.store.STORE_MODULES` lists every one of them,
  so the store creates every table up front instead of depending on which routes were imported first.
- No module imports a handler module (one listed in `engine.routes.HANDLER_MODULES`): features reach each other
  through stores and serialisers, never through another feature's routes.
- A store imports only the engine and other stores.
- Every `@route` handler has a docstring saying what Klaviyo does and which choice the sandbox makes.
- A handler module holds no SQL (no `.execute(`/`.executemany(`/`.executescript(` call): routes and job workers
  parse, call a store and serialise.
"""

from __future__ import annotations

import ast
from pathlib import Path

from klaviyo_sandbox.engine.routes import HANDLER_MODULES
from klaviyo_sandbox.engine.store import STORE_MODULES, Store

PACKAGE = Path(__file__).resolve().parents[2] / "klaviyo_sandbox"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").is_file() or (PACKAGE.parent / rel / "__init__.py").is_file()


def sandbox_imports(path: Path) -> set[str]:
    """Every klaviyo_sandbox module the file imports, anywhere in it (`from pkg import mod` counts as pkg.mod)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            submodules = {f"{node.module}.{a.name}" for a in node.names}
            found |= {m for m in submodules if _is_module(m)} or {node.module}
    return {name for name in found if name.startswith("klaviyo_sandbox.")}


SQL_METHODS = frozenset({"execute", "executemany", "executescript"})


def sql_calls(source: str) -> list[int]:
    """Lines of the calls that run SQL (`<anything>.execute(...)` and its siblings)."""
    return [
        n.lineno
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in SQL_METHODS
    ]


def calls(path: Path, function: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == function for n in ast.walk(tree)
    )


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_table_is_declared_by_a_listed_feature_store() -> None:
    declaring = {name for name, path in MODULES.items() if calls(path, "register_schema")}
    assert declaring == set(STORE_MODULES)
    assert all(name.rsplit(".", 1)[-1].endswith("store") for name in STORE_MODULES)


def test_no_module_imports_a_handler_module() -> None:
    offenders = {
        f"{name} -> {target}"
        for name, path in MODULES.items()
        for target in sandbox_imports(path)
        if target in HANDLER_MODULES and target != name
    }
    assert not offenders, sorted(offenders)


def test_stores_import_only_the_engine_and_other_stores() -> None:
    offenders = {
        f"{name} -> {target}"
        for name in STORE_MODULES
        for target in sandbox_imports(MODULES[name])
        if not (target.startswith("klaviyo_sandbox.engine") or target in STORE_MODULES)
    }
    assert not offenders, sorted(offenders)


def test_a_fresh_store_has_every_table_without_importing_any_route() -> None:
    with Store(None).read() as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"profiles", "list_members", "lists", "events", "metrics", "tags", "tag_links", "campaigns"} <= tables


def test_no_handler_module_holds_sql() -> None:
    offenders = {
        f"{name}:{line}" for name in HANDLER_MODULES for line in sql_calls(MODULES[name].read_text(encoding="utf-8"))
    }
    assert not offenders, sorted(offenders)


def test_the_sql_check_sees_each_way_of_running_sql() -> None:
    source = "def f(conn, store):\n    conn.execute('x')\n    store.c.executemany('y', [])\n    c.executescript('z')\n"
    assert sql_calls(source) == [2, 3, 4]
    assert sql_calls("def f(store):\n    store.read()\n    jobs_store.insert_import_job(store)\n") == []


def _is_route(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name) and decorator.func.id == "route"


def route_handlers(path: Path) -> list[ast.FunctionDef]:
    """The functions the file registers with `@route(...)`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and any(map(_is_route, n.decorator_list))]


def test_every_route_handler_says_what_it_emulates() -> None:
    handlers = [(name, fn) for name, path in MODULES.items() for fn in route_handlers(path)]
    assert len(handlers) >= 50  # the check sees the handlers
    missing = [f"{name}.{fn.name}" for name, fn in handlers if not ast.get_docstring(fn)]
    assert not missing, missing
