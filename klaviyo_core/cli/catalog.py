"""`python -m klaviyo_core catalog import FILE [--store-url URL] [--dry-run] [--report OUT.csv]`

Exit codes as every writer: 0 every product applied (or nothing to do), 1 some rows were skipped or failed (see
the report), 2 the file or options are unusable or the write was refused (a LIVE account without
`--confirm-account NAME`, a plan for another account), 3 the API refused (auth, scope, outage).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from klaviyo_core.catalog import (
    FEED_WARNING,
    SKIP,
    UPDATE,
    CatalogFileError,
    CatalogPlan,
    apply_catalog,
    first_request,
    plan_catalog,
    read_catalog_file,
    report_csv,
)
from klaviyo_core.cli.common import (
    CONFIRM_HELP,
    ExitCode,
    client_from,
    confirmed_write,
    guard,
    target_from,
)
from klaviyo_core.paths import write_private_text

app = typer.Typer(help="Sync products into Klaviyo's catalog from a CSV file.", no_args_is_help=True)


def _print_plan(plan: CatalogPlan, dry_run: bool) -> None:
    typer.echo("Plan: " + ", ".join(f"{n} {a}" for a, n in plan.counts().items()))
    for item in plan.items:
        if item.action == UPDATE:
            typer.echo(f"update line {item.line} {item.external_id}: {', '.join(item.changed)}")
        for problem in item.problems:
            typer.echo(f"{'skip' if item.action == SKIP else 'warning'} {problem}")
    request = first_request(plan)
    if dry_run and request is not None:
        method, path, body = request
        typer.echo(f"First request: {method} {path}\n{json.dumps(body, indent=2, ensure_ascii=False)}")


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The product CSV file"),
    store_url: str | None = typer.Option(None, "--store-url", help="Shopify exports: your store's https address"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan and the first request; write nothing"),
    report: Path | None = typer.Option(None, "--report", help="Write the per-row report here (CSV)"),
    confirm_account: str | None = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    try:
        catalog_file = read_catalog_file(file.read_bytes(), store_url=store_url)
    except CatalogFileError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    client = client_from(ctx)  # exits 2 by itself on a missing or malformed key
    target = target_from(ctx)  # the plan is read from this account and can only be applied to it
    with guard():
        plan = plan_catalog(client, catalog_file, target=target)
    typer.echo(f"File: {catalog_file.source.value}; {len(plan.items)} products")
    _print_plan(plan, dry_run)
    result = None
    if not dry_run and plan.writes:
        typer.echo(f"note: {FEED_WARNING}", err=True)
        result = confirmed_write(
            ctx,
            f"create or update {plan.writes} catalog item(s)",
            confirm_account,
            lambda target, confirmation: apply_catalog(
                client, plan, target=target, confirmation=confirmation, file_name=file.name
            ),
        )
        typer.echo("Result: " + ", ".join(f"{n} {s}" for s, n in result.counts().items()))
    if report is not None:
        write_private_text(report, report_csv(plan, result))
        typer.echo(f"Report written to {report}")
    incomplete = plan.counts()[SKIP] or (result is not None and not result.ok)
    raise typer.Exit(ExitCode.PARTIAL if incomplete else ExitCode.OK)
