"""`python -m klaviyo_core accounts list|add NAME|remove NAME|test NAME|use NAME|rename OLD NEW|replace-key NAME|edit`.

`add` and `replace-key` read the key from a prompt that does not echo, or from stdin when it is piped; never
from an argument, which would land in the shell history and in `ps` output.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import typer

from klaviyo_core.accounts import (
    ENV_KEY,
    LIVE_BASE_URL,
    SANDBOX,
    AccountRecord,
    AccountStore,
    CredentialsError,
    KeyReport,
    KeyringUnavailable,
    check_key,
    check_key_format,
    validate_base_url,
    validate_revision,
)
from klaviyo_core.cli.common import ExitCode, err, options, require_safe_target
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_spec import SPEC_REVISION

app = typer.Typer(help="Saved Klaviyo accounts: keys live in the OS keyring, never in files.", no_args_is_help=True)


def _fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    err(f"Error: {message}")
    raise typer.Exit(code)


def _guarded(action: Callable[[], Any]) -> Any:
    """Run a store operation; its errors are plain words already (and never contain a key)."""
    try:
        return action()
    except KeyringUnavailable as exc:
        _fail(str(exc), ExitCode.API)
    except CredentialsError as exc:
        _fail(str(exc))


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _read_key(prompt: str) -> str:
    if _stdin_is_tty():
        return str(typer.prompt(prompt, hide_input=True, default="", show_default=False))
    return sys.stdin.readline()


def _status(record: AccountRecord) -> str:
    if record.last_test is None:
        return "not tested"
    return f"{'OK' if record.last_test.ok else 'FAILED'} {record.last_test.when}"


def _print_report(report: KeyReport) -> None:
    typer.echo(report.summary)
    if report.account and report.account.timezone:
        typer.echo(f"Timezone {report.account.timezone}, currency {report.account.currency}.")
    if report.cannot:
        typer.echo(f"This key cannot: {', '.join(report.cannot)}.")
    if report.unknown:
        typer.echo(f"Not checked (unknown): {', '.join(report.unknown)}.")
    if report.todo:
        typer.echo(f"What to do: {report.todo}")


def _check(key: str, base_url: str, revision: str) -> KeyReport:
    client = KlaviyoClient(ClientConfig(api_key=key, base_url=base_url, revision=revision))
    try:
        return check_key(client)
    finally:
        client.close()


def _exit_for(report: KeyReport) -> NoReturn:
    if not report.ok:
        raise typer.Exit(ExitCode.API)
    raise typer.Exit(ExitCode.PARTIAL if report.cannot else ExitCode.OK)


@app.command("list")
def list_accounts() -> None:
    """Saved accounts; '*' marks the active one."""
    store = AccountStore()
    records = _guarded(store.saved)
    active = _guarded(store.active_name)
    typer.echo(f"{'*' if active == SANDBOX else ' '} {SANDBOX:<24} (no key)       built-in sandbox")
    for r in records:
        live = "LIVE " if r.live else ""
        mark = "*" if r.name == active else " "
        typer.echo(f"{mark} {r.name:<24} {r.fingerprint:<14} {live}{r.base_url}  {_status(r)}")
    if os.environ.get(ENV_KEY):
        typer.echo(f"  ({ENV_KEY} is set: commands without --account use it.)")


@app.command()
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name to show, e.g. 'Acme US'."),
    base_url: str = typer.Option(LIVE_BASE_URL, "--base-url", help="API base URL."),
    revision: str = typer.Option(SPEC_REVISION, "--revision", help="API revision date."),
    test: bool = typer.Option(True, "--test/--no-test", help="Check the key with real calls before saving."),
    use: bool = typer.Option(False, "--use", help="Make it the active account."),
    live: bool = typer.Option(False, "--live", help="Mark it LIVE even on a local address (a tunnel or proxy)."),
) -> None:
    """Save an account; the key is read from a hidden prompt or from stdin."""
    base_url = _guarded(lambda: validate_base_url(base_url))
    allow_host = options(ctx).allow_host
    require_safe_target(base_url, allow_host=allow_host)  # before the key is even asked for
    verdict = check_key_format(_read_key("Private API key (input hidden)"))
    if not verdict.ok:
        _fail(verdict.reason)
    if verdict.warning:
        err(f"Warning: {verdict.warning}")
    revision = _guarded(lambda: validate_revision(revision))
    report = _check(verdict.key, base_url, revision) if test else None
    if report is not None and not report.ok:
        _print_report(report)
        _fail("The key was not saved. Fix the problem above, or save it untested with --no-test.", ExitCode.API)
    store = AccountStore()
    record = _guarded(lambda: store.add(name, verdict.key, base_url=base_url, revision=revision, allow_host=allow_host))
    if report is not None:
        record = _guarded(lambda: store.record_test(record.name, report.to_result(), report.account))
        _print_report(report)
    if live:
        record = _guarded(lambda: store.edit(record.name, live=True))
    if use:
        _guarded(lambda: store.set_active(record.name))
    typer.echo(f"Saved '{record.name}' (key {record.fingerprint}) in the system keyring.")


@app.command()
def remove(
    name: str,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Forget an account and delete its key from the keyring."""
    store = AccountStore()
    record = _guarded(lambda: store.get(name))
    if not yes and not typer.confirm(f"Remove '{record.name}' and delete its key from the keyring?"):
        raise typer.Exit(ExitCode.BAD_INPUT)
    _guarded(lambda: store.remove(record.name))
    typer.echo(f"Removed '{record.name}'.")


