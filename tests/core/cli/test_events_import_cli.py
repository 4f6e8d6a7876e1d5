"""`python -m klaviyo_core events import FILE ...` (and its alias `events bulk --csv`) against a real sandbox."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.accounts.store import ENV_ACCOUNT_NAME
from klaviyo_core.cli import app
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine.faults import Faults
from tests.conftest import FULL_KEY

runner = CliRunner()
JOBS = "/api/event-bulk-create-jobs"
ORDERS = (
    "order_id,email,time,value,value_currency\n"
    "o-1,a@example.com,2025-03-01T14:30:00+01:00,12.5,EUR\n"
    "o-2,b@example.com,2099-01-01T00:00:00Z,9,EUR\n"
)


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path))
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)


def run(sandbox: SandboxServer, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--base-url", sandbox.url, "events", *args])


def posted(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.app.log if r["path"] == JOBS and r["method"] == "POST")


def orders(tmp_path: Path, text: str = ORDERS) -> str:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_dry_run_prints_the_first_job_and_sends_nothing(sandbox: SandboxServer, tmp_path: Path) -> None:
    text = ORDERS.replace("2099-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    result = run(sandbox, "import", orders(tmp_path, text), "--metric", "Placed Order", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 valid events, 2 with backfill" in result.stdout and "trigger no flow" in result.stdout
    job = json.loads(result.stdout[result.stdout.index("{") :])
    entry = job["data"]["attributes"]["events-bulk-create"]["data"][0]["attributes"]
    assert entry["backfill"] is True and entry["events"]["data"][0]["attributes"]["unique_id"].startswith("row-")
    assert posted(sandbox) == 0


def test_import_with_report_and_a_rerun(sandbox: SandboxServer, tmp_path: Path) -> None:
    text = ORDERS.replace("2099-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    args = ["import", orders(tmp_path, text), "--metric", "Placed Order", "--unique-id-column", "order_id"]
    report = tmp_path / "report.csv"
    result = run(sandbox, *args, "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "2 accepted in 1 job(s)" in result.stdout
    assert report.read_text().splitlines() == ["row,status,note", "1,sent,", "2,sent,"]
    assert run(sandbox, *args).exit_code == 0


def test_bad_rows_exit_2_and_nothing_is_sent(sandbox: SandboxServer, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    text = ORDERS + "o-3,,2025-01-01T00:00:00Z,,\n"
    bad = run(sandbox, "import", orders(tmp_path, text), "--metric", "X", "--report", str(report))
    assert bad.exit_code == 2 and "Row 3: profile" in bad.output and "Nothing was sent" in bad.output
    rows = list(csv.reader(report.read_text().splitlines()))
    assert rows[1] == ["1", "not sent: other rows need fixing first", ""] and rows[2][1].startswith("invalid: time")
    assert rows[3][0] == "3" and rows[3][1].startswith("invalid: profile: Say who the event is for")
    both = run(sandbox, "import", orders(tmp_path), "--metric", "X", "--metric-column", "order_id")
    assert both.exit_code == 2 and "one of them" in both.output
    missing = run(sandbox, "import", str(tmp_path / "none.csv"), "--metric", "X")
    assert missing.exit_code == 2 and "Cannot read" in missing.output
    assert posted(sandbox) == 0


def test_bulk_csv_is_an_alias_of_import(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = orders(tmp_path, "metric,email,time\nPlaced Order,a@example.com,2025-01-01T00:00:00Z\n")
    result = run(sandbox, "bulk", "--csv", path)
    assert result.exit_code == 0, result.output
    assert "events import" in result.output and "--metric-column metric" in result.output
    assert "1 accepted in 1 job(s)" in result.stdout


def test_live_confirmation_says_flows_may_fire_for_recent_rows(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLAVIYO_LIVE", "1")
    text = ORDERS.replace("2099-01-01T00:00:00Z", "")
    args = ["import", orders(tmp_path, text), "--metric", "Placed Order"]
    refused = run(sandbox, *args)
    assert refused.exit_code == 2 and "1 of them are from the last day" in refused.output
    assert "flows they trigger may fire" in refused.output and posted(sandbox) == 0
    done = run(sandbox, *args, "--confirm-account", ENV_ACCOUNT_NAME)
    assert done.exit_code == 0, done.output
    assert posted(sandbox) == 1


def test_a_semicolon_file_with_types_and_a_resumed_run(sandbox: SandboxServer, tmp_path: Path) -> None:
    text = "order_id;email;time;value;Gesamt;Punkte\n"
    text += "".join(f"o-{i};p{i}@example.com;2025-03-01T14:30:00Z;1.234,50;49,90;{i}\n" for i in range(2000))
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode("cp1252"))
    args = ["import", str(path), "--metric", "Placed Order", "--type", "Punkte=text"]
    dry = run(sandbox, *args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        "Properties: order_id (text), Gesamt (number), Punkte (text)." in dry.stdout and '"value": 1234.5' in dry.stdout
    )
    # seed 0 rolls pass-then-fail: one of the two jobs is accepted, the other refused (a 400 is not retried)
    sandbox.app.faults.set(Faults(error_rate=0.5, error_statuses=[400], paths=[JOBS], seed=0))
    first = run(sandbox, *args)
    assert first.exit_code == 1, first.output
    assert "1,000 accepted in 2 job(s)" in first.stdout
    sandbox.app.faults.clear()
    again = run(sandbox, *args)
    assert again.exit_code == 0, again.output
    assert "Resuming: 1 job(s)" in again.output and "2,000 accepted in 1 job(s)" in again.stdout
    bad = run(sandbox, "import", str(path), "--metric", "X", "--type", "Punkte:text")
    assert bad.exit_code == 2 and "Column=number" in bad.output
