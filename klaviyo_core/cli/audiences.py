"""`python -m klaviyo_core audiences export --list ID|NAME | --segment ID|NAME --out FILE [--fields ...]
[--hashed meta|google] [--restart]`.

Exit 0 written, 2 bad usage (neither or both of --list/--segment, an unknown name, field or platform, an
unfinished export made for another account), 3 authentication or API failure: the file appears only when
complete, and running the same command again resumes from the last page read (`--restart` starts afresh).
Progress with an ETA goes to stderr, one line every 10 pages.
"""

from __future__ import annotations

from pathlib import Path

import typer

from klaviyo_core import audiences
from klaviyo_core.accounts import TargetError
from klaviyo_core.cli.common import ExitCode, client_from, err, fail_usage, guard, refuse_write, target_from
from klaviyo_core.cli.profile_get import plain

app = typer.Typer(help="Audiences: export a list's or a segment's members to CSV.", no_args_is_help=True)


def _which(list_: str | None, segment: str | None) -> tuple[str, str]:
    if bool(list_) == bool(segment):
        fail_usage("Give exactly one of --list ID|NAME or --segment ID|NAME.")
    return ("list", list_) if list_ else ("segment", segment or "")


@app.command("export")
def export_command(
    ctx: typer.Context,
    list_: str = typer.Option(None, "--list", help="The list to export, by id or name."),
    segment: str = typer.Option(None, "--segment", help="The segment to export, by id or name."),
    out: Path = typer.Option(..., "--out", help="The CSV file to write (private: 0600)."),
    hashed: str = typer.Option(
        None, "--hashed", help="Add email_sha256 and phone_sha256, normalised for 'meta' or 'google'."
    ),
    fields: str = typer.Option(
        "email",
        "--fields",
        help="Columns, comma-separated: profile fields (email, phone_number, first_name, ...) and "
        "email_consent, sms_consent.",
    ),
    restart: bool = typer.Option(False, "--restart", help="Start afresh instead of resuming an unfinished export."),
) -> None:
    """Members as CSV: the chosen fields (and SHA-256 of email and phone for an ad platform's upload)."""
    kind, wanted = _which(list_, segment)
    if hashed is not None and hashed not in audiences.PLATFORMS:
        fail_usage(f"--hashed is one of {', '.join(audiences.PLATFORMS)}, not '{hashed}'.")
    try:
        columns = audiences.parse_fields(fields)
    except ValueError as exc:
        fail_usage(str(exc))
    client = client_from(ctx)

    def show(progress: audiences.ExportProgress) -> None:
        if progress.pages % 10 == 1 or progress.pages < 2:
            err(progress.text())

    with guard():
        try:
            audience = audiences.resolve_audience(client, kind, wanted)
        except ValueError as exc:
            fail_usage(str(exc))
        try:
            result = audiences.export_audience(
                client,
                audience,
                out,
                hashed,
                fields=columns,
                target=target_from(ctx),
                on_progress=show,
                resume=not restart,
            )
        except TargetError as exc:
            refuse_write(exc)
    err(f"Wrote {result.rows:,} members of {kind} '{plain(audience.name)}' ({plain(audience.id)}) to {result.path}.")
    raise typer.Exit(ExitCode.OK)
