"""`python -m klaviyo_core catalog import FILE [--variants FILE] [--delete-missing] [--store-url URL] [--dry-run]
[--report OUT.csv]`

Changes go as bulk jobs of up to 100 resources; running the same command again after an interruption resumes
the jobs in flight instead of sending them again. `--delete-missing` also deletes the items (and, with
variants, the variants) the account has and the file does not name: shown in the plan, counted in the LIVE
confirmation. Exit codes as every writer: 0 every change applied (or nothing to do), 1 some rows were skipped
or failed (see the report), 2 the file or options are unusable or the write was refused (a LIVE account
without `--confirm-account NAME`, a plan for another account), 3 the API refused (auth, scope, outage).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from klaviyo_core.catalog import (
    DELETE,
    FEED_WARNING,
    SKIP,
    UPDATE,
    CatalogFileError,
    CatalogPlan,
    apply_catalog,
    first_request,
    plan_catalog,
    read_catalog_file,
    read_variants_file,
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
    if plan.variants or any(d.kind == "variant" for d in plan.deletes):
        typer.echo("Variants: " + ", ".join(f"{n} {a}" for a, n in plan.counts("variant").items()))
    if plan.new_categories:
        typer.echo(f"New categories: {', '.join(plan.new_categories.values())}")
    for item in plan.rows():
        if item.action == UPDATE:
            typer.echo(f"update {item.kind} line {item.line} {item.external_id}: {', '.join(item.changed)}")
        elif item.action == DELETE:
            typer.echo(f"delete {item.kind} {item.external_id} (in the account, not in the file)")
        for problem in item.problems:
            typer.echo(f"{'skip' if item.action == SKIP else 'warning'} {problem}")
    request = first_request(plan)
    if dry_run and request is not None:
        method, path, body = request
        typer.echo(f"First request: {method} {path}\n{json.dumps(body, indent=2, ensure_ascii=False)}")


def _unusable(path: Path, exc: CatalogFileError) -> typer.Exit:
    typer.echo(f"{path}: {exc}", err=True)
    return typer.Exit(ExitCode.BAD_INPUT)


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The product CSV file"),
    variants: Path | None = typer.Option(
        None, "--variants", exists=True, dir_okay=False, readable=True, help="A variants CSV (one row per variant)"
    ),
    delete_missing: bool = typer.Option(
        False, "--delete-missing", help="Also delete items/variants the account has and the file does not name"
    ),
    store_url: str | None = typer.Option(None, "--store-url", help="Shopify exports: your store's https address"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan and the first job's request; write nothing"),
    report: Path | None = typer.Option(None, "--report", help="Write the per-row report here (CSV)"),
    confirm_account: str | None = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    try:
        catalog_file = read_catalog_file(file.read_bytes(), store_url=store_url)
    except CatalogFileError as exc:
        raise _unusable(file, exc) from None
    try:
        variant_rows = read_variants_file(variants.read_bytes()) if variants is not None else None
    except CatalogFileError as exc:
        raise _unusable(variants or file, exc) from None
    client = client_from(ctx)  # exits 2 by itself on a missing or malformed key
    target = target_from(ctx)  # the plan is read from this account and can only be applied to it
    with guard():
        plan = plan_catalog(client, catalog_file, target=target, variants=variant_rows, delete_missing=delete_missing)
    typer.echo(f"File: {catalog_file.source.value}; {len(plan.items)} products")
    _print_plan(plan, dry_run)
    result = None
    if not dry_run and plan.writes:
        typer.echo(f"note: {FEED_WARNING}", err=True)

        def progress(done: int, total: int, _: str) -> None:
            if done == total or done % 50 == 0:
                typer.echo(f"{done} of {total} job(s) complete", err=True)

        result = confirmed_write(
            ctx,
            plan.effect(),
            confirm_account,
            lambda target, confirmation: apply_catalog(
                client, plan, target=target, confirmation=confirmation, on_progress=progress, file_name=file.name
            ),
        )
        if result.resumed:
            typer.echo("Resumed an interrupted run of this plan: jobs sent before were polled, not sent again.")
        typer.echo("Result: " + ", ".join(f"{n} {s}" for s, n in result.counts().items()))
    if report is not None:
        write_private_text(report, report_csv(plan, result))
        typer.echo(f"Report written to {report}")
    incomplete = plan.counts()[SKIP] or plan.counts("variant")[SKIP] or (result is not None and not result.ok)
    raise typer.Exit(ExitCode.PARTIAL if incomplete else ExitCode.OK)
