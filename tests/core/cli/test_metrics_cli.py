"""`python -m klaviyo_core metrics list|query` against a real sandbox (typer's CliRunner, in process)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.metrics_support import add_events


@pytest.fixture
def run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--base-url", sandbox.url, "metrics", *args])

    return invoke


def _orders(sandbox: SandboxServer) -> None:
    day = int(datetime(2026, 6, 2, 15, tzinfo=UTC).timestamp())
    rows = [(day, "A", 20.0, {"$attributed_channel": "email"}), (day + 60, "B", 30.0, {})]
    rows.append((day - 7 * 86400, "A", 10.0, {}))  # the previous week
    add_events(sandbox.app.store, "Placed Order", rows)


def test_metrics_list(sandbox: SandboxServer, run) -> None:  # type: ignore[no-untyped-def]
    _orders(sandbox)
    result = run("list")
    assert result.exit_code == 0, result.output
    assert "\tPlaced Order\tAPI\t" in result.output
    assert FULL_KEY not in result.output


def test_metrics_query_to_csv_with_comparison(sandbox: SandboxServer, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _orders(sandbox)
    out = tmp_path / "orders.csv"
    result = run(
        "query", "--metric", "placed order", "--from", "2026-06-01", "--to", "2026-06-07",
        "--measurement", "sum_value", "--timezone", "America/New_York", "--csv", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "metric,date,sum_value" and len(lines) == 8
    assert "Placed Order,2026-06-02T00:00:00-04:00,50.0" in lines
    assert "50.00 (+400.0% vs previous period)" in result.output


def test_metrics_query_by_dimension_to_stdout(sandbox: SandboxServer, run) -> None:  # type: ignore[no-untyped-def]
    _orders(sandbox)
    result = run(
        "query",
        "--metric",
        "Placed Order",
        "--from",
        "2026-06-02",
        "--to",
        "2026-06-02",
        "--by",
        "$attributed_channel",
        "--timezone",
        "UTC",
    )
    assert result.exit_code == 0, result.output
    assert "metric,date,$attributed_channel,count" in result.output
    assert "Placed Order,2026-06-02T00:00:00+00:00,email,1.0" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "Nope", "--from", "2026-06-01", "--to", "2026-06-02"], "No metric named"),
        (["--metric", "Placed Order", "--from", "June 1", "--to", "2026-06-02"], "--from must be a date"),
        (["--metric", "Placed Order", "--from", "2026-06-05", "--to", "2026-06-01"], "range is empty"),
        (
            ["--metric", "Placed Order", "--from", "2026-06-01", "--to", "2026-06-02", "--interval", "minute"],
            "--interval",
        ),
        (
            ["--metric", "Placed Order", "--from", "2026-06-01", "--to", "2026-06-02", "--timezone", "Mars/Base"],
            "Mars/Base",
        ),
    ],
)
def test_metrics_query_bad_input_exits_2(sandbox: SandboxServer, run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    _orders(sandbox)
    result = run("query", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_metrics_query_rejected_by_the_api_is_explained(sandbox: SandboxServer, run) -> None:  # type: ignore[no-untyped-def]
    _orders(sandbox)
    result = run(
        "query",
        "--metric",
        "Placed Order",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-02",
        "--by",
        "Favourite Colour",
        "--timezone",
        "UTC",
    )
    assert result.exit_code == 2, result.output  # the API's 400 invalid: bad input, explained
    assert "Error:" in result.output and "Traceback" not in result.output
