"""What every CLI command shares: global options -> client, exit codes, errors without tracebacks.

The conventions every command follows (DESIGN §1, §1b; new commands too):

- Exit codes: 0 done; 1 done but some items were not (a report says which); 2 bad input or usage, or a
  refused write (a LIVE write without confirmation, a plan or checkpoint made for another account); 3
  authentication, permission or API failure. Errors print an explanation, never a traceback.
- LIVE is decided by the one rule (`klaviyo_core.accounts.is_live`): any base URL off this machine, or an
  account the user marked LIVE (`accounts edit NAME --live`; `KLAVIYO_LIVE=1` for the environment key).
- Every LIVE write (profiles import and --resume, tags import, profile labels, events send and bulk, and every
  writer added later) needs `--confirm-account NAME`, the account's name as `accounts list` shows it. Without
  it (or with another name) the command sends nothing, exits 2 and prints the exact option to add. The
  confirmation covers that one run.
- Plans are bound to the account id from GET /api/accounts: resuming or applying one made for another account
  is refused with exit 2, naming both accounts.
- `--report FILE` writes the per-row result of a write, `--out FILE` an export, `--list ID|NAME` picks a list.
- Where a key may go: `--base-url` (and `KLAVIYO_BASE_URL`) must be https unless it is on this machine (refused
  before any connection, exit 2); a host outside `*.klaviyo.com` needs the global `--allow-host`, which `accounts
  add` remembers on the saved account.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NoReturn, TypeVar

import typer

from klaviyo_core.accounts import (
    ENV_ACCOUNT_NAME,
    ENV_KEY,
    SANDBOX,
    AccountNotFound,
    CredentialsError,
    KeyringUnavailable,
    LiveConfirmation,
    LiveWriteNotConfirmed,
    Target,
    TargetError,
    confirm_live,
    identify,
    is_live,
    is_loopback_url,
    resolve_account,
)
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
from klaviyo_core.paths import SANDBOX_KEY_FILE, data_dir

T = TypeVar("T")

CONFIRM_HELP = (
    "Required for every LIVE write: the account name exactly as 'accounts list' shows it, "
    f"or '{ENV_ACCOUNT_NAME}' (quoted) when the key comes from {ENV_KEY}."
)


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1  # done, some items rejected (a report says which)
    BAD_INPUT = 2  # bad input or usage
    API = 3  # authentication, permission or API failure


@dataclass(frozen=True)
class GlobalOptions:
    """The options given before the command (`--base-url`, `--account`, ...), as typed."""

    base_url: str | None = None
    revision: str | None = None
    account: str | None = None
    sandbox: bool = False
    allow_host: bool = False  # --allow-host: a base URL outside *.klaviyo.com is meant
    empty: bool = False  # --empty: a --sandbox run without the app's demo data
    sandbox_url: str | None = None  # --sandbox-url: the app's own sandbox, with its key from the data dir


SANDBOX_KEY = "pk_sandbox_cli_throwaway_key"


class CliSession:
    """One CLI invocation: its global options, and the client and identified target made from them at most once.

    Why a class: commands ask for the client and the target in several steps; the session builds each once (a
    --sandbox run starts one throwaway server, stopped by `on_close` when the command ends) and keeps them, so no
    command reaches into cached fields of the options."""

    def __init__(self, options: GlobalOptions, on_close: Callable[[Callable[[], Any]], Any]) -> None:
        self.options = options
        self._on_close = on_close
        self._client: KlaviyoClient | None = None
        self._target: Target | None = None

    def client(self) -> KlaviyoClient:
        """The client for this invocation: --sandbox, --account NAME, or KLAVIYO_API_KEY (exit 2 on bad input)."""
        if self._client is None:
            if self.options.sandbox_url:
                config = self._app_sandbox_config(self.options.sandbox_url)
            else:
                config = self._sandbox_config() if self.options.sandbox else self._account_config()
            self._client = KlaviyoClient(config)
        return self._client

    def target(self) -> Target:
        """The identified target of this run (one GET /api/accounts, cached): what plans are bound to."""
        if self._target is None:
            client = self.client()
            name, marked = _account_name_and_mark(self.options)
            try:
                self._target = identify(client, name, marked_live=marked)
            except (KlaviyoError, TargetError) as exc:
                fail(exc)
        return self._target

    def _overrides(self) -> dict[str, Any]:
        return {"revision": self.options.revision} if self.options.revision else {}

    def _sandbox_config(self) -> ClientConfig:
        # Imported only here: the core stays a client library and never needs the server otherwise.
        from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer

        server = SandboxServer(SandboxConfig(keys=(KeySpec(SANDBOX_KEY),), rate_limits=False)).start()
        self._on_close(server.stop)
        if not self.options.empty:  # the same demo data as the app's sandbox (issue 18): pages and CLI agree
            from klaviyo_sandbox.seed import seed_demo

            seed_demo(server.app.store)
        return ClientConfig(api_key=SANDBOX_KEY, base_url=server.url, **self._overrides())

    def _app_sandbox_config(self, url: str) -> ClientConfig:
        """The app's running sandbox: a loopback URL (shown on its pages) and the key it keeps in the data dir."""
        base_url = url.strip().rstrip("/")
        if not is_loopback_url(base_url):
            fail_usage(f"--sandbox-url must be the app's local sandbox (http://127.0.0.1:PORT), not '{base_url}'.")
        key_file = data_dir() / SANDBOX_KEY_FILE
        try:
            key = key_file.read_text(encoding="ascii").strip()
        except OSError:
            key = ""
        if not key:
            fail_usage(f"No sandbox key in {key_file}: start the app once (make run), then copy its sandbox URL.")
        return ClientConfig(api_key=key, base_url=base_url, **self._overrides())

    def _account_config(self) -> ClientConfig:
        try:
            account = resolve_account(self.options.account)
        except AccountNotFound as exc:
            fail_usage(str(exc))
        except CredentialsError as exc:  # e.g. KLAVIYO_BASE_URL http:// off loopback
            if isinstance(exc, KeyringUnavailable):
                raise
            fail_usage(str(exc))
        base_url = (self.options.base_url or account.base_url).strip().rstrip("/")
        remembered = account.allow_host and base_url == account.base_url
        require_safe_target(base_url, allow_host=self.options.allow_host or remembered)
        overrides = {"revision": account.revision, **self._overrides()}
        return ClientConfig(api_key=account.api_key, base_url=base_url, **overrides)


