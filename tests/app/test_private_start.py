"""The app tightens files an earlier version wrote (0644 in 0755 folders) when it starts (issue 14 item 7)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_app.ui.state import private_files_tightened
from tests.app.conftest import APP_PATH


def test_app_start_tightens_old_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "old-home"
    old = home / "profiles" / "imports" / "abc"
    old.mkdir(parents=True)
    for folder in (home, home / "profiles", home / "profiles" / "imports", old):
        folder.chmod(0o755)
    (old / "rejected.jsonl").write_text("{}\n", encoding="utf-8")
    (old / "rejected.jsonl").chmod(0o644)
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(home))
    private_files_tightened.clear()  # once per process: this test's process may have started the app before
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    assert not at.exception, at.exception
    assert stat.S_IMODE((old / "rejected.jsonl").stat().st_mode) == 0o600
    assert {stat.S_IMODE(p.stat().st_mode) for p in (home, old)} == {0o700}
