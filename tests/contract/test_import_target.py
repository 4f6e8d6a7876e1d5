"""An import is bound to its account: a resume elsewhere is refused, an older checkpoint is adopted or
discarded, a LIVE import needs a fresh confirmation, and a replaced key or a new sandbox port still resumes.

Two sandboxes with their own databases are two accounts (each database has its own lasting account id)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from klaviyo_core.accounts import (
    LiveWriteNotConfirmed,
    TargetMismatch,
    confirm_live,
    identify,
)
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.profiles import ImportBusy, OlderCheckpoint, discard_import, unfinished_imports
from klaviyo_core.profiles.checkpoint import Workspace
from klaviyo_core.profiles.jobs import Limits
from klaviyo_core.profiles.pipeline import ImportOptions, import_profiles
from klaviyo_core.profiles.progress import Progress
from klaviyo_core.profiles.sender import ImportStopped
from klaviyo_sandbox import KeySpec, SandboxServer
from tests.conftest import FULL_KEY, KEYS
from tests.contract.test_import_profiles import job_posts, mapping_for, write_people

OTHER_KEY = "pk_test_replaced_key_0000000000000003"


def _client(server: SandboxServer, key: str = FULL_KEY) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=key, base_url=server.url, max_wait_seconds=5))


def _stopped_import(server: SandboxServer, path: Path, data: Path) -> None:
    """Start an import on `server` and stop it after its first job: an unfinished, resumable import."""
    stop = threading.Event()

    def stop_after_one(p: Progress) -> None:
        if p.jobs_submitted >= 1:
            stop.set()

    with pytest.raises(ImportStopped):
        import_profiles(
            _client(server),
            path,
            mapping_for(path),
            ImportOptions(),
            on_progress=stop_after_one,
            stop=stop,
            **_kwargs(data),
        )


def _kwargs(data: Path) -> dict[str, Any]:
    return {"data_dir": data, "limits": Limits(profiles_per_job=10), "poll_interval": 0.02}


@pytest.fixture
def two(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> tuple[SandboxServer, SandboxServer]:
    keys = (*KEYS, KeySpec(OTHER_KEY))
    return (
        sandbox_factory(db_path=tmp_path / "x.sqlite3", keys=keys),
        sandbox_factory(db_path=tmp_path / "y.sqlite3", keys=keys),
    )


def test_resume_on_another_account_is_refused_naming_both(
    two: tuple[SandboxServer, SandboxServer], tmp_path: Path
) -> None:
    x, y = two
    path, data = write_people(tmp_path / "p.csv", 40), tmp_path / "data"
    _stopped_import(x, path, data)
    (unfinished,) = unfinished_imports(data)
    assert unfinished.target is not None and unfinished.target["account_id"] == x.config.account_id
    assert FULL_KEY not in json.dumps(unfinished.target)
    with pytest.raises(TargetMismatch) as refused:
        import_profiles(
            _client(y),
            path,
            mapping_for(path),
            ImportOptions(),
            resume=True,
            target=identify(_client(y), "Y store"),
            **_kwargs(data),
        )
    message = str(refused.value)
    assert x.config.account_id in message and y.config.account_id in message and "'Y store'" in message
    assert job_posts(y) == 0
    result = import_profiles(
        _client(x, OTHER_KEY), path, mapping_for(path), ImportOptions(), resume=True, **_kwargs(data)
    )
    assert result.counts["imported"] == 40  # a replaced key for the same account still resumes


def test_resume_after_a_restart_on_another_port(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> None:
    db, path, data = tmp_path / "s.sqlite3", write_people(tmp_path / "p.csv", 30), tmp_path / "data"
    first = sandbox_factory(db_path=db)
    _stopped_import(first, path, data)
    first.stop()
    again = sandbox_factory(db_path=db)
    result = import_profiles(_client(again), path, mapping_for(path), ImportOptions(), resume=True, **_kwargs(data))
    assert result.counts["imported"] == 30


def test_an_older_checkpoint_is_adopted_only_when_asked(sandbox: SandboxServer, tmp_path: Path) -> None:
    path, data = write_people(tmp_path / "p.csv", 30), tmp_path / "data"
    _stopped_import(sandbox, path, data)
    (cp_file,) = data.glob("imports/*/checkpoint.json")
    doc = json.loads(cp_file.read_text())
    del doc["target"]  # as written before targets were recorded
    cp_file.write_text(json.dumps(doc))
    (older,) = unfinished_imports(data)
    assert older.from_older_version and "older version" in older.target_label
    before = job_posts(sandbox)
    with pytest.raises(OlderCheckpoint, match="older version"):
        import_profiles(_client(sandbox), path, mapping_for(path), ImportOptions(), resume=True, **_kwargs(data))
    assert job_posts(sandbox) == before
    result = import_profiles(
        _client(sandbox), path, mapping_for(path), ImportOptions(), resume=True, adopt=True, **_kwargs(data)
    )
    assert result.counts["imported"] == 30


def test_an_older_checkpoint_can_be_discarded(sandbox: SandboxServer, tmp_path: Path) -> None:
    path, data = write_people(tmp_path / "p.csv", 30), tmp_path / "data"
    _stopped_import(sandbox, path, data)
    (unfinished,) = unfinished_imports(data)
    discard_import(data, unfinished.import_id)
    assert unfinished_imports(data) == []


def test_a_live_import_needs_a_fresh_confirmation(sandbox: SandboxServer, tmp_path: Path) -> None:
    path, data = write_people(tmp_path / "p.csv", 20), tmp_path / "data"
    live = identify(_client(sandbox), "Acme", marked_live=True)  # the sandbox, marked LIVE by the user
    args = (_client(sandbox), path, mapping_for(path), ImportOptions())
    with pytest.raises(LiveWriteNotConfirmed, match="'Acme'"):
        import_profiles(*args, target=live, **_kwargs(data))
    assert job_posts(sandbox) == 0
    token = confirm_live(live, "import 20 profiles", "Acme")
    assert import_profiles(*args, target=live, confirmation=token, **_kwargs(data)).counts["imported"] == 20
    with pytest.raises(LiveWriteNotConfirmed, match="used by an earlier write"):
        import_profiles(*args, target=live, confirmation=token, restart=True, **_kwargs(data))


def test_a_run_of_an_import_that_is_still_running_is_refused_not_traced(sandbox: SandboxServer, tmp_path: Path) -> None:
    """The FileNotFoundError on a missing Arrow chunk came from two runs of one import at once (a run still
    reading, and a resume): they shared the spooled chunks and one deleted the other's. Now the second run
    is refused with a plain message while the first holds the import, and resumes once it is gone."""
    path, data = write_people(tmp_path / "p.csv", 30), tmp_path / "data"
    _stopped_import(sandbox, path, data)
    (cp_dir,) = (p.parent for p in data.glob("imports/*/checkpoint.json"))
    stale = cp_dir / "chunks-999999-dead"  # what a run killed while reading leaves behind
    stale.mkdir()
    (stale / "chunk-000000.arrow").write_bytes(b"half a chunk")
    before = job_posts(sandbox)
    holder = Workspace(data, cp_dir.name).lock(str(path))  # another run holds the import
    with holder, pytest.raises(ImportBusy, match="running elsewhere"):
        import_profiles(_client(sandbox), path, mapping_for(path), ImportOptions(), resume=True, **_kwargs(data))
    assert job_posts(sandbox) == before
    result = import_profiles(_client(sandbox), path, mapping_for(path), ImportOptions(), resume=True, **_kwargs(data))
    assert result.counts["imported"] == 30 and not stale.exists()
