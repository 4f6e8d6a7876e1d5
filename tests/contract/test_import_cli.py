"""`python -m klaviyo_core profiles import`: exit codes, messages without tracebacks, kill-and-resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.contract.test_import_profiles import job_posts, read_report, stored_profiles, write_people

runner = CliRunner()


def run_cli(sandbox: SandboxServer | None, tmp_path: Path, *args: str, key: str = FULL_KEY):  # type: ignore[no-untyped-def]
    base = ["--base-url", sandbox.url] if sandbox else []
    env = {"KLAVIYO_API_KEY": key}
    return runner.invoke(app, [*base, "profiles", "import", *args, "--data-dir", str(tmp_path / "data"), "-q"], env=env)


def test_import_all_good_exits_0(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = write_people(tmp_path / "p.csv", 20)
    report = tmp_path / "out.csv"
    result = run_cli(sandbox, tmp_path, str(path), "--report", str(report), "--list-name", "From CSV")
    assert result.exit_code == 0, result.output
    assert "20 rows: 20 imported" in result.stdout
    assert {r["status"] for r in read_report(report)} == {"imported"}
    assert len(stored_profiles(sandbox)) == 20


def test_some_rejected_exits_1_with_report(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = write_people(tmp_path / "p.csv", 20, bad_every=4)
    report = tmp_path / "out.csv"
    result = run_cli(sandbox, tmp_path, str(path), "--report", str(report))
    assert result.exit_code == 1, result.output
    assert "15 imported, 5 rejected" in result.stdout and report.exists()


def test_dry_run_needs_no_key_and_writes_the_first_job(tmp_path: Path) -> None:
    path = write_people(tmp_path / "p.csv", 5)
    report = tmp_path / "dry.csv"
    result = run_cli(None, tmp_path, str(path), "--dry-run", "--report", str(report), key="")
    assert result.exit_code == 0, result.output
    first = json.loads(Path(str(report) + ".first-job.json").read_text(encoding="utf-8"))
    assert len(first["data"]["attributes"]["profiles"]["data"]) == 5


def test_maps_and_saved_mappings(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Contact,Score\na@example.com,3\n", encoding="utf-8")
    args = [str(path), "--dry-run", "--map", "Contact=email", "--map", "Score=loyalty:number"]
    assert run_cli(None, tmp_path, *args, "--save-mapping", "odd", key="").exit_code == 0
    again = run_cli(None, tmp_path, str(path), "--dry-run", "--mapping", "odd", "--report", str(tmp_path / "r.csv"))
    assert again.exit_code == 0, again.output
    first = json.loads((tmp_path / "r.csv.first-job.json").read_text(encoding="utf-8"))
    attrs = first["data"]["attributes"]["profiles"]["data"][0]["attributes"]
    assert attrs == {"email": "a@example.com", "properties": {"loyalty": 3}}


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda p: p.write_bytes(b""), [], "empty"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(300)), [], "Excel"),
        (lambda p: p.write_text("email\na@example.com\n"), ["--map", "Nope=email"], "does not have"),
        (lambda p: p.write_text("email\na@example.com\n"), ["--subscribe", "fax"], "--subscribe"),
        (lambda p: p.write_text("email\na@example.com\n"), ["--default-country", "XX"], "country"),
        (lambda p: p.write_text("first\nAnn\n"), [], "at least one column to email"),
        (lambda p: p.write_text("email,name\n"), [], "no data rows"),
        (lambda p: p.write_text('email,name\na@example.com,"Ann\nb@example.com,Bob\n'), [], "never closed"),
    ],
)
def test_bad_input_exits_2_without_traceback(
    tmp_path: Path, setup: Callable[[Path], object], args: list[str], message: str
) -> None:
    path = tmp_path / "in.csv"
    setup(path)
    result = run_cli(None, tmp_path, str(path), "--dry-run", *args, key="")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = run_cli(None, tmp_path, str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "No such file" in result.output


def test_unknown_key_exits_3(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = write_people(tmp_path / "p.csv", 3)
    result = run_cli(sandbox, tmp_path, str(path), key="pk_test_unknown_000000000000000000")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and "pk_test_unknown" not in result.output


@pytest.mark.slow
def test_kill_mid_import_then_resume(sandbox_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox = sandbox_factory(job_step_seconds=0.3)
    path = write_people(tmp_path / "p.csv", 100_000)
    data = tmp_path / "data"
    cmd = [sys.executable, "-m", "klaviyo_core", "--base-url", sandbox.url, "profiles", "import", str(path)]
    cmd += ["--data-dir", str(data), "-q"]
    env = {**os.environ, "KLAVIYO_API_KEY": FULL_KEY}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    submitted = 0
    while time.monotonic() < deadline and proc.poll() is None:
        for cp in data.glob("imports/*/checkpoint.json"):
            try:
                chunks = json.loads(cp.read_text(encoding="utf-8"))["chunks"]
            except ValueError:
                continue  # caught between write and rename? (never: the write is atomic) - retry
            submitted = sum(1 for c in chunks if c["job_id"])
        if submitted >= 1:
            break
        time.sleep(0.05)  # polling the checkpoint file, with a deadline
    assert submitted >= 1, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    posted_before = job_posts(sandbox)
    again = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "100,000 rows: 100,000 imported" in again.stdout
    assert job_posts(sandbox) == 10 and posted_before >= 1  # each chunk sent exactly once across both runs
    assert len(stored_profiles(sandbox)) == 100_000


def test_without_data_dir_the_import_keeps_its_files_under_the_workbench_home(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default comes from klaviyo_core.paths (the relayout once shadowed it with the --data-dir option)."""
    home = tmp_path / "home"
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(home))
    path = write_people(tmp_path / "p.csv", 3)
    args = ["--base-url", sandbox.url, "profiles", "import", str(path), "--save-mapping", "people", "-q"]
    result = runner.invoke(app, args, env={"KLAVIYO_API_KEY": FULL_KEY})
    assert result.exit_code == 0, result.output
    assert (home / "profiles" / "mappings").is_dir()


def test_progress_lines_speak_of_rows_checked_sent_and_confirmed(sandbox: SandboxServer, tmp_path: Path) -> None:
    """Issue 13 item 8: the CLI shares the page's words (no "errors: 20/20 rows sent")."""
    path = write_people(tmp_path / "p.csv", 20, bad_every=4)
    args = [
        "--base-url", sandbox.url, "profiles", "import", str(path), "--data-dir", str(tmp_path / "data"),
    ]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"KLAVIYO_API_KEY": FULL_KEY})
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith("Reading the file:") for line in lines), lines
    assert any(line.startswith("Checked ") and "5 problems so far" in line for line in lines), lines
    assert "Sent 15 of 15 rows, confirmed by Klaviyo 15, 5 problems so far" in lines, lines
    assert not any("errors:" in line or "jobs done" in line for line in lines), lines
