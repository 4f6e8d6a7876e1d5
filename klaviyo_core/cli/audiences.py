"""`python -m klaviyo_core audiences export --list ID|NAME | --segment ID|NAME --out FILE [--hashed meta|google]`.

Exit 0 written, 2 bad usage (neither or both of --list/--segment, an unknown name, an unknown platform),
3 authentication or API failure (nothing is left behind: the file appears only when complete).
"""

from __future__ import annotations

from pathlib import Path

import typer

from klaviyo_core import audiences
from klaviyo_core.cli.common import ExitCode, client_from, err, fail_usage, guard
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
) -> None:
    """Members as CSV: email, phone_number (and their SHA-256 for an ad platform's customer-list upload)."""
    kind, wanted = _which(list_, segment)
    if hashed is not None and hashed not in audiences.PLATFORMS:
        fail_usage(f"--hashed is one of {', '.join(audiences.PLATFORMS)}, not '{hashed}'.")
    client = client_from(ctx)
    with guard():
        try:
            audience = audiences.resolve_audience(client, kind, wanted)
        except ValueError as exc:
            fail_usage(str(exc))
        result = audiences.export_audience(client, audience, out, hashed)
    err(f"Wrote {result.rows:,} members of {kind} '{plain(audience.name)}' ({plain(audience.id)}) to {result.path}.")
    raise typer.Exit(ExitCode.OK)
