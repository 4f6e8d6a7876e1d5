"""`python -m klaviyo_core tags import FILE [--dry-run] [--report OUT.csv]`

Exit codes as the profile importer: 0 every row applied (or nothing to do), 1 some rows were skipped or
failed (see the report), 2 the file or options are unusable or the write was refused (a LIVE account without
`--confirm-account NAME`), 3 the API refused (auth, scope, outage).
An `email,label` file needs `--property NAME` (and optionally `--mode merge|replace`); a merge adds only the
labels a profile lacks, and exits 3 without sending when the account's profile imports keep running.
"""

from __future__ import annotations

from pathlib import Path

import typer

from klaviyo_core.accounts import LiveConfirmation, Target
from klaviyo_core.cli.common import (
    CONFIRM_HELP,
    ExitCode,
    client_from,
    confirmed_write,
    guard,
    target_from,
)
from klaviyo_core.paths import write_private_text
from klaviyo_core.tags import (
    MERGE,
    SKIP,
    ImportsStillRunning,
    LabelError,
    LabelSubmission,
    Plan,
    Shape,
    TagFileError,
    apply_plan,
    plan_labels,
    plan_tag_file,
    read_tag_file,
    report_csv,
    send_labels,
)

app = typer.Typer(help="Tag lists, segments, campaigns and flows in bulk from a CSV file.", no_args_is_help=True)


def _print_plan(plan: Plan) -> None:
    counts = plan.counts()
    typer.echo(f"File shape: {plan.shape.value}; {len(plan.rows)} rows")
    typer.echo(f"New tag groups: {len(plan.new_groups)}; new tags: {len(plan.new_tags)}")
    typer.echo("Plan: " + ", ".join(f"{n} {a}" for a, n in counts.items()))
    for warning in plan.warnings:
        typer.echo(f"warning: {warning}")
    for row in plan.rows:
        if row.action == SKIP:
            typer.echo(f"skip line {row.line}: {row.detail}")


def _import_labels(
    ctx: typer.Context,
    data: bytes,
    property_name: str | None,
    mode: str,
    dry_run: bool,
    confirm: str | None,
    file_name: str = "",
) -> None:
    if not property_name:
        typer.echo("An email,label file becomes a custom profile property: pass --property NAME.", err=True)
        raise typer.Exit(ExitCode.BAD_INPUT)
    try:
        plan = plan_labels(read_tag_file(data), property_name, mode)
    except (TagFileError, LabelError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    typer.echo(
        f"Profile labels -> custom property '{plan.property_name}' ({plan.mode}) for {plan.profile_count} "
        f"profiles; {len(plan.skipped)} rows skipped. Klaviyo has no profile tags."
    )
    for line, why in plan.skipped:
        typer.echo(f"skip line {line}: {why}")
    if not dry_run and plan.labels:
        client = client_from(ctx)
        effect = f"set the profile property '{plan.property_name}' ({plan.mode}) on {plan.profile_count:,} profiles"

        def write(target: Target, confirmation: LiveConfirmation | None) -> LabelSubmission:
            try:
                return send_labels(client, plan, target=target, confirmation=confirmation, file_name=file_name)
            except ImportsStillRunning as exc:  # the account is busy: its own words, nothing was sent
                typer.echo(str(exc), err=True)
                raise typer.Exit(ExitCode.API) from None

        sent = confirmed_write(ctx, effect, confirm, write)
        if sent.profiles_up_to_date:
            typer.echo(f"{sent.profiles_up_to_date} profiles already have every label in the file: left out.")
        if sent.jobs:
            typer.echo("Started bulk import job(s): " + ", ".join(sent.jobs))
        else:
            typer.echo("Nothing to add: every profile already has these labels.")
    raise typer.Exit(ExitCode.PARTIAL if plan.skipped else ExitCode.OK)


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; write nothing"),
    report: Path | None = typer.Option(None, "--report", help="Write the per-row report here (CSV)"),
    property_name: str | None = typer.Option(None, "--property", help="email,label files: the profile property"),
    mode: str = typer.Option(MERGE, "--mode", help="email,label files: merge (append) or replace"),
    confirm_account: str | None = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    data = file.read_bytes()
    try:
        tag_file = read_tag_file(data)
    except TagFileError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    if tag_file.shape is Shape.PROFILE_LABELS:
        _import_labels(ctx, data, property_name, mode, dry_run, confirm_account, file.name)
    client = client_from(ctx)  # exits 2 by itself on a missing or malformed key
    target = target_from(ctx)  # the plan is read from this account and can only be applied to it
    with guard():
        plan = plan_tag_file(client, tag_file, target=target)
    _print_plan(plan)
    result = None
    if not dry_run and plan.writes:
        result = confirmed_write(
            ctx,
            f"make {plan.writes} tag change(s)",
            confirm_account,
            lambda target, confirmation: apply_plan(
                client,
                plan,
                on_progress=lambda d, t, m: typer.echo(f"[{d}/{t}] {m}", err=True),
                target=target,
                confirmation=confirmation,
                file_name=file.name,
            ),
        )
        typer.echo("Result: " + ", ".join(f"{n} {s}" for s, n in result.counts().items()))
    if report is not None:
        write_private_text(report, report_csv(plan, result))
        typer.echo(f"Report written to {report}")
    incomplete = plan.counts()[SKIP] or (result is not None and not result.ok)
    raise typer.Exit(ExitCode.PARTIAL if incomplete else ExitCode.OK)
