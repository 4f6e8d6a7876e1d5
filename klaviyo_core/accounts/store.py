"""Named Klaviyo accounts: the key in the OS keyring, everything else in a small settings file.

Why this split: a private key can read and change a whole store's customer data, so it lives only where the
operating system protects secrets (macOS Keychain, Windows Credential Locker, Secret Service on Linux), one
entry per account under the fixed service name `SERVICE`. The settings file holds what is safe to show and
to back up: the account name, a fingerprint like `pk_...a1b2`, base URL, revision, the last test result and
the Klaviyo account's name/id/timezone/currency.

A headless server usually has no keyring backend. Then we say so (`KeyringUnavailable`) and never fall back
to a plaintext or base64 file; the honest alternatives are a key kept in memory for one browser session, or
the `KLAVIYO_API_KEY` environment variable (servers, cron, CI, the CLI).

The keyring entry is keyed by a stable random account id, not the name, so a rename never touches the secret.
The sandbox is always an account (`SANDBOX`) that needs no key and is never stored.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import keyring
import keyring.errors

from klaviyo_core.accounts.key_format import check_key_format
from klaviyo_core.accounts.records import (
    AccountRecord,
    KlaviyoAccountInfo,
    TestResult,
)
from klaviyo_core.accounts.target import env_marked_live, is_live
from klaviyo_core.http.config import LIVE_BASE_URL
from klaviyo_core.http.origin import UnsafeTarget, require_https
from klaviyo_core.http.redaction import mask_key
from klaviyo_core.paths import config_dir, private_dir
from klaviyo_spec import SPEC_REVISION

__all__ = [
    "ENV_ACCOUNT_NAME",
    "ENV_KEY",
    "LIVE_BASE_URL",
    "SANDBOX",
    "SERVICE",
    "AccountNotFound",
    "AccountRecord",
    "AccountStore",
    "AccountUnusable",
    "CredentialsError",
    "KeyringUnavailable",
    "KlaviyoAccountInfo",
    "ResolvedAccount",
    "TestResult",
    "env_account",
    "keyring_available",
    "resolve_account",
]

SERVICE = "klaviyo-workbench"
SANDBOX = "Sandbox"
ENV_KEY = "KLAVIYO_API_KEY"
ENV_ACCOUNT_NAME = "KLAVIYO_API_KEY (environment)"
ENV_BASE_URL = "KLAVIYO_BASE_URL"
SETTINGS_FILE = "accounts.json"
MAX_NAME_LENGTH = 60
_REVISION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z0-9]+)?$")
#: One lock for every read-modify-write of the settings file in this process (several Streamlit sessions
#: share a process); the atomic rename protects readers, this keeps two writers from losing an update.
_WRITE_LOCK = threading.RLock()
_P = ParamSpec("_P")
_R = TypeVar("_R")


class CredentialsError(Exception):
    """Base of the account store's errors; messages are plain words and never contain a key."""


class AccountNotFound(CredentialsError, LookupError):
    pass


class AccountUnusable(AccountNotFound):
    """`resolve_account` could not produce a usable key (no keyring, key missing, a bad KLAVIYO_API_KEY).

    A subclass of AccountNotFound so a caller (the CLI's global options) needs one except clause."""


class AccountExists(CredentialsError):
    pass


class InvalidKey(CredentialsError):
    """The pasted text is not a usable private key; `.reason` says why."""

    def __init__(self, reason: str, kind: str = "malformed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class InvalidName(CredentialsError):
    pass


class KeyringUnavailable(CredentialsError):
    """No OS keyring to keep the key in (typical on a headless Linux server), or it refused the request."""

    ALTERNATIVES = (
        "Use the key for this browser session only (kept in memory, never written to disk), or set the "
        f"{ENV_KEY} environment variable before starting the app or the CLI (best for servers and cron). "
        "The built-in sandbox needs no key at all."
    )

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} {self.ALTERNATIVES}")
        self.what = what


