"""`python -m klaviyo_core reports campaigns` against the sandbox's demo data (typer's CliRunner, in process)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.reports import ReportingBudget
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY


@pytest.fixture
def run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))  # its own budget and cache
    seed_demo(sandbox.app.store)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--base-url", sandbox.url, "reports", "campaigns", *args])

    return invoke


def test_campaigns_to_csv_then_from_cache(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "campaigns.csv"
    first = run("--timeframe", "last_30_days", "--conversion-metric", "Placed Order", "--out", str(out))
    assert first.exit_code == 0, first.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("campaign,message,tags,channel,campaign_id") and len(lines) == 5
    assert any(line.startswith("Summer Sale Launch,Summer Sale Launch (email),") for line in lines), lines
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "fresh from the API" in first.output and "(estimate)" in first.output
    again = run("--timeframe", "last_30_days")
    assert again.exit_code == 0 and "from cache" in again.output
    assert FULL_KEY not in first.output + again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--timeframe", "fortnight"), "--timeframe must be one of"),
        (("--conversion-metric", "Nope"), "No metric named"),
    ],
)
def test_bad_input_exits_2_with_what_to_do(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2 and message in result.output


def test_a_spent_budget_exits_3_and_says_why(run, sandbox: SandboxServer) -> None:  # type: ignore[no-untyped-def]
    account_id = sandbox.app.config.account_id
    budget = ReportingBudget(account_id)
    for _ in range(budget.limit):
        budget.spend()
    result = run("--timeframe", "last_7_days")
    assert result.exit_code == 3 and "No reporting calls left" in result.output
