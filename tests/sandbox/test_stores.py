"""The sandbox's storage has one home per feature (moto's models.py / responses.py split), checked with `ast`.

- Only a feature's `store.py` calls `register_schema`, and `engine.store.STORE_MODULES` lists every one of them,
  so the store creates every table up front instead of depending on which routes were imported first.
- No module imports a handler module (one listed in `engine.routes.HANDLER_MODULES`): features reach each other
  through stores and serialisers, never through another feature's routes.
- A store imports only the engine and other stores.
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


def calls(path: Path, function: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == function for n in ast.walk(tree)
    )


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_table_is_declared_by_a_listed_feature_store() -> None:
    declaring = {name for name, path in MODULES.items() if calls(path, "register_schema")}
    assert declaring == set(STORE_MODULES)
    assert all(name.endswith(".store") for name in STORE_MODULES)


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
