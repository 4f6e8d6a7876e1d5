"""`python -m klaviyo_core lists [--segments] [--count] [--refresh]`,
`lists show NAME|ID [--segment] [--members] [--search EMAIL|PHONE] [--refresh]` and
`lists create NAME [--opt-in single_opt_in|double_opt_in] [--confirm-account NAME]`.

Counts cost 1/s and 15/min (profile_count), so they are kept per account with their age and asked again only
when stale or with `--refresh`; the plain listing shows the kept ones unless `--count`.
Exit 0 done, 2 bad usage (an unknown name, a partial search, a LIVE create without --confirm-account),
3 authentication or API failure.
"""

from __future__ import annotations

import typer

from klaviyo_core import audiences
from klaviyo_core.cli.common import (
    CONFIRM_HELP,
    ExitCode,
    client_from,
    confirmed_write,
    err,
    fail_usage,
    guard,
)
from klaviyo_core.cli.profile_get import plain

app = typer.Typer(
    help="Lists and segments: member counts, members, the opt-in setting; create a list.",
    invoke_without_command=True,
)


def _count_text(value: object, counted: str) -> str:
    return "?" if value is None or str(value) == "<NA>" else f"{int(str(value)):,} ({counted})"


@app.callback()
def lists_overview(
    ctx: typer.Context,
    segments: bool = typer.Option(False, "--segments", help="Show segments instead of lists."),
    count: bool = typer.Option(False, "--count", help="Count the ones without a fresh count (1 a second)."),
    refresh: bool = typer.Option(False, "--refresh", help="Count every one again, even when the count is fresh."),
) -> None:
    """Every list (or segment): id, name, opt-in, members and how old that count is."""
    if ctx.invoked_subcommand is not None:
        return
    kind = "segment" if segments else "list"
    client = client_from(ctx)
    with guard():
        frame = audiences.audiences_frame(client, kind, count=(lambda _: True) if count or refresh else None,
                                          refresh=refresh)  # fmt: skip
    if frame.empty:
        err(f"This account has no {kind}s yet.")
        raise typer.Exit(ExitCode.OK)
    for row in frame.to_dict("records"):
        extra = row.get("opt_in_process") if kind == "list" else ("active" if row.get("is_active") else "inactive")
        members = _count_text(row["profile_count"], row["counted"])
        typer.echo(f"{plain(row['id'])}\t{plain(row['name'])}\t{plain(extra or '')}\tmembers: {members}")
    if frame["profile_count"].isna().any() and not (count or refresh):
        err("Counts marked ? are not kept yet: add --count (each costs one call; Klaviyo allows 1 a second).")
    raise typer.Exit(ExitCode.OK)


@app.command("show")
def show_command(
    ctx: typer.Context,
    wanted: str = typer.Argument(..., metavar="NAME|ID", help="The list (or segment) by id or name."),
    segment: bool = typer.Option(False, "--segment", help="NAME|ID is a segment."),
    members: bool = typer.Option(False, "--members", help="Print every member, 100 a page."),
    search: str = typer.Option(None, "--search", help="Find one member by whole email or E.164 phone."),
    refresh: bool = typer.Option(False, "--refresh", help="Count again even when the kept count is fresh."),
) -> None:
    """One list (or segment): its count with its age, its opt-in, and its members when asked."""
    kind = "segment" if segment else "list"
    client = client_from(ctx)
    with guard():
        try:
            audience = audiences.resolve_audience(client, kind, wanted)
            audiences.search_filter(kind, search or "")
        except ValueError as exc:
            fail_usage(str(exc))
        count = audiences.member_count(client, kind, audience.id, refresh=refresh)
        detail = client.get(f"/api/{kind}s/{audience.id}") if kind == "list" else None
    typer.echo(f"{kind.capitalize()} {plain(audience.name)} ({plain(audience.id)})")
    typer.echo(f"  members: {count.value:,} ({audiences.age_text(count)})")
    if detail is not None:
        opt_in = ((detail or {}).get("data") or {}).get("attributes", {}).get("opt_in_process") or "unknown"
        typer.echo(f"  opt-in: {plain(opt_in)}")
    if not (members or search):
        raise typer.Exit(ExitCode.OK)
    page_url: str | None = None
    shown = 0
    while True:
        with guard():
            page = audiences.members_page(client, kind, audience.id, search=search or "", page_url=page_url)
        for row in page.frame.to_dict("records"):
            shown += 1
            fields = (row["email"], row["phone_number"], row["id"], row["joined_group_at"])
            typer.echo("\t".join(plain("" if v is None else str(v)) for v in fields))
        if page.next_url is None:
            break
        page_url = page.next_url
    if search and not shown:
        err(f"No member of this {kind} has {plain(search.strip())}.")
    raise typer.Exit(ExitCode.OK)


@app.command("create")
def create_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The new list's name."),
    opt_in: str = typer.Option(None, "--opt-in", help="single_opt_in or double_opt_in (default: the account's)."),
    confirm_account: str = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
) -> None:
    """Create a list (a write: LIVE accounts need --confirm-account)."""
    if not name.strip():
        fail_usage("A list needs a name.")
    if opt_in is not None and opt_in not in audiences.OPT_IN_PROCESSES:
        fail_usage(f"--opt-in is one of {', '.join(audiences.OPT_IN_PROCESSES)}, not '{opt_in}'.")
    effect = audiences.create_effect(name, opt_in)
    client = client_from(ctx)
    made = confirmed_write(
        ctx,
        effect,
        confirm_account,
        lambda target, confirmation: audiences.create_list(
            client, name, opt_in, target=target, confirmation=confirmation
        ),
    )
    typer.echo(f"Created list {plain(made.name)} ({plain(made.id)}).")
    raise typer.Exit(ExitCode.OK)
