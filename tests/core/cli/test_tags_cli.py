"""`python -m klaviyo_core tags import`: dry run, apply, report, exit codes, profile labels."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY
from tests.core.cli.test_cli import cli
from tests.sandbox.engine.helpers import call

GROUPS = "tag_group,tag,exclusive\nChannel,Email,\nChannel,SMS,\n"


def _file(tmp_path: Path, text: str, name: str = "tags.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(sandbox: SandboxServer, *args: str):  # type: ignore[no-untyped-def]
    return cli("--base-url", sandbox.url, "tags", "import", *args, env={"KLAVIYO_API_KEY": FULL_KEY})


def test_dry_run_writes_nothing_then_apply_then_rerun(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = _file(tmp_path, GROUPS)
    dry = run(sandbox, path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "New tag groups: 1; new tags: 2" in dry.stdout
    groups = call(sandbox.url, "GET", "/api/tag-groups").json()["data"]
    assert [g["attributes"]["name"] for g in groups] == ["Default"]
    applied = run(sandbox, path, "--report", str(tmp_path / "out.csv"))
    assert applied.returncode == 0, applied.stderr
    assert "Result: 2 done" in applied.stdout and FULL_KEY not in applied.stdout + applied.stderr
    report = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert [r["status"] for r in report] == ["done", "done"]
    again = run(sandbox, path)
    assert again.returncode == 0 and "2 unchanged" in again.stdout and "Result:" not in again.stdout


def test_skipped_rows_exit_1_with_reasons(sandbox: SandboxServer, tmp_path: Path) -> None:
    seed_demo(sandbox.app.store)
    text = "resource_type,resource,tag_group,tag\ncampaign,Summer Sale Launch,Season,Holiday\nflow,Nope,X,Y\n"
    result = run(sandbox, _file(tmp_path, text))
    assert result.returncode == 1
    assert "exclusive group conflict" in result.stdout and "unknown flow 'Nope'" in result.stdout


def test_bad_file_exits_2(sandbox: SandboxServer, tmp_path: Path) -> None:
    result = run(sandbox, _file(tmp_path, "name,color\nx,y\n"))
    assert result.returncode == 2 and "Unrecognised header" in result.stderr and "Traceback" not in result.stderr


def test_unknown_key_exits_3_and_malformed_key_exits_2(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = _file(tmp_path, GROUPS)
    unknown = "pk_test_WRONG_key_1234567890abcdef"
    result = cli("--base-url", sandbox.url, "tags", "import", path, env={"KLAVIYO_API_KEY": unknown})
    assert result.returncode == 3 and "Traceback" not in result.stderr and unknown not in result.stderr
    malformed = cli("--base-url", sandbox.url, "tags", "import", path, env={"KLAVIYO_API_KEY": "pk_short"})
    assert malformed.returncode == 2 and "Unexpected problem" not in malformed.stderr


def test_profile_labels_need_a_property(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = _file(tmp_path, "email,label\nana@example.com,vip\n")
    missing = run(sandbox, path)
    assert missing.returncode == 2 and "--property" in missing.stderr
    started = run(sandbox, path, "--property", "labels", "--mode", "replace")
    assert started.returncode == 0, started.stderr
    assert "custom property 'labels' (replace) for 1 profiles" in started.stdout
    assert "Started bulk import job(s):" in started.stdout


def test_profile_label_merge_run_twice_adds_nothing(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from klaviyo_core.cli import app

    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path))
    path = _file(tmp_path, "email,label\nann@example.com,vip\nann@example.com,summer\n")
    args = ["--base-url", sandbox.url, "tags", "import", path, "--property", "labels"]  # merge is the default
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0 and "Started bulk import job(s)" in first.stdout, first.output
    second = CliRunner().invoke(app, args)  # right away: it waits for the first job, then reads
    assert second.exit_code == 0, second.output
    assert "Nothing to add" in second.stdout and "1 profiles already have every label" in second.stdout
    (profile,) = call(sandbox.url, "GET", '/api/profiles?filter=equals(email,"ann@example.com")').json()["data"]
    assert profile["attributes"]["properties"]["labels"] == ["vip", "summer"]
