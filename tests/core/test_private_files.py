"""Customer data on disk is 0600 in 0700 folders (issue 14 item 7), whatever the umask; files of earlier
versions are tightened once when the CLI (or the app) starts."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from klaviyo_core import paths
from klaviyo_core.accounts.store import AccountStore
from klaviyo_core.cli import app
from klaviyo_core.events.history import EventHistory, HistoryEntry
from klaviyo_core.profiles import save_upload
from klaviyo_core.profiles.mapping import Mapping, MappingStore
from klaviyo_core.profiles.scan import spool_frame
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.contract.test_import_profiles import write_people
from tests.metrics_support import add_events


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A workbench home that does not exist yet, under the usual permissive umask."""
    where = tmp_path / "wb"
    monkeypatch.setenv(paths.ENV_HOME, str(where))
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    old = os.umask(0o022)
    try:
        yield where
    finally:
        os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    found = {}
    for folder, _dirs, files in os.walk(root):
        for path in [Path(folder), *(Path(folder) / f for f in files)]:
            found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def _assert_private(root: Path) -> dict[str, int]:
    modes = _modes(root)
    wrong = {p: oct(m) for p, m in modes.items() if m != (0o700 if (root / p).is_dir() else 0o600)}
    assert not wrong, wrong
    return modes


def test_every_file_after_import_tags_events_and_metrics_is_private(
    home: Path, sandbox_factory: Callable[..., SandboxServer], tmp_path: Path
) -> None:
    sandbox = sandbox_factory(db_path=home / "sandbox.sqlite3")
    people = write_people(tmp_path / "people.csv", 30, bad_every=5)
    run = CliRunner().invoke
    data = paths.data_dir("profiles")
    result = run(app, ["--base-url", sandbox.url, "profiles", "import", str(people), "--report", str(data / "r.csv")])
    assert result.exit_code == 1, result.output  # some rows rejected: rejected.jsonl, the report, checkpoints
    dry = ["profiles", "import", str(people), "--dry-run", "--report", str(data / "dry.csv")]
    assert run(app, dry).exit_code == 1
    tags = tmp_path / "tags.csv"
    tags.write_text("tag_group,tag,exclusive\nChannel,Email,\n", encoding="utf-8")
    tag_args = ["--base-url", sandbox.url, "tags", "import", str(tags), "--report", str(paths.data_dir("t.csv"))]
    assert run(app, tag_args).exit_code == 0
    send = ["--base-url", sandbox.url, "events", "send", "--metric", "Viewed", "--email", "a@example.com"]
    assert run(app, send).exit_code == 0
    sent = HistoryEntry("2026-06-01T00:00:00Z", "sandbox", "Sandbox", "Viewed", "a", 202, True, "ok")
    EventHistory("Sandbox").append(sent)  # what the Test events page records after a send
    add_events(sandbox.app.store, "Placed Order", [(int(datetime(2026, 6, 2, tzinfo=UTC).timestamp()), "A", 1.0, {})])
    query = ["--base-url", sandbox.url, "metrics", "query", "--metric", "Placed Order", "--from", "2026-06-01"]
    assert run(app, [*query, "--to", "2026-06-03", "--csv", str(paths.data_dir("m.csv"))]).exit_code == 0
    save_upload(data, "upload.csv", b"Email\na@example.com\n")
    MappingStore().save("mine", Mapping(()))
    spool_frame(pd.DataFrame({"a": ["x"]}), paths.private_dir(data / "chunks") / "0.arrow")
    AccountStore()._save({"accounts": []})
    modes = _assert_private(home)
    expected = ["sandbox.sqlite3", "sandbox.sqlite3-wal", "profiles/r.csv", "profiles/dry.csv.first-job.json", "t.csv"]
    expected += ["m.csv", "accounts.json", "profiles/chunks/0.arrow"]
    assert set(expected) <= set(modes), sorted(modes)
    assert any(p.endswith("rejected.jsonl") for p in modes) and any(p.startswith("event-history/") for p in modes)


def test_files_of_earlier_versions_are_tightened_once_at_start(home: Path) -> None:
    old = home / "profiles" / "imports" / "abc"
    old.mkdir(parents=True, mode=0o755)
    for path in (home, home / "profiles", home / "profiles" / "imports", old):
        path.chmod(0o755)
    (old / "report.csv").write_text("row\n", encoding="utf-8")
    (home / "accounts.json").write_text("{}", encoding="utf-8")
    for path in (old / "report.csv", home / "accounts.json"):
        path.chmod(0o644)
    result = CliRunner().invoke(app, ["metrics", "list"])  # any command: the CLI tightens before it runs
    assert "Traceback" not in result.output
    _assert_private(home)
    (old / "report.csv").chmod(0o644)
    assert paths.tighten_existing() == 0  # once: the marker makes later starts free
    assert stat.S_IMODE((old / "report.csv").stat().st_mode) == 0o644


def test_an_export_does_not_change_the_users_folder(home: Path, tmp_path: Path) -> None:
    mine = tmp_path / "exports"
    mine.mkdir(mode=0o755)
    mine.chmod(0o755)
    paths.write_private_text(mine / "out.csv", "a\n")
    assert stat.S_IMODE(mine.stat().st_mode) == 0o755
    assert stat.S_IMODE((mine / "out.csv").stat().st_mode) == 0o600