def session(ctx: typer.Context) -> CliSession:
    """This invocation's session, kept on the root context (made from bare options when a test set only those)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliSession):
        given = root.obj if isinstance(root.obj, GlobalOptions) else GlobalOptions()
        root.obj = CliSession(given, root.call_on_close)
    return root.obj


def options(ctx: typer.Context) -> GlobalOptions:
    return session(ctx).options


def client_from(ctx: typer.Context) -> KlaviyoClient:
    """The client for this invocation: --sandbox, --account NAME, or KLAVIYO_API_KEY."""
    return session(ctx).client()


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


@contextmanager
def guard() -> Iterator[None]:
    """The CLI's one catch-all: whatever fails inside (an API refusal or a bug) is printed as 'what happened /
    what to do' with its exit code, never as a traceback. Exits (`typer.Exit`, `typer.Abort`) pass through."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI boundary: every failure is explained, none is a traceback
        fail(exc)


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def _account_name_and_mark(opts: GlobalOptions) -> tuple[str, bool]:
    """The name a LIVE write is confirmed with, and whether the user marked the account LIVE."""
    if opts.sandbox or opts.sandbox_url:
        return SANDBOX, False
    try:
        account = resolve_account(opts.account)
    except AccountNotFound as exc:
        fail_usage(str(exc))
    return account.name, account.marked_live


def target_from(ctx: typer.Context) -> Target:
    """The identified target of this run (one GET /api/accounts, cached): what plans are bound to."""
    return session(ctx).target()


def confirm_option(name: str) -> str:
    """The exact option to add, quoted for a shell: the environment key's name holds a space and parentheses."""
    plain = not set(name) & set('"$`\\!')
    return f'--confirm-account "{name}"' if plain else f"--confirm-account {shlex.quote(name)}"


def refuse_unconfirmed(name: str, effect: str, typed: str | None) -> NoReturn:
    """Exit 2 saying what to add; the typed text is not echoed (a pasted key must not reach the scrollback)."""
    parts = [f"Nothing was sent: '{name}' is a LIVE account and this would {effect}."]
    given = "The name given with --confirm-account does not match." if typed else "LIVE writes need a confirmation."
    parts.append(given)
    if name == ENV_ACCOUNT_NAME:
        parts.append(f"(That is the name of a key taken from {ENV_KEY}.)")
    parts.append(f"To confirm, add: {confirm_option(name)}")
    fail_usage(" ".join(parts))


def live_confirmation(ctx: typer.Context, effect: str, typed: str | None) -> LiveConfirmation | None:
    """The one-write confirmation for a LIVE target (None off LIVE). Refuses before any request (exit 2)
    unless `--confirm-account` names the account; `effect` says what the write does ("import 3 profiles")."""
    opts = options(ctx)
    client = client_from(ctx)
    name, marked = _account_name_and_mark(opts)
    if not is_live(client.config.base_url, marked_live=marked):
        return None
    if (typed or "").strip() != name.strip():
        refuse_unconfirmed(name, effect, typed)
    try:
        return confirm_live(target_from(ctx), effect, typed)
    except LiveWriteNotConfirmed:
        refuse_unconfirmed(name, effect, typed)


def confirmed_write(
    ctx: typer.Context, effect: str, typed: str | None, write: Callable[[Target, LiveConfirmation | None], T]
) -> T:
    """Run one write the way every CLI writer must (DESIGN §1b): confirmed when LIVE (else exit 2, nothing sent),
    bound to this run's target, a refusal from the core as exit 2 and any other failure explained."""
    confirmation = live_confirmation(ctx, effect, typed)
    target = target_from(ctx)
    with guard():
        try:
            return write(target, confirmation)
        except TargetError as exc:
            refuse_write(exc)
    raise typer.Exit(ExitCode.API)  # guard() always exits on a failure; kept for the type checker


def refuse_write(exc: TargetError) -> NoReturn:
    """A refused write (another account, an unconfirmed LIVE write): exit 2 with the core's message."""
    fail_usage(str(exc))
