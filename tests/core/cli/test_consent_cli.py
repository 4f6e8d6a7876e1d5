"""`python -m klaviyo_core consent import`: the plan, dry run, apply, the global-unsubscribe trap, exit codes,
the report and LIVE confirmation (issue 20)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.consent import ConsentOptions, RowRules, apply_consent, plan_consent, read_consent_file
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.paths import data_dir
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine.faults import Faults
from tests.conftest import FULL_KEY
from tests.core.cli.test_cli import cli
from tests.core.cli.test_live_writes_cli import live, writes
from tests.core.consent.helpers import marketing, new_list, subscribe, write
from tests.memory_keyring import memory_keyring, wb_home

__all__ = ["live", "memory_keyring", "wb_home"]  # fixtures used by name below


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checkpoints of this test only (a run is found by its file and options); `wb_home` overrides it."""
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))


def run(sandbox: SandboxServer, *args: str):  # type: ignore[no-untyped-def]
    return cli("--base-url", sandbox.url, "consent", "import", *args, env={"KLAVIYO_API_KEY": FULL_KEY})


def test_dry_run_apply_and_rerun(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = str(write(tmp_path, "email,phone_number\nann@example.com,+14155550101\nbob@example.com,\n"))
    dry = run(sandbox, path, "--action", "subscribe", "--channel", "email,sms", "--dry-run")
    assert dry.returncode == 1, dry.stderr  # bob has no phone: his sms row is invalid
    assert "change: 2 email, 1 sms" in dry.stdout and "invalid: 0 email, 1 sms" in dry.stdout
    assert "invalid line 3 bob@example.com sms: has no phone number" in dry.stdout
    assert "note: Subscribing lifts email suppressions" in dry.stdout
    body = json.loads(dry.stdout.split("First request: POST /api/profile-subscription-bulk-create-jobs\n", 1)[1])
    assert body["data"]["attributes"]["historical_import"] is False
    assert "Result:" not in dry.stdout
    report = tmp_path / "out.csv"
    applied = run(sandbox, path, "--action", "subscribe", "--channel", "email", "--report", str(report))
    assert applied.returncode == 0, applied.stderr
    assert "Result: 2 sent, 0 failed" in applied.stdout and FULL_KEY not in applied.stdout + applied.stderr
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["who"], r["status"]) for r in rows] == [("ann@example.com", "sent"), ("bob@example.com", "sent")]
    assert sandbox.app.jobs.wait_idle(10)
    again = run(sandbox, path, "--action", "subscribe")
    assert again.returncode == 0 and "unchanged: 2 email" in again.stdout and "Result:" not in again.stdout


