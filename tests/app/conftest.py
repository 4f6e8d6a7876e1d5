"""AppTest runs the app in this process: point its data dir at a temp folder and skip the demo seed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def workbench_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.getbasetemp() / "workbench-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(home))
    monkeypatch.setenv("KLAVIYO_WORKBENCH_NO_DEMO", "1")
    yield home


APP_PATH = str(Path(__file__).resolve().parents[2] / "app.py")
