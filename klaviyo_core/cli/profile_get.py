"""`python -m klaviyo_core profiles get EMAIL|PHONE|ID`: what landed for one person, in plain lines.

Exit 0 found, 1 no profile has that identifier, 2 an identifier that cannot be looked up, 3 auth/API failure.
Values come from the account (anyone may have typed them), so control characters are shown escaped: a profile
property can never move the cursor or rewrite the terminal.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import typer

from klaviyo_core import audiences
from klaviyo_core.cli.common import ExitCode, client_from, err, fail_usage, guard


def plain(value: Any) -> str:
    """One value as terminal-safe text: control and format characters become \\uXXXX escapes."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c)[0] == "C" else c for c in text)


def render(view: audiences.ProfileView) -> list[str]:
    """The lines `profiles get` prints, section by section."""
    lines = [f"Profile {plain(view.id)}" + (f" ({plain(view.name)})" if view.name else "")]
    lines += [f"  {name}: {plain(value)}" for name, value in view.identifiers.items()]
    if view.location:
        lines.append("Location: " + ", ".join(f"{k}={plain(v)}" for k, v in view.location.items()))
    lines.append("Properties:" if view.properties else "Properties: none")
    lines += [f"  {plain(k)}: {plain(v)}" for k, v in sorted(view.properties.items())]
    lines.append("Consent:")
    for row in view.consent:
        receive = {True: "can receive", False: "cannot receive", None: "unknown"}[row.can_receive]
        suppressed = f", suppressed ({', '.join(map(plain, row.suppressed))})" if row.suppressed else ""
        lines.append(f"  {row.channel} {row.kind}: {plain(row.consent)}, {receive}{suppressed}")
    lines.append("Lists: " + (", ".join(f"{plain(n)} ({i})" for i, n in view.lists) or "none"))
    lines.append("Segments: " + (", ".join(f"{plain(n)} ({i})" for i, n in view.segments) or "none"))
    lines.append("Latest events:" if view.events else "Latest events: none")
    for event in view.events:
        value = f"  {event.value:,.2f}" if event.value is not None else ""
        lines.append(f"  {plain(event.datetime)}  {plain(event.metric)}{value}")
    return lines


def get_command(
    ctx: typer.Context,
    identifier: str = typer.Argument(..., help="An email, a phone in +E.164 form, or a profile id."),
) -> None:
    """One profile: identifiers, location, properties, consent per channel, lists, segments, latest events."""
    try:
        audiences.identifier_kind(identifier)
    except ValueError as exc:
        fail_usage(str(exc))
    client = client_from(ctx)
    with guard():
        view = audiences.find_profile(client, identifier)
    if view is None:
        err(f"No profile has '{plain(identifier.strip())}'. Check the spelling (phones need +country code).")
        raise typer.Exit(ExitCode.PARTIAL)
    typer.echo("\n".join(render(view)))
    raise typer.Exit(ExitCode.OK)
