"""The core and the sandbox stay UI-free, and every layer imports only what is below it (DESIGN §1)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("package", ["klaviyo_core", "klaviyo_core.cli", "klaviyo_sandbox", "klaviyo_spec"])
def test_package_does_not_import_streamlit(package: str) -> None:
    code = f"import sys, {package}; assert 'streamlit' not in sys.modules, 'streamlit was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- import direction (ast): app -> ui -> klaviyo_core façades -> klaviyo_core.http; the sandbox stands alone.
ROOT = Path(__file__).resolve().parents[1]
FEATURES = {p.name for p in (ROOT / "klaviyo_core").iterdir() if (p / "__init__.py").is_file()}
#: What app.py, klaviyo_app/ and klaviyo_core/cli/ may import from the core: the root, a feature's façade, paths.
FACADES = {"klaviyo_core", "klaviyo_core.paths"} | {f"klaviyo_core.{f}" for f in FEATURES}


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at module level) for every absolute import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    found: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, node.lineno, id(node) in top))
    return found


def files(*roots: str) -> list[Path]:
    out: list[Path] = []
    for r in roots:
        p = ROOT / r
        out += [p] if p.is_file() else sorted(p.rglob("*.py"))
    return out


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_app_and_cli_import_only_facades() -> None:
    bad = []
    for path in files("app.py", "klaviyo_app", "klaviyo_core/cli"):
        in_cli = rel(path).startswith("klaviyo_core/cli")
        for mod, line, _ in imports(path):
            if not mod.startswith("klaviyo_core") or mod in FACADES or (in_cli and mod.startswith("klaviyo_core.cli")):
                continue
            bad.append(f"{rel(path)}:{line} imports {mod}")
    assert not bad, "import the feature's façade instead:\n" + "\n".join(bad)


#: The two places the core may start a sandbox, each inside a function: the CLI's --sandbox, the notebook's.
LAZY_SANDBOX_IMPORTERS = ("klaviyo_core/cli/common.py", "klaviyo_core/notebook/workbench.py")


def test_the_core_never_imports_the_app_or_streamlit_and_the_sandbox_only_lazily() -> None:
    bad = []
    for path in files("klaviyo_core"):
        for mod, line, top in imports(path):
            if mod.split(".")[0] in {"streamlit", "klaviyo_app"}:
                bad.append(f"{rel(path)}:{line} imports {mod}")
            if mod.startswith("klaviyo_sandbox") and (top or rel(path) not in LAZY_SANDBOX_IMPORTERS):
                bad.append(f"{rel(path)}:{line} imports {mod} (only {LAZY_SANDBOX_IMPORTERS} may, in a function)")
    assert not bad, "\n".join(bad)


def test_the_sandbox_stands_alone() -> None:
    bad = [
        f"{rel(path)}:{line} imports {mod}"
        for path in files("klaviyo_sandbox")
        for mod, line, _ in imports(path)
        if mod.split(".")[0] in {"klaviyo_core", "klaviyo_app", "streamlit"}
    ]
    assert not bad, "\n".join(bad)
