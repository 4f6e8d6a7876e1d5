"""`python -m klaviyo_core [--base-url URL] [--allow-host] [--revision DATE] [--account NAME] [--sandbox [--empty]]
[--sandbox-url URL] COMMAND ...`

Automation entry point (cron, CI, scheduled syncs). Command groups live in klaviyo_core/cli/<name>.py modules listed in
SUBCOMMANDS, so each feature registers its commands with one line.
"""

from __future__ import annotations

import contextlib
import importlib

import typer

from klaviyo_core import paths
from klaviyo_core.accounts import fetch_account
from klaviyo_core.cli.common import CliSession, ExitCode, GlobalOptions, client_from, err, guard, options
from klaviyo_core.http import CHECK_DEADLINE_SECONDS

app = typer.Typer(
    name="klaviyo_core",
    help="Klaviyo workbench from the command line. The key comes from --account (saved accounts) or KLAVIYO_API_KEY.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# name -> module with a typer app named `app`; one line per feature.
SUBCOMMANDS: dict[str, str] = {
    "accounts": "klaviyo_core.cli.accounts",
    "profiles": "klaviyo_core.cli.profiles",
    "metrics": "klaviyo_core.cli.metrics",
    "tags": "klaviyo_core.cli.tags",
    "events": "klaviyo_core.cli.events",
    "catalog": "klaviyo_core.cli.catalog",
    "audiences": "klaviyo_core.cli.audiences",
    "reports": "klaviyo_core.cli.reports",
    "consent": "klaviyo_core.cli.consent",
    "lists": "klaviyo_core.cli.lists",
    "history": "klaviyo_core.cli.history",
}


@app.callback()
def main(
    ctx: typer.Context,
    base_url: str = typer.Option(None, "--base-url", help="API base URL (default https://a.klaviyo.com)."),
    revision: str = typer.Option(None, "--revision", help="API revision date, e.g. 2026-07-15."),
    account: str = typer.Option(None, "--account", help="A saved account name (see 'accounts list')."),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Run against a throwaway local sandbox with the app's demo data (see --empty)."
    ),
    empty: bool = typer.Option(False, "--empty", help="With --sandbox: start it without demo data."),
    sandbox_url: str = typer.Option(
        None,
        "--sandbox-url",
        help="The app's own sandbox (its URL is on the app's pages); the key is read from its file.",
    ),
    allow_host: bool = typer.Option(
        False,
        "--allow-host",
        help="Allow a base URL outside *.klaviyo.com (a proxy of your own); remembered by 'accounts add'.",
    ),
) -> None:
    given = GlobalOptions(
        base_url=base_url,
        revision=revision,
        account=account,
        sandbox=sandbox,
        allow_host=allow_host,
        empty=empty,
        sandbox_url=sandbox_url,
    )
    ctx.obj = CliSession(given, ctx.call_on_close)
    with contextlib.suppress(OSError):  # files of earlier versions: 0600 in 0700 folders (once; never fatal)
        paths.tighten_existing()


@app.command()
def ping(ctx: typer.Context) -> None:
    """Check the key works: prints the account's name."""
    client = client_from(ctx)
    where = "the sandbox" if options(ctx).sandbox else client.config.base_url
    err(f"Checking the key with {where} (gives up after {CHECK_DEADLINE_SECONDS:g} s)...")
    client.set_deadline(CHECK_DEADLINE_SECONDS)
    with guard():
        account = fetch_account(client)
    where = "sandbox" if options(ctx).sandbox else client.config.base_url
    typer.echo(f"Connected to {account.name} ({where}) as key {client.config.key_fingerprint}.")
    raise typer.Exit(ExitCode.OK)


for _name, _module in SUBCOMMANDS.items():
    app.add_typer(importlib.import_module(_module).app, name=_name)


def run() -> None:
    app()