@app.command("test")
def test_account(ctx: typer.Context, name: str) -> None:
    """Check a saved account's key and list what it cannot do (exit 1 when something is denied)."""
    store = AccountStore()
    if name.strip().casefold() == SANDBOX.casefold():
        typer.echo("The sandbox needs no key; nothing to test.")
        raise typer.Exit(ExitCode.OK)
    resolved = _guarded(lambda: store.resolve(name))
    require_safe_target(resolved.base_url, allow_host=options(ctx).allow_host or resolved.allow_host)
    report = _check(resolved.api_key or "", resolved.base_url, resolved.revision)
    _guarded(lambda: store.record_test(resolved.name, report.to_result(), report.account))
    _print_report(report)
    _exit_for(report)


@app.command()
def use(name: str) -> None:
    """Make an account the active one (for the app and for commands without --account)."""
    store = AccountStore()
    chosen = _guarded(lambda: store.set_active(name))
    typer.echo(f"Active account: {chosen}.")


@app.command()
def rename(name: str, new_name: str) -> None:
    """Rename an account (the key stays where it is)."""
    store = AccountStore()
    record = _guarded(lambda: store.rename(name, new_name))
    typer.echo(f"Renamed to '{record.name}'.")


@app.command("replace-key")
def replace_key(name: str) -> None:
    """Put a new key for an account (read from a hidden prompt or stdin); the old one is overwritten."""
    store = AccountStore()
    _guarded(lambda: store.get(name))
    key = _read_key("New private API key (input hidden)")
    record = _guarded(lambda: store.replace_key(name, key))
    typer.echo(f"Replaced the key of '{record.name}' (now {record.fingerprint}); test it with 'accounts test'.")


@app.command()
def edit(
    name: str,
    base_url: str | None = typer.Option(None, "--base-url", help="A new API base URL."),
    live: bool | None = typer.Option(
        None, "--live/--not-live", help="Mark LIVE whatever the address (--not-live: LIVE only off this machine)."
    ),
) -> None:
    """Change an account's base URL or its LIVE mark (every LIVE write then needs --confirm-account)."""
    store = AccountStore()
    record = _guarded(lambda: store.edit(name, base_url=base_url, live=live))
    state = "LIVE" if record.live else "not LIVE (a local test server)"
    typer.echo(f"'{record.name}' at {record.base_url} is {state}.")
