"""`python -m klaviyo_core consent import FILE --action subscribe|unsubscribe|suppress|unsuppress [--channel email,sms]
[--list ID|NAME] [--historical] [--global] [--sms-region US,CA] [--dry-run] [--report OUT] [--confirm-account NAME]`

The plan is printed first (counts per status and channel, every row held apart or refused with why, the
warnings); a dry run stops there with the first request. Running the same file the same way again after a kill
resumes it (the checkpoint is bound to the account). Exit codes as every writer: 0 all done (or nothing to do),
1 some rows were held apart, invalid or failed (the report says which), 2 unusable file or options or a refused
write (a LIVE account without `--confirm-account NAME`, a checkpoint of another account), 3 the API refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from klaviyo_core import audiences, consent
from klaviyo_core.cli.common import (
    CONFIRM_HELP,
    ExitCode,
    client_from,
    confirmed_write,
    err,
    fail_usage,
    guard,
    target_from,
)
from klaviyo_core.cli.profile_get import plain

SHOWN_APART_LINES = 50  # rows left out printed one by one; the report holds them all

app = typer.Typer(
    help="Consent in bulk from a CSV: subscribe, unsubscribe, suppress, unsuppress.", no_args_is_help=True
)


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))


def print_plan(plan: consent.ConsentPlan, dry_run: bool) -> None:
    """The plan as the person reads it before anything is sent."""
    for status, per_channel in plan.counts().items():
        typer.echo(f"{status}: " + ", ".join(f"{n:,} {ch}" for ch, n in per_channel.items()))
    apart = plan.shown_apart()
    for change in apart[:SHOWN_APART_LINES]:
        typer.echo(f"{change.status} line {change.line} {plain(change.who)} {change.channel}: {plain(change.note)}")
    if len(apart) > SHOWN_APART_LINES:
        typer.echo(f"... and {len(apart) - SHOWN_APART_LINES:,} more left out: --report FILE lists every row.")
    for warning in plan.warnings:
        typer.echo(f"note: {plain(warning)}")
    earlier = consent.unfinished_run(plan)
    if earlier is not None:
        done, total = earlier
        typer.echo(
            f"note: an earlier run of this file stopped after {done} of {total} batch(es); applying resumes it "
            "(--restart forgets it)."
        )
    request = consent.first_request(plan)
    if dry_run and request is not None:
        method, path, body = request
        typer.echo(f"First request: {method} {path}\n{json.dumps(body, indent=2, ensure_ascii=False)}")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The consent CSV file"),
    action: str = typer.Option(..., "--action", help="subscribe, unsubscribe, suppress or unsuppress"),
    channel: str = typer.Option("email", "--channel", help="email, sms or email,sms"),
    list_: str | None = typer.Option(None, "--list", help="The list, by id or name"),
    historical: bool = typer.Option(
        False, "--historical", help="Subscribe with each row's past consented_at; no double opt-in is sent"
    ),
    global_: bool = typer.Option(
        False, "--global", help="Mean a GLOBAL unsubscribe (people not in --list, or no list at all)"
    ),
    sms_region: str = typer.Option(
        ",".join(consent.DEFAULT_SMS_REGIONS), "--sms-region", help="Regions this account sends SMS to, e.g. US,CA"
    ),
    restart: bool = typer.Option(
        False, "--restart", help="Forget an unfinished earlier run of this file (what it sent stays sent)"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan and the first request; write nothing"),
    report: Path | None = typer.Option(None, "--report", help="Write the per-row report here (CSV, 0600)"),
    confirm_account: str | None = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    channels = _split(channel)
    regions = tuple(r.upper() for r in _split(sms_region))
    try:  # options that cannot work are refused before the file is read or the account is asked anything
        consent.ConsentOptions(
            action.strip().lower(), channels, list_id=list_, historical=historical, global_unsubscribe=global_
        ).check()
    except consent.ConsentPlanError as exc:
        fail_usage(str(exc))
    try:
        rules = consent.RowRules(channels=channels, historical=historical, sms_regions=regions)
        consent_file = consent.read_consent_file(file, rules)
    except consent.ConsentFileError as exc:
        fail_usage(f"{file}: {exc}")
    client = client_from(ctx)  # exits 2 by itself on a missing or malformed key
    target = target_from(ctx)  # the plan is read from this account and can only be applied to it
    with guard():
        found = None
        if list_:
            try:
                found = audiences.resolve_audience(client, "list", list_)
            except ValueError as exc:
                fail_usage(str(exc))
        options = consent.ConsentOptions(
            action.strip().lower(),
            channels,
            list_id=found.id if found else None,
            list_name=found.name if found else None,
            historical=historical,
            global_unsubscribe=global_,
        )
        try:
            plan = consent.plan_consent(client, consent_file, options, target=target)
        except consent.ConsentPlanError as exc:
            fail_usage(str(exc))
    if restart and consent.discard_run(plan):
        err("Forgot the unfinished earlier run of this file; this run starts afresh.")
    err(f"File: {file.name}; {len(consent_file.rows):,} rows; account {target.label()}")
    print_plan(plan, dry_run)
    result = None
    if not dry_run and plan.writes:
        result = confirmed_write(
            ctx,
            plan.effect(),
            confirm_account,
            lambda target, confirmation: consent.apply_consent(
                client, plan, target=target, confirmation=confirmation, file_name=file.name
            ),
        )
        resumed = f" ({result.resumed} batch(es) done by an earlier run)" if result.resumed else ""
        typer.echo("Result: " + ", ".join(f"{n:,} {s}" for s, n in result.counts().items()) + resumed)
    if report is not None:
        consent.write_report(report, plan, result)
        err(f"Report written to {report}")
    raise typer.Exit(ExitCode.PARTIAL if consent.incomplete(plan, result) else ExitCode.OK)
