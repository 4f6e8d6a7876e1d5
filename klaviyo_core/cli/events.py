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

from klaviyo_core.cli.common import (
    CONFIRM_HELP,
    ExitCode,
    client_from,
    err,
    fail_usage,
    guard,
    live_confirmation,
    refuse_write,
    target_from,
)
from klaviyo_core.events import (
    TEMPLATES,
    Event,
    EventError,
    LiveSendNotConfirmed,
    build_event,
    events_for_profiles,
    events_from_csv,
    get_template,
    parse_properties,
    preview,
    sample_profile_emails,
    send,
    send_bulk,
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
    confirmation = live_confirmation(ctx, f"send a '{event.metric}' event for {event.profile_label}", confirm_account)
    target = target_from(ctx)
    try:
        result = send(client, event, target=target, confirmation=confirmation)
    except LiveSendNotConfirmed as exc:
        refuse_write(exc)
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
    csv_file: Path = typer.Option(None, "--csv", help="CSV with metric, email|phone_number|external_id, ..."),
    template: str = typer.Option(None, "--template", help="Send this template to --count test profiles."),
    count: int = typer.Option(10, "--count"),
    base_email: str = typer.Option("you+klaviyo-test@yourcompany.com", "--base-email"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; send nothing."),
    confirm_account: str = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    """Send many events through the bulk endpoint (1,000 per request)."""
    if (csv_file is None) == (template is None):
        fail_usage("Give --csv FILE or --template NAME (with --count).")
    try:
        if csv_file is not None:
            parsed = events_from_csv(csv_file.read_text(encoding="utf-8"))
            for problem in parsed.errors:
                err(f"Row {problem.row}: {problem.field}: {problem.message}")
            if parsed.errors:
                raise typer.Exit(ExitCode.BAD_INPUT)
            events = parsed.events
        else:
            base = get_template(template).build(email=sample_profile_emails(1, base_email)[0])
            events = events_for_profiles(base, sample_profile_emails(count, base_email))
    except EventError as exc:
        _bad(exc)
    except (KeyError, OSError) as exc:
        fail_usage(str(exc))
    if dry_run:
        typer.echo(f"{len(events)} valid events; nothing sent (--dry-run).")
        raise typer.Exit(ExitCode.OK)
    client = client_from(ctx)
    confirmation = live_confirmation(ctx, f"send {len(events):,} events", confirm_account)
    target = target_from(ctx)
    with guard():
        try:
            result = send_bulk(client, events, target=target, confirmation=confirmation)
        except LiveSendNotConfirmed as exc:
            refuse_write(exc)
    for index, why in result.failures:
        err(f"Batch {index + 1}: {why.what} What to do: {why.todo}")
    typer.echo(f"{result.accepted_events} events accepted in {result.batches} request(s).")
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.PARTIAL)
