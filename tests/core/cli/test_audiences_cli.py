"""`python -m klaviyo_core audiences export` against a real sandbox (CliRunner, in process)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY


@pytest.fixture
def run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--base-url", sandbox.url, "audiences", "export", *args])

    return invoke


def test_export_segment_by_name_hashed_for_google(sandbox: SandboxServer, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed_demo(sandbox.app.store, profiles=60)
    out = tmp_path / "vip.csv"
    result = run("--segment", "vip customers", "--out", str(out), "--hashed", "google")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and list(rows[0]) == ["email", "email_sha256", "phone_sha256"]  # email by default (issue 18)
    assert f"Wrote {len(rows)} members of segment 'VIP customers'" in result.output
    assert FULL_KEY not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.csv"], "exactly one of --list"),
        (["--list", "a", "--segment", "b", "--out", "x.csv"], "exactly one of --list"),
        (["--list", "a", "--out", "x.csv", "--hashed", "tiktok"], "--hashed is one of google, meta"),
        (["--list", "No such list", "--out", "x.csv"], "No list named or with id 'No such list'"),
    ],
)
def test_bad_usage_exits_2_and_writes_nothing(run, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    args = [str(tmp_path / a) if a == "x.csv" else a for a in args]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output and not (tmp_path / "x.csv").exists()
