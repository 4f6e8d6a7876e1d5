"""`python -m klaviyo_core catalog import FILE [--variants FILE] [--delete-missing] [--store-url URL] [--dry-run]
[--report OUT.csv] [--map "Their column=target" ...] [--no-saved-mapping]`

A file whose header is none of the formats we read is mapped: from the mapping saved on the Catalog page for
the same columns (named on stderr; `--no-saved-mapping` ignores it), else from the suggestion, with each
`--map` on top. The mapping used is printed on stderr, column by column, before anything is read.

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
    IGNORE,
    SKIP,
    TARGETS,
    UPDATE,
    CatalogFile,
    CatalogFileError,
    CatalogMappingStore,
    CatalogPlan,
    MappingError,
    Source,
    apply_catalog,
    detect_source,
    file_columns,
    first_request,
    plan_catalog,
    read_catalog_file,
    read_variants_file,
    report_csv,
    suggest_mapping,
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

EXAMPLE_MAP = '--map "Product code=external_id"'
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


def _unusable(path: Path, exc: ValueError) -> typer.Exit:
    typer.echo(f"{path}: {exc}", err=True)
    return typer.Exit(ExitCode.BAD_INPUT)


def _read(file: Path, store_url: str | None, maps: list[str], use_saved: bool) -> CatalogFile:
    """The file as the plan reads it: a known format as it is, any other header (or a template with `--map`)
    through a mapping shown on stderr; exit 2 when it cannot be read."""
    data = file.read_bytes()
    source = detect_source(data)
    if source is not None and not maps:
        return read_catalog_file(data, store_url=store_url)
    if source is not None and source is not Source.TEMPLATE:
        typer.echo(f"{file}: this is a {source.value}, read as such: --map is for other files.", err=True)
        raise typer.Exit(ExitCode.BAD_INPUT)
    columns = file_columns(data)
    store = CatalogMappingStore()
    saved = store.load(columns) if use_saved and source is None else None
    if saved is not None:
        typer.echo(
            f"Using the mapping saved for these columns ({store.path_for(columns)}); --no-saved-mapping ignores it.",
            err=True,
        )
    elif not maps:  # a guess nobody confirmed is never sent: the user says which columns go where
        suggested = " ".join(f'--map "{c}={t}"' for c, t in suggest_mapping(columns).columns if t != IGNORE)
        raise CatalogFileError(
            'The header is not one of the formats we read. Map its columns with --map "Their column=target" '
            f"(repeatable; targets: {', '.join(TARGETS)}, custom_metadata.<name>), e.g. "
            f"{suggested or EXAMPLE_MAP}, or map them once on the Catalog page."
        )
    else:
        typer.echo("Mapping: suggested from the column names, with your --map:", err=True)
    mapping = (saved or suggest_mapping(columns)).with_overrides(maps)
    for column, target in mapping.columns:
        typer.echo(f"  {column} -> {target}", err=True)
    missing = mapping.missing()
    if missing:
        hint = " ".join(f'--map "<column>={m}"' for m in missing)
        raise CatalogFileError(f"No column goes to {', '.join(missing)}: add {hint}.")
    return read_catalog_file(data, store_url=store_url, mapping=mapping)


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
    maps: list[str] = typer.Option(
        [], "--map", help='"Their column=target" (repeatable): a template column, categories, custom_metadata.<name>'
    ),
    no_saved_mapping: bool = typer.Option(
        False, "--no-saved-mapping", help="Ignore a mapping saved on the Catalog page for these columns"
    ),
) -> None:
    try:
        catalog_file = _read(file, store_url, maps, not no_saved_mapping)
    except (CatalogFileError, MappingError) as exc:
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
