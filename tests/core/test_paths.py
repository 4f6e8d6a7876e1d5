"""Where the workbench keeps files: one rule, and the same places earlier versions used."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from klaviyo_core import paths
from klaviyo_core.accounts.store import AccountStore
from klaviyo_core.events.history import EventHistory
from klaviyo_core.profiles.mapping import MappingStore
from klaviyo_sandbox.__main__ import build_parser
from klaviyo_sandbox.config import default_db_path


def test_without_the_env_var_the_places_are_those_of_earlier_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ENV_HOME, raising=False)
    data = Path(platformdirs.user_data_dir("klaviyo-workbench"))
    assert paths.config_dir() == Path(platformdirs.user_config_dir("klaviyo-workbench"))
    assert paths.data_dir() == data
    assert paths.data_dir("profiles") == data / "profiles"
    assert MappingStore().directory == data / "profiles" / "mappings"
    assert default_db_path() == data / "sandbox.sqlite3"


def test_the_env_var_holds_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path))
    assert paths.config_dir() == tmp_path
    assert paths.data_dir("profiles", "x") == tmp_path / "profiles" / "x"
    assert MappingStore().directory == tmp_path / "profiles" / "mappings"
    assert AccountStore().home == tmp_path
    assert EventHistory("acc").path.parent == tmp_path / "event-history"
    assert default_db_path() == tmp_path / "sandbox.sqlite3"


def test_the_standalone_sandbox_resolves_its_database_when_it_runs() -> None:
    """`python -m klaviyo_sandbox serve` used to fix the user's data dir at parse time, ignoring the env var."""
    assert build_parser().parse_args(["serve"]).db is None  # `serve` falls back to default_db_path()