def test_unsubscribe_with_a_list_holds_apart_outsiders_unless_global(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    list_id = new_list(client, "Weekly News")
    subscribe(sandbox, client, ["in@example.com"], list_id)
    subscribe(sandbox, client, ["out@example.com"])
    path = str(write(tmp_path, "email\nin@example.com\nout@example.com\n"))
    bare = run(sandbox, path, "--action", "unsubscribe")
    assert bare.returncode == 2 and "--global" in bare.stderr and "Traceback" not in bare.stderr
    held = run(sandbox, path, "--action", "unsubscribe", "--list", "weekly news")
    assert held.returncode == 1, held.stderr
    assert "held apart line 3 out@example.com email: not in the list" in held.stdout
    assert marketing(client, "out@example.com")["consent"] == "SUBSCRIBED"
    chosen = run(sandbox, path, "--action", "unsubscribe", "--list", list_id, "--global")
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
    assert marketing(client, "out@example.com")["consent"] == "UNSUBSCRIBED"
    unknown = run(sandbox, path, "--action", "unsubscribe", "--list", "Nope")
    assert unknown.returncode == 2 and "No list named" in unknown.stderr


def test_bad_file_and_bad_options_exit_2(sandbox: SandboxServer, tmp_path: Path) -> None:
    bad = run(sandbox, str(write(tmp_path, "name\nAnn\n")), "--action", "subscribe")
    assert bad.returncode == 2 and "email or a phone_number column" in bad.stderr
    sms = run(sandbox, str(write(tmp_path, "email\na@example.com\n")), "--action", "suppress", "--channel", "sms")
    assert sms.returncode == 2 and "email only" in sms.stderr


def test_live_consent_import_needs_confirm_account_naming_the_effect(live: SandboxServer, tmp_path: Path) -> None:
    runner = CliRunner()
    path = str(write(tmp_path, "email\na@example.com\nb@example.com\n"))
    args = ["--account", "Acme Live", "consent", "import", path, "--action", "suppress"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and '--confirm-account "Acme Live"' in refused.output
    assert "this would suppress 2 email" in refused.output.replace("\n", " ")
    assert writes(live) == []
    done = runner.invoke(app, [*args, "--confirm-account", "Acme Live"])
    assert done.exit_code == 0, done.output
    assert writes(live) == ["/api/profile-suppression-bulk-create-jobs"]


def test_a_rerun_resumes_a_stopped_run_and_restart_forgets_it(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    subscribe(sandbox, client, [f"r{i}@example.com" for i in range(150)])
    path = write(tmp_path, "email\n" + "".join(f"r{i}@example.com\n" for i in range(150)))
    options = ConsentOptions("unsubscribe", global_unsubscribe=True)
    stop = threading.Event()
    plan = plan_consent(client, read_consent_file(path, RowRules()), options)
    apply_consent(client, plan, on_progress=lambda done, total: stop.set(), stop=stop)  # as a kill would
    dry = run(sandbox, str(path), "--action", "unsubscribe", "--global", "--dry-run")
    assert "stopped after 1 of 2 batch(es); applying resumes it" in dry.stdout
    assert "change: 50 email" in dry.stdout and "unchanged: 100 email" in dry.stdout
    resumed = run(sandbox, str(path), "--action", "unsubscribe", "--global")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Result: 150 sent, 0 failed (1 batch(es) done by an earlier run)" in resumed.stdout
    apply_consent(client, plan, stop=stop)  # stopped before its first batch: a new unfinished run
    restarted = run(sandbox, str(path), "--action", "unsubscribe", "--global", "--restart", "--dry-run")
    assert "Forgot the unfinished earlier run" in restarted.stderr and "stopped after" not in restarted.stdout


def test_killed_mid_run_then_rerun_sends_each_batch_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    subscribe(sandbox, client, [f"k{i}@example.com" for i in range(500)])
    path = write(tmp_path, "email\n" + "".join(f"k{i}@example.com\n" for i in range(500)))
    sandbox.app.faults.set(Faults(latency_ms=300, paths=[UNSUBSCRIBE_PATH]))  # each batch takes a while
    args = ["--base-url", sandbox.url, "consent", "import", str(path), "--action", "unsubscribe", "--global"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "klaviyo_core", *args],
        env={**os.environ, "KLAVIYO_API_KEY": FULL_KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline, sent = time.monotonic() + 60, 0
    while time.monotonic() < deadline and proc.poll() is None and sent < 2:
        for cp in (data_dir() / "consent").glob("*/checkpoint.json"):
            sent = sum(1 for s in json.loads(cp.read_text(encoding="utf-8"))["states"] if s["state"] == "sent")
        time.sleep(0.05)  # polling the checkpoint file, with a deadline
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert sent >= 2
    checkpoint = next((data_dir() / "consent").glob("*/checkpoint.json"))
    states = [s["state"] for s in json.loads(checkpoint.read_text(encoding="utf-8"))["states"]]
    sent = states.count("sent")  # what the killed run recorded (a request in flight when killed is not)
    sandbox.app.faults.clear()
    again = run(sandbox, *args[4:])
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Result: 500 sent, 0 failed" in again.stdout and "done by an earlier run" in again.stdout
    # every batch once, plus at most the one in flight when the first run was killed (sent again: idempotent)
    assert 5 <= bulk_posts(sandbox) <= 6 and 2 <= sent < 5
    assert marketing(client, "k499@example.com")["consent"] == "UNSUBSCRIBED"


UNSUBSCRIBE_PATH = "/api/profile-subscription-bulk-delete-jobs"


def bulk_posts(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.app.log if r["method"] == "POST" and r["path"] == UNSUBSCRIBE_PATH)
