"""`python -m klaviyo_core reports campaigns --timeframe last_30_days --conversion-metric "Placed Order" [--out F]`."""

from __future__ import annotations

from pathlib import Path

import typer

from klaviyo_core import metrics as metrics_core
from klaviyo_core import reports as core
from klaviyo_core.accounts import fetch_account
from klaviyo_core.cli.common import ExitCode, client_from, err, fail_usage, guard
from klaviyo_core.csvfile import frame_csv
from klaviyo_core.http import KlaviyoClient
from klaviyo_core.paths import write_private_text

app = typer.Typer(help="Reports: campaign performance as Klaviyo's UI shows it (budgeted: 225 calls a day).")


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


@app.command("campaigns")
def campaigns_command(
    ctx: typer.Context,
    timeframe: str = typer.Option("last_30_days", "--timeframe", help=f"One of: {', '.join(core.TIMEFRAMES)}."),
    conversion_metric: str = typer.Option("Placed Order", "--conversion-metric", help="Metric name or id."),
    out: Path = typer.Option(None, "--out", help="Write the table to this CSV file instead of stdout."),
    refresh: bool = typer.Option(False, "--refresh", help="Ignore the cached answer (spends one reporting call)."),
) -> None:
    """Per campaign message: recipients, delivered, open and click rates, conversions, revenue per recipient."""
    if timeframe not in core.TIMEFRAMES:
        fail_usage(f"--timeframe must be one of: {', '.join(core.TIMEFRAMES)}; not '{timeframe}'.")
    client = client_from(ctx)
    with guard():
        metric_id = _conversion_metric(client, conversion_metric)
        account_id = fetch_account(client).id
        try:
            report = core.campaign_report(client, account_id, timeframe, metric_id, refresh=refresh)
        except core.BudgetExhaustedError as exc:
            err(f"Error: {exc}")
            raise typer.Exit(ExitCode.API) from None
    text = frame_csv(report.frame)
    if out:
        write_private_text(out, text)
        err(f"Wrote {len(report.frame)} rows to {out}.")
    else:
        typer.echo(text, nl=False)
    source = "from cache" if report.from_cache else "fresh from the API"
    err(f"{len(report.frame)} campaign messages, {timeframe}; {source}, {report.cached.describe_age()}.")
    err(f"Reporting budget: {report.budget.describe(report.cached.fetched_at)}.")
    raise typer.Exit(ExitCode.OK)
