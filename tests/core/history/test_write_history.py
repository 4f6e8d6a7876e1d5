"""The write history: one writer, private files, no key, and every writer records its runs (real sandbox)."""

from __future__ import annotations

import csv
import io
import json
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from klaviyo_core.accounts import identify
from klaviyo_core.accounts.target import Target
from klaviyo_core.catalog import apply_catalog, plan_catalog, read_catalog_file
from klaviyo_core.events import build_event, events_for_profiles, send_bulk
from klaviyo_core.history import (
    DONE,
    EVENTS_BULK,
    FAILED,
    INTERRUPTED,
    PROFILE_IMPORT,
    TAG_APPLY,
    counts_of,
    load_all_runs,
    load_runs,
    recording,
    report_path,
)
from klaviyo_core.history.store import RUNS_FILE, account_folder
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.profiles import ImportOptions, ImportStopped, Limits, import_profiles, suggest_mapping
from klaviyo_core.profiles.progress import Progress
from klaviyo_core.tags.apply import apply_plan, plan_tag_file, read_tag_file
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY

SANDBOX_TARGET = Target("Demo", "http://127.0.0.1:1", "acct1", "pk_test…0001", False)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def client(sandbox: SandboxServer, home: Path) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, max_wait_seconds=5))


def _report(path: Path | None) -> list[dict[str, str]]:
    assert path is not None
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_a_run_is_recorded_running_then_done_with_its_report(home: Path) -> None:
    with recording(SANDBOX_TARGET, TAG_APPLY, "/some/folder/tags.csv") as run:
        (middle,) = load_runs("acct1")
        assert middle.status == "running" and middle.file_name == "tags.csv"
        run.finish(counts_of(3, 2, 1, 4), report_text="line,status\n2,done\n")
    (record,) = load_runs("acct1")
    assert record.status == DONE and record.counts == {"sent": 3, "ok": 2, "failed": 1, "skipped": 4}
    assert record.target.name == "Demo" and record.target.live is False and record.finished_at
    path = report_path(record)
    assert path is not None and path.read_text(encoding="utf-8") == "line,status\n2,done\n"
    for private in (path, account_folder("acct1") / RUNS_FILE):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(account_folder("acct1").stat().st_mode) == 0o700


def test_failures_and_stops_end_the_run_and_are_re_raised(home: Path) -> None:
    with pytest.raises(ValueError, match="boom"), recording(SANDBOX_TARGET, TAG_APPLY):
        raise ValueError("boom")
    with pytest.raises(ImportStopped), recording(SANDBOX_TARGET, PROFILE_IMPORT, interrupted_by=(ImportStopped,)):
        raise ImportStopped("stopped by the user")
    interrupted, failed = load_runs("acct1")
    assert (failed.status, failed.message) == (FAILED, "boom")
    assert interrupted.status == INTERRUPTED


def test_a_running_line_whose_process_is_gone_reads_as_interrupted(home: Path) -> None:
    with recording(SANDBOX_TARGET, PROFILE_IMPORT, "big.csv"):
        pass
    path = account_folder("acct1") / RUNS_FILE
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    first.update(run_id="crashed", pid=2**22 + 12345, started_at="2099-01-01T00:00:00+00:00")
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(first) + "\n{ cut short by a crash\n")
    crashed, done = load_runs("acct1")
    assert (crashed.run_id, crashed.status, done.status) == ("crashed", INTERRUPTED, DONE)


def test_no_key_reaches_the_history(home: Path) -> None:
    with recording(SANDBOX_TARGET, TAG_APPLY, f"{FULL_KEY}.csv") as run:
        run.finish(counts_of(), report_text="a\n")
        raise_later = f"refused for {FULL_KEY}"
    with pytest.raises(RuntimeError), recording(SANDBOX_TARGET, TAG_APPLY):
        raise RuntimeError(raise_later)
    text = (account_folder("acct1") / RUNS_FILE).read_text(encoding="utf-8")
    assert FULL_KEY not in text and "pk_test…0001" not in text and "key_fingerprint" not in text


def test_accounts_are_kept_apart_and_filtered_by_name_or_id(home: Path) -> None:
    other = Target("Shop", "https://a.klaviyo.com", "LIVE9", "pk_…9", True)
    with recording(SANDBOX_TARGET, TAG_APPLY):
        pass
    with recording(other, TAG_APPLY):
        pass
    assert [r.target.account_id for r in load_runs("LIVE9")] == ["LIVE9"]
    assert len(load_all_runs()) == 2
    assert [r.target.name for r in load_all_runs("shop")] == ["Shop"]
    assert [r.target.name for r in load_all_runs("acct1")] == ["Demo"]
    assert load_all_runs(limit=1)[0].target.label().startswith(("Demo", "Shop"))


