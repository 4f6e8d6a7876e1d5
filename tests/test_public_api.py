"""Each façade's `__all__` is sorted and is exactly its public names (httpx's tests/test_exported_members.py idea).

A name a page or the CLI needs is added to the façade on purpose, and a name nobody exports does not leak out
by being imported into the `__init__`.
"""

from __future__ import annotations

import importlib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FACADES = [
    "klaviyo_core",
    *sorted(
        f"klaviyo_core.{p.name}"
        for p in (ROOT / "klaviyo_core").iterdir()
        if (p / "__init__.py").is_file() and p.name != "cli"
    ),
    "klaviyo_sandbox",
]


def isort_style(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return 0, name
    return (1 if name[:1].isupper() else 2), name


def public_names(module: types.ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }


@pytest.mark.parametrize("name", FACADES)
def test_all_is_sorted_and_equals_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=isort_style), f"{name}.__all__ is not sorted"
    assert set(exported) == public_names(module)


def test_every_feature_folder_has_a_facade() -> None:
    assert {"klaviyo_core.http", "klaviyo_core.profiles", "klaviyo_core.events", "klaviyo_core.tags"} <= set(FACADES)
