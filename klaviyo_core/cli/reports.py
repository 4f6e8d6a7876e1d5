"""`python -m klaviyo_core reports campaigns|flows|flow-series|segments --timeframe last_30_days
--conversion-metric "Placed Order" [--out F]`: one budgeted, cached reporting call each (225 a day per account)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from klaviyo_core import metrics as metrics_core
from klaviyo_core import reports as core
from klaviyo_core.accounts import fetch_account
from klaviyo_core.cli.common import ExitCode, client_from, err, fail_usage, guard
from klaviyo_core.csvfile import frame_csv
from klaviyo_core.http import KlaviyoClient
from klaviyo_core.paths import write_private_text

app = typer.Typer(help="Reports: campaign, flow and segment performance as Klaviyo's UI shows it (225 calls a day).")


def _conversion_metric(client: KlaviyoClient, wanted: str) -> str:
    """A metric id from its id or name; several metrics of one name (integrations) must be told apart by id."""
    metrics = metrics_core.list_metrics(client)
    exact = [m for m in metrics if m.id == wanted] or [m for m in metrics if m.name.lower() == wanted.lower()]
    if len(exact) == 1:
        return exact[0].id
    if not exact:
        names = ", ".join(sorted({m.name for m in metrics})) or "none yet"
        fail_usage(f"No metric named or with id '{wanted}'. Known metrics: {names}.")
    choices = "; ".join(f"{m.id} ({m.integration})" for m in exact)
    fail_usage(f"Several metrics are named '{wanted}': pass one id instead: {choices}.")


def _timeframe(timeframe: str) -> None:
    if timeframe not in core.TIMEFRAMES:
        fail_usage(f"--timeframe must be one of: {', '.join(core.TIMEFRAMES)}; not '{timeframe}'.")


def _run(client: KlaviyoClient, fetch: Callable[[str], Any]) -> Any:
    """The account id, then one budgeted report; a spent budget is exit 3 with the budget's own words."""
    with guard():
        try:
            return fetch(fetch_account(client).id)
        except core.BudgetExhaustedError as exc:
            err(f"Error: {exc}")
            raise typer.Exit(ExitCode.API) from None


def _emit(frame: pd.DataFrame, report: Any, what: str, timeframe: str, out: Path | None) -> None:
    """The table as CSV (the one writer) to --out or stdout, then where it came from and the budget, on stderr."""
    text = frame_csv(frame)
    if out:
        write_private_text(out, text)
        err(f"Wrote {len(frame)} rows to {out}.")
    else:
        typer.echo(text, nl=False)
    source = "from cache" if report.from_cache else "fresh from the API"
    err(f"{len(frame)} {what}, {timeframe}; {source}, {report.cached.describe_age()}.")
    err(f"Reporting budget: {report.budget.describe(report.cached.fetched_at)}.")
    raise typer.Exit(ExitCode.OK)


def _setup(ctx: typer.Context, timeframe: str, conversion_metric: str) -> tuple[KlaviyoClient, str]:
    """The checked timeframe's client and conversion metric id (usage errors before any call)."""
    _timeframe(timeframe)
    client = client_from(ctx)
    with guard():
        return client, _conversion_metric(client, conversion_metric)


TIMEFRAME = typer.Option("last_30_days", "--timeframe", help=f"One of: {', '.join(core.TIMEFRAMES)}.")
METRIC = typer.Option("Placed Order", "--conversion-metric", help="Metric name or id.")
OUT = typer.Option(None, "--out", help="Write the table to this CSV file instead of stdout.")
REFRESH = typer.Option(False, "--refresh", help="Ignore the cached answer (spends one reporting call).")


@app.command("campaigns")
def campaigns_command(
    ctx: typer.Context,
    timeframe: str = TIMEFRAME,
    conversion_metric: str = METRIC,
    out: Path = OUT,
    refresh: bool = REFRESH,
) -> None:
    """Per campaign message: recipients, delivered, open and click rates, conversions, revenue per recipient."""
    client, metric_id = _setup(ctx, timeframe, conversion_metric)
    report = _run(client, lambda account: core.campaign_report(client, account, timeframe, metric_id, refresh=refresh))
    _emit(report.frame, report, "campaign messages", timeframe, out)


@app.command("flows")
def flows_command(
    ctx: typer.Context,
    timeframe: str = TIMEFRAME,
    conversion_metric: str = METRIC,
    out: Path = OUT,
    refresh: bool = REFRESH,
    per_message: bool = typer.Option(False, "--per-message", help="One row per flow message, not per flow."),
) -> None:
    """Per flow (or per flow message): recipients, delivered, open and click rates, conversions, revenue."""
    client, metric_id = _setup(ctx, timeframe, conversion_metric)
    report = _run(client, lambda account: core.flow_report(client, account, timeframe, metric_id, refresh=refresh))
    frame = report.frame if per_message else core.flows_table(report.frame)
    _emit(frame, report, "flow messages" if per_message else "flows", timeframe, out)


@app.command("flow-series")
def flow_series_command(
    ctx: typer.Context,
    timeframe: str = TIMEFRAME,
    conversion_metric: str = METRIC,
    interval: str = typer.Option("weekly", "--interval", help=f"One of: {', '.join(core.SERIES_INTERVALS)}."),
    out: Path = OUT,
    refresh: bool = REFRESH,
) -> None:
    """Per flow message and interval (weekly by default): the flow statistics over time."""
    _timeframe(timeframe)
    if interval not in core.SERIES_INTERVALS:
        fail_usage(f"--interval must be one of: {', '.join(core.SERIES_INTERVALS)}; not '{interval}'.")
    try:
        core.check_series(timeframe, interval)
    except ValueError as exc:
        fail_usage(f"{exc}")
    client, metric_id = _setup(ctx, timeframe, conversion_metric)
    report = _run(
        client,
        lambda account: core.flow_report(client, account, timeframe, metric_id, interval=interval, refresh=refresh),
    )
    _emit(report.frame, report, f"{interval} points", timeframe, out)


@app.command("segments")
def segments_command(ctx: typer.Context, timeframe: str = TIMEFRAME, out: Path = OUT, refresh: bool = REFRESH) -> None:
    """Per segment: members at the period's end, added, removed and the net change."""
    _timeframe(timeframe)
    client = client_from(ctx)
    report = _run(client, lambda account: core.segment_report(client, account, timeframe, refresh=refresh))
    _emit(report.frame, report, "segments", timeframe, out)