def _people(path: Path, rows: int) -> Path:
    path.write_text("Email,First Name\n" + "".join(f"user{i}@example.com,N{i}\n" for i in range(rows)))
    return path


def _import(client: KlaviyoClient, path: Path, tmp_path: Path, **kwargs: Any) -> Any:
    mapping = suggest_mapping(["Email", "First Name"], [["user0@example.com", "N0"]])
    return import_profiles(
        client,
        path,
        mapping,
        ImportOptions(),
        data_dir=tmp_path / "data",
        limits=Limits(profiles_per_job=10),
        poll_interval=0.02,
        **kwargs,
    )


def test_profile_import_records_counts_and_a_copy_of_its_report(client: KlaviyoClient, tmp_path: Path) -> None:
    path = _people(tmp_path / "customers.csv", 25)
    path.write_text(path.read_text() + "not-an-email,Bad\nuser1@example.com,Dup\n")
    result = _import(client, path, tmp_path)
    account = identify(client, "Sandbox").account_id
    (record,) = load_runs(account)
    assert (record.kind, record.file_name, record.status) == (PROFILE_IMPORT, "customers.csv", DONE)
    assert record.counts == {"sent": 25, "ok": 25, "failed": 1, "skipped": 1}
    assert record.target.account_id == account and record.target.live is False
    stored = report_path(record)
    assert stored is not None and stored.read_bytes() == result.report_path.read_bytes()
    result.report_path.unlink()  # the workspace's copy may go (a restart): the history keeps its own
    assert len(_report(report_path(record))) == 27


def test_a_stopped_import_is_interrupted_and_its_resume_is_a_new_run(client: KlaviyoClient, tmp_path: Path) -> None:
    path = _people(tmp_path / "p.csv", 40)
    stop = threading.Event()

    def stop_after_one(p: Progress) -> None:
        if p.jobs_submitted >= 1:
            stop.set()

    with pytest.raises(ImportStopped):
        _import(client, path, tmp_path, on_progress=stop_after_one, stop=stop)
    _import(client, path, tmp_path, resume=True)
    done, stopped = load_runs(identify(client, "Sandbox").account_id)
    assert stopped.status == INTERRUPTED and stopped.counts["ok"] < 40 and report_path(stopped) is not None
    assert done.status == DONE and done.counts["ok"] == 40


def test_a_refused_write_is_not_history(client: KlaviyoClient, tmp_path: Path) -> None:
    plan = plan_tag_file(client, read_tag_file(b"tag_group,tag\nSeason,Summer\n"))
    other = Target("Elsewhere", client.config.base_url, "other-account", "", False)
    with pytest.raises(Exception, match="belongs to"):
        apply_plan(client, plan, target=other)
    assert load_all_runs() == []


def test_tags_events_and_catalog_record_their_runs(client: KlaviyoClient, sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    plan = plan_tag_file(client, read_tag_file(b"tag_group,tag\nSeason,Summer\nChannel,SMS\n"))
    apply_plan(client, plan, file_name="tags.csv")
    events = events_for_profiles(build_event("Test Event", email="a@example.com"), ["a@example.com", "b@example.com"])
    send_bulk(client, events)
    catalog = b"external_id,title,description,url,price\nSKU-1,Shirt,Cotton,https://shop.example.com/p/1,42\n"
    apply_catalog(client, plan_catalog(client, read_catalog_file(catalog)), file_name="catalog.csv")
    runs = load_runs(identify(client, "Sandbox").account_id)
    by_kind = {r.kind: r for r in runs}
    assert set(by_kind) == {TAG_APPLY, EVENTS_BULK, "catalog apply"} and all(r.status == DONE for r in runs)
    assert by_kind[TAG_APPLY].file_name == "tags.csv" and by_kind[TAG_APPLY].counts["ok"] == 1
    assert by_kind[TAG_APPLY].counts["skipped"] == 1  # Summer exists in the demo seed
    assert by_kind[EVENTS_BULK].counts == {"sent": 2, "ok": 2, "failed": 0, "skipped": 0}
    assert by_kind["catalog apply"].counts["ok"] == 1
    assert [r["status"] for r in _report(report_path(by_kind[TAG_APPLY]))] == ["unchanged", "done"]