class KeyMissing(CredentialsError):
    """The settings know the account but the keyring has no key for it (removed outside the app)."""


@dataclass(frozen=True)
class ResolvedAccount:
    """Everything a client needs for one saved (or environment) account."""

    name: str
    api_key: str | None = field(default=None, repr=False)
    base_url: str = LIVE_BASE_URL
    revision: str = SPEC_REVISION
    marked_live: bool = False  # the saved account's "live" setting, or KLAVIYO_LIVE=1 for the environment key
    allow_host: bool = False  # the user allowed a host outside *.klaviyo.com (CLI --allow-host)

    @property
    def live(self) -> bool:
        return is_live(self.base_url, marked_live=self.marked_live)


class InvalidSetting(CredentialsError):
    pass


def validate_base_url(base_url: str | None) -> str:
    """'https://a.klaviyo.com' by default; anything else must be an http(s) URL with a host."""
    clean = (base_url or "").strip().rstrip("/") or LIVE_BASE_URL
    parts = urlsplit(clean)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSetting(f"'{clean}' is not a web address; use e.g. {LIVE_BASE_URL}.")
    if any(ch.isspace() for ch in clean):
        raise InvalidSetting("The base URL must not contain spaces.")
    try:
        require_https(clean)
    except UnsafeTarget as exc:
        raise InvalidSetting(str(exc)) from None
    return clean


def validate_revision(revision: str | None) -> str:
    clean = (revision or "").strip() or SPEC_REVISION
    if not _REVISION.match(clean):
        raise InvalidSetting(f"'{clean}' is not an API revision; they look like {SPEC_REVISION}.")
    return clean


def validate_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise InvalidName("An account needs a name, e.g. 'Acme US'.")
    if len(clean) > MAX_NAME_LENGTH:
        raise InvalidName(f"Account names are at most {MAX_NAME_LENGTH} characters.")
    if clean.casefold() in (SANDBOX.casefold(), ENV_ACCOUNT_NAME.casefold()):
        raise InvalidName(f"'{clean}' is reserved for the built-in account; pick another name.")
    if check_key_format(clean).ok or clean.startswith("pk_"):
        raise InvalidName("That looks like a key, not a name. Names are shown on screen; keep keys out of them.")
    return clean


def validated_key(text: str) -> str:
    verdict = check_key_format(text)
    if not verdict.ok:
        raise InvalidKey(verdict.reason, verdict.kind)
    return verdict.key


@contextlib.contextmanager
def _keyring_errors(action: str) -> Iterator[None]:
    """Translate keyring's exceptions once. Their texts never include the password, but we do not rely on it."""
    try:
        yield
    except keyring.errors.NoKeyringError:
        raise KeyringUnavailable(
            f"This computer has no keyring (password store) the workbench could {action}, so keys cannot be "
            "saved here. That is normal on a headless server."
        ) from None
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            f"The system keyring refused to {action} ({type(exc).__name__}); it may be locked."
        ) from None


def keyring_available() -> bool:
    """True when a real keyring backend is configured (the 'fail' backend means there is none)."""
    backend = keyring.get_keyring()
    return not backend.__class__.__module__.startswith("keyring.backends.fail")


