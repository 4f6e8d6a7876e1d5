"""`python -m klaviyo_core events ...`: send a test event (or preview it), list templates, bulk-send.

Exit codes as everywhere: 0 sent, 1 some bulk batches failed, 2 bad input (nothing sent), 3 API failure.
A LIVE send needs `--confirm-account NAME` for each run (the conventions in `cli/common.py`); with the key in
KLAVIYO_API_KEY that name is "KLAVIYO_API_KEY (environment)", as the refusal says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import typer

from klaviyo_core.accounts import LiveConfirmation, Target
from klaviyo_core.cli.common import (
    CONFIRM_HELP,
    ExitCode,
    client_from,
    confirmed_write,
    err,
    fail_usage,
)
from klaviyo_core.events import (
    BACKFILL_MEANING,
    FLOWS_MAY_FIRE,
    TEMPLATES,
    Event,
    EventError,
    EventFileError,
    ImportColumns,
    ImportResult,
    build_event,
    checkpoint_for,
    decode_upload,
    events_for_profiles,
    get_template,
    import_bodies,
    import_events,
    parse_properties,
    parse_type_option,
    plan_import,
    preview,
    sample_profile_emails,
    send,
    send_bulk,
    write_report,
)

app = typer.Typer(help="Build, preview and send test events.", no_args_is_help=True)


def _bad(exc: EventError) -> NoReturn:
    fail_usage(f"{exc.field}: {exc.message}")


def _properties(text: str | None, file: Path | None) -> dict[str, Any] | None:
    if text is not None and file is not None:
        fail_usage("Give --properties or --properties-file, not both.")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            fail_usage(f"Cannot read {file}: {exc.strerror}.")
    return parse_properties(text) if text is not None else None


def _event(
    metric: str | None,
    template: str | None,
    properties: dict[str, Any] | None,
    value: float | None,
    currency: str | None,
    **rest: Any,
) -> Event:
    chosen = None
    if template:
        try:
            chosen = get_template(template)
        except KeyError as exc:
            fail_usage(str(exc.args[0]))
    if not metric and chosen is None:
        fail_usage("Give --metric NAME or --template NAME.")
    if value is None and chosen is not None:
        value = chosen.value
    return build_event(
        metric or (chosen.metric if chosen else ""),
        properties=properties if properties is not None else (chosen.default_properties() if chosen else {}),
        value=value,
        value_currency=currency or ("USD" if value is not None else None),
        **rest,
    )


@app.command("send")
def send_command(
    ctx: typer.Context,
    metric: str = typer.Option(None, "--metric", help="Metric name, e.g. 'Started Checkout'."),
    email: str = typer.Option(None, "--email"),
    phone: str = typer.Option(None, "--phone", help="E.164, e.g. +15005550006."),
    external_id: str = typer.Option(None, "--external-id"),
    properties: str = typer.Option(None, "--properties", help="Event properties as a JSON object."),
    properties_file: Path = typer.Option(None, "--properties-file", help="A file holding the properties JSON."),
    value: float = typer.Option(None, "--value"),
    currency: str = typer.Option(None, "--currency", help="ISO 4217 code for --value, e.g. USD."),
    time: str = typer.Option(None, "--time", help="ISO 8601, any timezone (default now)."),
    unique_id: str = typer.Option(None, "--unique-id", help="Default: a fresh UUID."),
    template: str = typer.Option(None, "--template", help=f"Start from a template: {', '.join(TEMPLATES)}."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the exact request (key masked); send nothing."),
    confirm_account: str = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    """Send one test event; on the sandbox, read it back to show it was stored."""
    try:
        event = _event(
            metric,
            template,
            _properties(properties, properties_file),
            value,
            currency,
            email=email,
            phone_number=phone,
            external_id=external_id,
            time=time,
            unique_id=unique_id,
        )
    except EventError as exc:
        _bad(exc)
    client = client_from(ctx)
    if dry_run:
        shown = preview(event, client.config)
        typer.echo(json.dumps({**shown.as_dict(), "curl": shown.curl()}, indent=2, ensure_ascii=False))
        raise typer.Exit(ExitCode.OK)
    result = confirmed_write(
        ctx,
        f"send a '{event.metric}' event for {event.profile_label}",
        confirm_account,
        lambda target, confirmation: send(client, event, target=target, confirmation=confirmation),
    )
    if not result.ok:
        err(f"Error: {result.explanation.what if result.explanation else 'not sent'}")
        if result.explanation:
            err(f"What to do: {result.explanation.todo}")
        raise typer.Exit(ExitCode.BAD_INPUT if result.status in (400, 413) else ExitCode.API)
    typer.echo(result.outcome)
    raise typer.Exit(ExitCode.OK)


@app.command("templates")
def templates_command() -> None:
    """List the event templates."""
    for template in TEMPLATES.values():
        typer.echo(f"{template.name:<28} metric '{template.metric}': {template.description}")


@app.command("bulk")
def bulk_command(
    ctx: typer.Context,
    csv_file: Path = typer.Option(None, "--csv", help="Alias of `events import FILE --metric-column metric`."),
    template: str = typer.Option(None, "--template", help="Send this template to --count test profiles."),
    count: int = typer.Option(10, "--count"),
    base_email: str = typer.Option("you+klaviyo-test@yourcompany.com", "--base-email"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; send nothing."),
    confirm_account: str = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    """Send a template to many test profiles through the bulk endpoint (1,000 per request)."""
    if (csv_file is None) == (template is None):
        fail_usage("Give --csv FILE or --template NAME (with --count).")
    if csv_file is not None:
        err(f"Note: `events bulk --csv` is `events import {csv_file} --metric-column metric`.")
        _import(ctx, csv_file, ImportColumns(metric_column="metric"), dry_run, None, confirm_account)
    try:
        base = get_template(template).build(email=sample_profile_emails(1, base_email)[0])
        events = events_for_profiles(base, sample_profile_emails(count, base_email))
    except EventError as exc:
        _bad(exc)
    except KeyError as exc:
        fail_usage(str(exc))
    if dry_run:
        typer.echo(f"{len(events)} valid events; nothing sent (--dry-run).")
        raise typer.Exit(ExitCode.OK)
    client = client_from(ctx)
    result = confirmed_write(
        ctx,
        f"send {len(events):,} events",
        confirm_account,
        lambda target, confirmation: send_bulk(client, events, target=target, confirmation=confirmation),
    )
    for index, why in result.failures:
        err(f"Batch {index + 1}: {why.what} What to do: {why.todo}")
    typer.echo(f"{result.accepted_events} events accepted in {result.batches} request(s).")
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.PARTIAL)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV: email|phone_number|external_id|profile_id, time (with zone), ..."),
    metric: str = typer.Option(None, "--metric", help="One metric name for every row, e.g. 'Placed Order'."),
    metric_column: str = typer.Option(None, "--metric-column", help="The column holding each row's metric name."),
    unique_id_column: str = typer.Option(
        None, "--unique-id-column", help="Column of unique ids (an order id); default 'unique_id' or a row hash."
    ),
    types: list[str] = typer.Option(
        [], "--type", help='A property column\'s type, e.g. "Total=number" (text|number|boolean|date|list); repeat.'
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate, print the first job's JSON; send nothing."),
    report: Path = typer.Option(None, "--report", help="Write what became of each row to this CSV."),
    confirm_account: str = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    """Load historical events (past orders, custom events) from a CSV; a re-run of the same file adds nothing.

    Property columns are typed as a profile import types them (guessed; --type overrides); a cell that does not
    fit its column's type is left out of its event (a warning), never the event. A run cut short resumes: run the
    same command again and only the jobs this account has not accepted are sent."""
    try:
        given = dict(parse_type_option(t) for t in types)
    except EventFileError as exc:
        fail_usage(str(exc))
    columns = ImportColumns(metric, metric_column, unique_id_column, given)
    _import(ctx, file, columns, dry_run, report, confirm_account)


def _import(
    ctx: typer.Context, file: Path, columns: ImportColumns, dry_run: bool, report: Path | None, confirm: str | None
) -> NoReturn:
    try:
        plan = plan_import(decode_upload(file.read_bytes()), columns)
    except OSError as exc:
        fail_usage(f"Cannot read {file}: {exc.strerror}.")
    except EventFileError as exc:
        fail_usage(f"{file}: {exc}")
    for dropped in plan.dropped[:20]:
        err(f"Row {dropped.row}: {dropped.column} '{dropped.value}' {dropped.why}.")
    if len(plan.dropped) > 20:
        err(f"... and {len(plan.dropped) - 20:,} more cells left out (the report lists every one).")
    for problem in plan.errors:
        err(f"Row {problem.row}: {problem.field}: {problem.message}")
    if plan.errors:
        if report is not None:
            write_report(report, plan.held_back(), plan)
        err("Nothing was sent: fix these rows (or remove them) and run again.")
        raise typer.Exit(ExitCode.BAD_INPUT)
    recent = plan.recent
    summary = f"{len(plan.events):,} valid events, {len(plan.events) - recent:,} with backfill."
    if plan.property_types:
        summary += " Properties: " + ", ".join(f"{c} ({t})" for c, t in plan.property_types.items()) + "."
    if dry_run:
        typer.echo(f"{summary} {BACKFILL_MEANING} Nothing sent (--dry-run). First job:")
        typer.echo(json.dumps(import_bodies(plan)[0] if plan.events else {}, indent=2, ensure_ascii=False))
        raise typer.Exit(ExitCode.OK)
    client = client_from(ctx)
    action = f"load {len(plan.events):,} historical events"
    if recent:
        action += f"; {recent:,} of them are from the last day and go without backfill, so {FLOWS_MAY_FIRE}"

    def load(target: Target, confirmation: LiveConfirmation | None) -> ImportResult:
        checkpoint = checkpoint_for(plan, target)
        earlier = len(checkpoint.accepted())
        if earlier:
            err(f"Resuming: {earlier} job(s) of this file were accepted by this account before; not sent again.")
        return import_events(
            client, plan, target=target, confirmation=confirmation, checkpoint=checkpoint, file_name=file.name
        )

    result = confirmed_write(ctx, action, confirm, load)
    for index, why in result.failures:
        err(f"Job {index + 1}: {why.what} What to do: {why.todo}")
    if report is not None:
        write_report(report, result.row_status, plan)
    typer.echo(f"{summary} {result.accepted_events:,} accepted in {result.batches} job(s).")
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.PARTIAL)
