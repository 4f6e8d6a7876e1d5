"""One name, one home in the profile import package: a callback type is defined by one module, and a name is
imported from the module that defines it (only the façade re-exports).

Why: `prepare.ProgressFn` (rows read, an int) and `progress.ProgressFn` (a Progress snapshot) once shared a name,
and the pipeline had to import one of them under an alias; the pass-one counter is now `prepare.OnRows`.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "klaviyo_core" / "profiles"


def callable_aliases(source: str) -> set[str]:
    """Module-level names bound to `Callable[...]` (the package's callback types)."""
    found: set[str] = set()
    for node in ast.parse(source).body:
        value: ast.expr | None
        targets: list[ast.expr]
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, ast.AnnAssign):
            value, targets = node.value, [node.target]
        else:
            continue
        if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id == "Callable":
            found |= {t.id for t in targets if isinstance(t, ast.Name)}
    return found


def test_each_callback_type_name_is_defined_once() -> None:
    homes: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.glob("*.py")):
        for name in callable_aliases(path.read_text(encoding="utf-8")):
            homes[name].append(path.name)
    assert {name: files for name, files in homes.items() if len(files) > 1} == {}


def test_the_pass_one_row_counter_is_on_rows() -> None:
    source = (PACKAGE / "prepare.py").read_text(encoding="utf-8")
    assert "OnRows" in callable_aliases(source)
    assert callable_aliases("ProgressFn = Callable[[int], None]\nX = int\n") == {"ProgressFn"}


def defined_names(source: str) -> set[str]:
    """Names a module defines at top level (functions, classes, assignments), not the ones it imports."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_names_are_imported_from_the_module_that_defines_them() -> None:
    """Only the façade (`klaviyo_core.profiles`) re-exports; `pipeline` once carried a copy of its `__all__`."""
    root = PACKAGE.parents[1]
    homes = {
        f"klaviyo_core.profiles.{p.stem}": defined_names(p.read_text(encoding="utf-8")) for p in PACKAGE.glob("*.py")
    }
    offenders = set()
    for folder in ("klaviyo_core", "klaviyo_app", "tests", "bench"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module in homes and not node.module.endswith("__init__"):
                    offenders |= {f"{path.name}: {a.name}" for a in node.names if a.name not in homes[node.module]}
    assert not offenders, sorted(offenders)
    assert "__all__" not in defined_names((PACKAGE / "pipeline.py").read_text(encoding="utf-8"))
