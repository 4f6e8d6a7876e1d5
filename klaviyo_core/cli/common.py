"""What every CLI command shares: global options -> client, exit codes, errors without tracebacks."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NoReturn

import typer

from klaviyo_core.http import (
    ApiError,
    ClientConfig,
    KlaviyoClient,
    KlaviyoError,
    TransportError,
    UnsafeTarget,
    check_target,
    explain,
)


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1  # done, some items rejected (a report says which)
    BAD_INPUT = 2  # bad input or usage
    API = 3  # authentication, permission or API failure


@dataclass
class GlobalOptions:
    base_url: str | None = None
    revision: str | None = None
    account: str | None = None
    sandbox: bool = False
    allow_host: bool = False  # --allow-host: a base URL outside *.klaviyo.com is meant
    _sandbox_server: Any = field(default=None, repr=False)
    _client: KlaviyoClient | None = field(default=None, repr=False)


SANDBOX_KEY = "pk_sandbox_cli_throwaway_key"


def options(ctx: typer.Context) -> GlobalOptions:
    root = ctx.find_root()
    if not isinstance(root.obj, GlobalOptions):
        root.obj = GlobalOptions()
    return root.obj


def client_from(ctx: typer.Context) -> KlaviyoClient:
    """The client for this invocation: --sandbox, --account NAME, or KLAVIYO_API_KEY."""
    opts = options(ctx)
    if opts._client is not None:
        return opts._client
    overrides: dict[str, Any] = {}
    if opts.revision:
        overrides["revision"] = opts.revision
    if opts.sandbox:
        # Imported only here: the core stays a client library and never needs the server otherwise.
        from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer

        server = SandboxServer(SandboxConfig(keys=(KeySpec(SANDBOX_KEY),), rate_limits=False)).start()
        opts._sandbox_server = server
        ctx.find_root().call_on_close(server.stop)
        config = ClientConfig(api_key=SANDBOX_KEY, base_url=server.url, **overrides)
    else:
        from klaviyo_core.accounts import AccountNotFound, CredentialsError, KeyringUnavailable, resolve_account

        try:
            account = resolve_account(opts.account)
        except AccountNotFound as exc:
            fail_usage(str(exc))
        except CredentialsError as exc:  # e.g. KLAVIYO_BASE_URL http:// off loopback
            if isinstance(exc, KeyringUnavailable):
                raise
            fail_usage(str(exc))
        base_url = (opts.base_url or account.base_url).strip().rstrip("/")
        remembered = account.allow_host and base_url == account.base_url
        require_safe_target(base_url, allow_host=opts.allow_host or remembered)
        overrides.setdefault("revision", account.revision)
        config = ClientConfig(api_key=account.api_key, base_url=base_url, **overrides)
    opts._client = KlaviyoClient(config)
    return opts._client


def require_safe_target(base_url: str, *, allow_host: bool) -> None:
    """https off loopback, and a host outside *.klaviyo.com only with --allow-host; else exit 2, nothing sent."""
    try:
        check_target(base_url, allow_host=allow_host)
    except UnsafeTarget as exc:
        fail_usage(str(exc))


def err(message: str) -> None:
    typer.echo(message, err=True)


def fail_usage(message: str) -> NoReturn:
    err(f"Error: {message}")
    raise typer.Exit(ExitCode.BAD_INPUT)


def fail(exc: BaseException) -> NoReturn:
    """Print the plain explanation (never a traceback) and exit 3 for API trouble, 2 for bad input."""
    explanation = explain(exc)
    err(f"Error: {explanation.what}")
    err(f"What to do: {explanation.todo}")
    if isinstance(exc, (ApiError, TransportError, KlaviyoError)):
        code = ExitCode.BAD_INPUT if isinstance(exc, ApiError) and exc.status in (400, 413) else ExitCode.API
    else:
        code = ExitCode.BAD_INPUT
    raise typer.Exit(code)


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
