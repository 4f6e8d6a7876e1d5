"""Each consent test keeps its checkpoints in a home of its own: a run is found by its file and options, so two
tests planning the same file would otherwise find each other's runs."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(home))
    return home