def _serialised(method: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(method)
    def locked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _WRITE_LOCK:
            return method(*args, **kwargs)

    return locked


class AccountStore:
    """The saved accounts. Each call reads (and a change rewrites) the small settings file, so several
    stores (Streamlit sessions, the CLI) see each other's changes; changes in one process are serialised."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home or config_dir()
        self.path = self.home / SETTINGS_FILE

    # -- settings file -----------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"version": 1, "active": SANDBOX, "accounts": []}
        except (OSError, ValueError) as exc:
            raise CredentialsError(f"The settings file {self.path} cannot be read ({type(exc).__name__}).") from None
        if not isinstance(data, dict) or not isinstance(data.setdefault("accounts", []), list):
            raise CredentialsError(f"The settings file {self.path} is damaged; fix or delete it.")
        data.setdefault("active", SANDBOX)
        return data

    def _save(self, data: dict[str, Any]) -> None:
        """Atomic replace, owner-only permissions: a crash never leaves half a file."""
        private_dir(self.home)
        fd, tmp = tempfile.mkstemp(prefix=".accounts-", suffix=".json", dir=self.home)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _records(self, data: dict[str, Any]) -> list[AccountRecord]:
        try:
            return [AccountRecord.from_dict(item) for item in data["accounts"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CredentialsError(
                f"The settings file {self.path} is damaged; fix or delete it (keys in the keyring are not affected)."
            ) from None

    def _put(self, data: dict[str, Any], records: list[AccountRecord]) -> None:
        data["accounts"] = [r.to_dict() for r in records]
        self._save(data)

    # -- queries -----------------------------------------------------------------------------------
    def saved(self) -> list[AccountRecord]:
        """Saved accounts in the order they were added (the sandbox is not among them)."""
        return self._records(self._load())

    def names(self) -> list[str]:
        return [SANDBOX, *(r.name for r in self.saved())]

    def get(self, name: str) -> AccountRecord:
        for record in self.saved():
            if record.name.casefold() == name.strip().casefold():
                return record
        raise AccountNotFound(f"There is no saved account named '{name}'.")

    def active_name(self) -> str:
        data = self._load()
        names = {r.name for r in self._records(data)}
        active = data.get("active") or SANDBOX
        return active if active in names else SANDBOX

    def key_for(self, name: str) -> str:
        record = self.get(name)
        with _keyring_errors("read the key from"):
            key = keyring.get_password(SERVICE, record.id)
        if not key:
            raise KeyMissing(
                f"The keyring has no key for '{record.name}' any more; use 'Replace key' to paste it again."
            )
        return key

    def resolve(self, name: str) -> ResolvedAccount:
        """A saved account with its key. The sandbox has no key and no fixed URL: callers handle it."""
        if name.strip().casefold() == SANDBOX.casefold():
            raise AccountNotFound(
                "The chosen account is the built-in sandbox, which needs no key: use --sandbox for a local "
                f"sandbox, --account NAME for a saved account, or set {ENV_KEY}."
            )
        record = self.get(name)
        key = self.key_for(record.name)
        return ResolvedAccount(
            record.name,
            key,
            record.base_url,
            record.revision,
            marked_live=record.marked_live,
            allow_host=record.allow_host,
        )

    # -- changes -----------------------------------------------------------------------------------
    @_serialised
    def add(
        self,
        name: str,
        key: str,
        *,
        base_url: str = LIVE_BASE_URL,
        revision: str = SPEC_REVISION,
        allow_host: bool = False,
    ) -> AccountRecord:
        """Check the name and key shape, put the key in the keyring, then record the account."""
        clean_name = validate_name(name)
        clean_key = validated_key(key)
        data = self._load()
        records = self._records(data)
        if any(r.name.casefold() == clean_name.casefold() for r in records):
            raise AccountExists(f"An account named '{clean_name}' already exists; pick another name or edit it.")
        record = AccountRecord(
            clean_name,
            uuid.uuid4().hex,
            mask_key(clean_key),
            validate_base_url(base_url),
            validate_revision(revision),
            allow_host=allow_host,
        )
        with _keyring_errors("save the key in"):
            keyring.set_password(SERVICE, record.id, clean_key)
        try:
            self._put(data, [*records, record])
        except BaseException:  # never leave a key in the keyring that no listed account owns
            with contextlib.suppress(keyring.errors.KeyringError):
                keyring.delete_password(SERVICE, record.id)
            raise
        return record

    @_serialised
    def _update(self, account: str, /, **changes: Any) -> AccountRecord:
        data = self._load()
        target = self.get(account)
        updated = replace(target, **changes)
        if data.get("active") == target.name:
            data["active"] = updated.name
        self._put(data, [updated if r.id == target.id else r for r in self._records(data)])
        return updated

    @_serialised
    def rename(self, name: str, new_name: str) -> AccountRecord:
        clean = validate_name(new_name)
        target = self.get(name)
        if any(r.name.casefold() == clean.casefold() and r.id != target.id for r in self.saved()):
            raise AccountExists(f"An account named '{clean}' already exists.")
        return self._update(target.name, name=clean)

    def edit(
        self, name: str, *, base_url: str | None = None, revision: str | None = None, live: bool | None = None
    ) -> AccountRecord:
        """Change settings; `live=True` marks the account LIVE whatever its URL (False: LIVE only off loopback)."""
        changes: dict[str, Any] = {}
        if live is not None:
            changes["marked_live"] = live
        if base_url:
            changes["base_url"] = validate_base_url(base_url)
        if revision:
            changes["revision"] = validate_revision(revision)
        return self._update(name, **changes) if changes else self.get(name)

    @_serialised
    def replace_key(self, name: str, key: str) -> AccountRecord:
        """A new key for the same account; the old test result no longer applies."""
        clean_key = validated_key(key)
        target = self.get(name)
        with _keyring_errors("save the key in"):
            keyring.set_password(SERVICE, target.id, clean_key)
        return self._update(target.name, fingerprint=mask_key(clean_key), last_test=None)

    def record_test(self, name: str, result: TestResult, klaviyo: KlaviyoAccountInfo | None = None) -> AccountRecord:
        changes: dict[str, Any] = {"last_test": result}
        if klaviyo is not None:
            changes["klaviyo"] = klaviyo
        return self._update(name, **changes)

    @_serialised
    def remove(self, name: str) -> None:
        """Delete the keyring entry first, so a failure never leaves a key without its account listed."""
        target = self.get(name)
        with _keyring_errors("delete the key from"), contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE, target.id)
        data = self._load()
        if data.get("active") == target.name:
            data["active"] = SANDBOX
        self._put(data, [r for r in self._records(data) if r.id != target.id])

    @_serialised
    def set_active(self, name: str) -> str:
        chosen = SANDBOX if name.strip().casefold() == SANDBOX.casefold() else self.get(name).name
        data = self._load()
        data["active"] = chosen
        self._save(data)
        return chosen


def env_account() -> ResolvedAccount | None:
    """The account given by `KLAVIYO_API_KEY` (and optionally `KLAVIYO_BASE_URL`), None when unset.

    Raises InvalidKey when the variable holds something that is not a private key."""
    env_key = os.environ.get(ENV_KEY, "").strip()
    if not env_key:
        return None
    try:
        base_url = validate_base_url(os.environ.get(ENV_BASE_URL))
    except InvalidSetting as exc:
        raise InvalidSetting(f"{ENV_BASE_URL}: {exc}") from None
    return ResolvedAccount(ENV_ACCOUNT_NAME, validated_key(env_key), base_url, marked_live=env_marked_live())


def resolve_account(name: str | None, store: AccountStore | None = None) -> ResolvedAccount:
    """The account a CLI command or a script should use.

    An explicit name wins. With no name, `KLAVIYO_API_KEY` wins when set (servers, cron, CI: no keyring
    needed), then the active saved account. Every failure is an AccountNotFound with a plain message.
    """
    store = store or AccountStore()
    try:
        if name:
            return store.resolve(name)
        from_env = env_account()
        if from_env is not None:
            return from_env
        return store.resolve(store.active_name())
    except AccountNotFound:
        raise
    except InvalidKey as exc:
        raise AccountUnusable(f"{ENV_KEY} does not hold a usable private key: {exc.reason}") from None
    except CredentialsError as exc:
        raise AccountUnusable(str(exc)) from None
