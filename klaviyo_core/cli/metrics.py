"""`python -m klaviyo_core metrics list` and `metrics query --metric NAME --from DATE --to DATE ...`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import typer

from klaviyo_core import metrics as core
from klaviyo_core.accounts import fetch_account
from klaviyo_core.cli.common import ExitCode, client_from, fail_usage, guard
from klaviyo_core.http import KlaviyoClient
from klaviyo_core.paths import write_private_text

app = typer.Typer(help="Metrics: list them and query their aggregates (count, revenue, unique profiles).")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every metric: id, name, integration, created."""
    client = client_from(ctx)
    with guard():
        metrics = core.list_metrics(client)
    for metric in metrics:
        typer.echo(f"{metric.id}\t{metric.name}\t{metric.integration or '-'}\t{metric.created}")
    if not metrics:
        typer.echo("No metrics yet: a metric appears when its first event arrives.", err=True)
    raise typer.Exit(ExitCode.OK)


def _resolve_metric(client: KlaviyoClient, wanted: str) -> core.MetricInfo:
    metrics = core.list_metrics(client)
    exact = [m for m in metrics if m.id == wanted] or [m for m in metrics if m.name.lower() == wanted.lower()]
    if len(exact) == 1:
        return exact[0]
    if not exact:
        names = ", ".join(sorted({m.name for m in metrics})) or "none yet"
        fail_usage(f"No metric named or with id '{wanted}'. Known metrics: {names}.")
    choices = "; ".join(f"{m.id} ({m.integration})" for m in exact)
    fail_usage(f"Several metrics are named '{wanted}': pass one id instead: {choices}.")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail_usage(f"{option} must be a date like 2026-11-01, not '{text}'.")


@app.command("query")
def query_command(
    ctx: typer.Context,
    metric: str = typer.Option(..., "--metric", help="Metric name (e.g. 'Placed Order') or id."),
    from_: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (in --timezone)."),
    to: str = typer.Option(..., "--to", help="Last day, inclusive, YYYY-MM-DD. Ranges over a year are split."),
    interval: str = typer.Option("day", "--interval", help="hour, day, week or month."),
    measurement: str = typer.Option("count", "--measurement", help="count, sum_value or unique."),
    by: str = typer.Option(None, "--by", help="Break down by a dimension, e.g. '$flow' or '$attributed_channel'."),
    timezone: str = typer.Option(None, "--timezone", help="IANA zone (default: the account's)."),
    csv: Path = typer.Option(None, "--csv", help="Write the rows to this CSV file instead of stdout."),
) -> None:
    """Aggregates per bucket (and dimension value) as CSV, plus the total against the previous period."""
    first, last = _day(from_, "--from"), _day(to, "--to")
    if measurement not in core.MEASUREMENTS or interval not in core.INTERVALS:
        fail_usage(
            f"--measurement is one of {', '.join(core.MEASUREMENTS)}; --interval one of {', '.join(core.INTERVALS)}."
        )
    client = client_from(ctx)
    with guard():
        try:
            info = _resolve_metric(client, metric)
            zone = timezone or fetch_account(client).timezone or "UTC"
            start, end = core.local_range(first, last, zone)
            query = core.AggregateQuery(info.id, start, end, interval, (measurement,), zone, (by,) if by else ())
        except (ValueError, ZoneInfoNotFoundError) as exc:
            fail_usage(str(exc) or f"Unknown timezone '{timezone}'.")
        result = core.query_aggregates(client, query)
        previous = core.query_aggregates(client, query.previous())
    text = core.to_csv(result.frame.assign(metric=info.name)[["metric", *result.frame.columns]])
    if csv:
        write_private_text(csv, text)
        typer.echo(f"Wrote {len(result.frame)} rows to {csv}.", err=True)
    else:
        typer.echo(text, nl=False)
    (change,) = core.compare(result, previous)
    summary = f"{info.name} {measurement} {first}..{last} ({zone}): {change.current:,.2f}"
    typer.echo(f"{summary} ({core.format_ratio(change) or 'no previous data'} vs previous period)", err=True)
    if result.is_empty:
        typer.echo(core.empty_reason(result, info.name, info.created), err=True)
    raise typer.Exit(ExitCode.OK)
