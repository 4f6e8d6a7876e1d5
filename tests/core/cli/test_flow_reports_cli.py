"""`python -m klaviyo_core reports flows|flow-series|segments` against the sandbox's demo data (CliRunner)."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from klaviyo_core.cli import app
from klaviyo_core.reports import forget_names
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY

Run = Callable[..., Result]


@pytest.fixture
def run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Run]:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))  # its own budget and cache
    seed_demo(sandbox.app.store, profiles=300)
    forget_names()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, ["--base-url", sandbox.url, "reports", *args])

    yield invoke
    forget_names()


def test_flows_per_flow_to_csv_then_from_cache(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "flows.csv"
    first = run("flows", "--timeframe", "last_30_days", "--conversion-metric", "Placed Order", "--out", str(out))
    assert first.exit_code == 0, first.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("flow,tags,flow_id,messages,recipients") and len(lines) == 5  # four live flows
    assert any(line.startswith("Abandoned Cart,Retention,") for line in lines)  # its demo tag
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "4 flows" in first.output and "fresh from the API" in first.output and "(estimate)" in first.output
    again = run("flows", "--timeframe", "last_30_days", "--per-message")
    assert again.exit_code == 0 and "from cache" in again.output and "Abandoned Cart email" in again.output
    assert FULL_KEY not in first.output + again.output


def test_flow_series_weekly_and_segments(run: Run) -> None:
    series = run("flow-series", "--timeframe", "last_90_days")
    assert series.exit_code == 0, series.output
    assert series.output.startswith("date,flow,message,flow_id,flow_message_id,") and "weekly points" in series.output
    segments = run("segments", "--timeframe", "last_30_days")
    assert segments.exit_code == 0 and "VIP customers," in segments.output and "5 segments" in segments.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("flow-series", "--interval", "yearly"), "--interval must be one of"),
        (("flow-series", "--timeframe", "last_90_days", "--interval", "daily"), "at most 60 days"),
        (("flows", "--timeframe", "fortnight"), "--timeframe must be one of"),
        (("segments", "--timeframe", "fortnight"), "--timeframe must be one of"),
    ],
)
def test_bad_input_says_what_to_do(run: Run, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2 and message in result.output
