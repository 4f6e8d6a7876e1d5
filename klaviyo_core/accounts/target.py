"""The one LIVE rule and the identity of a write's target (DESIGN §1b "Writes a marketer can trust").

LIVE: a target is LIVE unless its base URL is on this machine (127.0.0.0/8, ::1, localhost) *and* the user has
not marked it LIVE (a saved account's "live" setting; `KLAVIYO_LIVE=1` for the environment account). Every page,
the sidebar and the CLI ask `is_live`; nothing else decides it.

Identity: a plan (checkpoint, dry run, validation result, tag plan, confirmation) is bound to the account id
that GET /api/accounts answers, so a key replaced for the same account still resumes and a sandbox restarted on
another port is still the same account; the base URL and the key's fingerprint are recorded to be shown.
GET /api/accounts allows 1/s and 15/min, so ids are cached per (base URL, key digest): in the process, and on
disk for hosts off this machine. Loopback sandboxes come and go on reused ports, so their ids are only kept in
the process for a short while. The digest is a one-way hash; the key itself is never written anywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.redaction import mask_key
from klaviyo_core.paths import data_dir

LIVE_ENV = "KLAVIYO_LIVE"
CACHE_FILE = "targets.json"
LOOPBACK_CACHE_SECONDS = 30.0
_CACHE: dict[tuple[str, str], tuple[str, float]] = {}
_CACHE_LOCK = threading.Lock()


def is_loopback_url(base_url: str) -> bool:
    """True for http(s)://localhost, 127.0.0.0/8 and ::1: a server on this machine (the sandbox)."""
    host = urlsplit(base_url).hostname if base_url else None
    if not host:
        return False
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_live(base_url: str, *, marked_live: bool = False) -> bool:
    """The one LIVE rule: off this machine, or marked LIVE by the user (a proxy or tunnel may hide a real store)."""
    return marked_live or not is_loopback_url(base_url)


def env_marked_live() -> bool:
    """`KLAVIYO_LIVE=1` marks the environment account LIVE even on a loopback URL (a tunnel to a real store)."""
    return os.environ.get(LIVE_ENV, "").strip() == "1"


class TargetError(Exception):
    """Base of the refusals in this module; messages name accounts, never keys."""


class TargetUnknown(TargetError):
    """GET /api/accounts answered without an account: the target cannot be identified, so nothing is written."""


class TargetMismatch(TargetError):
    """A plan made for one account was about to run against another; nothing was sent."""

    def __init__(self, what: str, recorded: Target, current: Target) -> None:
        super().__init__(
            f"This {what} belongs to {recorded.label()}, but the current account is {current.label()}. "
            f"Nothing was sent. Switch back to '{recorded.name}', or discard the {what}."
        )
        self.recorded = recorded
        self.current = current


@dataclass(frozen=True)
class Target:
    """Where a write goes: the name the user knows, the account id that binds plans, and what is shown."""

    name: str
    base_url: str
    account_id: str
    key_fingerprint: str
    live: bool

    def label(self) -> str:
        kind = "LIVE account" if self.live else "account"
        return f"the {kind} '{self.name}' (id {self.account_id} at {self.base_url}, key {self.key_fingerprint})"

    def same_account(self, other: Target) -> bool:
        """The binding: the account id only (a replaced key or a new sandbox port is the same account)."""
        return bool(self.account_id) and self.account_id == other.account_id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(
            str(data.get("name", "")),
            str(data.get("base_url", "")),
            str(data.get("account_id", "")),
            str(data.get("key_fingerprint", "")),
            bool(data.get("live", True)),
        )


def check_same_target(what: str, recorded: Target | None, current: Target) -> None:
    """Refuse (TargetMismatch) when a plan recorded for another account is about to run on `current`."""
    if recorded is not None and not recorded.same_account(current):
        raise TargetMismatch(what, recorded, current)


def _key_digest(key: str | None) -> str:
    """A one-way digest that tells keys apart in the cache file (the masked fingerprint can collide)."""
    return hashlib.blake2b((key or "").encode(), digest_size=16, person=b"kw-target-cache").hexdigest()


def _disk_path() -> Path:
    return data_dir() / CACHE_FILE


def _read_disk() -> dict[str, str]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(_disk_path().read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
    return {}


def _write_disk(entry: str, account_id: str) -> None:
    """Best effort (a read-only data dir only costs a GET later); owner-only, atomic."""
    with contextlib.suppress(OSError):
        path = _disk_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {**_read_disk(), entry: account_id}
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)


def _cached(base_url: str, digest: str) -> str | None:
    with _CACHE_LOCK:
        hit = _CACHE.get((base_url, digest))
    if hit is not None and (not is_loopback_url(base_url) or time.monotonic() - hit[1] < LOOPBACK_CACHE_SECONDS):
        return hit[0]
    if is_loopback_url(base_url):
        return None
    return _read_disk().get(f"{base_url} {digest}")


def _remember(base_url: str, digest: str, account_id: str) -> None:
    with _CACHE_LOCK:
        _CACHE[(base_url, digest)] = (account_id, time.monotonic())
    if not is_loopback_url(base_url):
        _write_disk(f"{base_url} {digest}", account_id)


def forget_cached_ids() -> None:
    """Drop the in-process cache (tests; after a sandbox database was replaced)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def account_id_of(client: KlaviyoClient, *, refresh: bool = False) -> str:
    """The account id behind the client's key, from the cache or one GET /api/accounts (client errors propagate)."""
    base_url, digest = client.config.base_url, _key_digest(client.config.credential)
    found = None if refresh else _cached(base_url, digest)
    if found:
        return found
    items = (client.get("/api/accounts") or {}).get("data") or []
    account_id = str(items[0].get("id") or "") if items else ""
    if not account_id:
        raise TargetUnknown(f"{base_url} answered GET /api/accounts without an account; nothing was sent.")
    _remember(base_url, digest, account_id)
    return account_id


def identify(client: KlaviyoClient, name: str, *, marked_live: bool = False, refresh: bool = False) -> Target:
    """The target this client writes to, under the account name the user chose."""
    base_url = client.config.base_url
    return Target(
        name=name,
        base_url=base_url,
        account_id=account_id_of(client, refresh=refresh),
        key_fingerprint=mask_key(client.config.credential),
        live=is_live(base_url, marked_live=marked_live),
    )


def target_or_own(client: KlaviyoClient, target: Target | None) -> Target:
    """The caller's target, or the client's own account (named by its URL) for scripts that pass none."""
    if target is not None:
        return target
    if client is None:
        raise TargetUnknown("A write needs the account it goes to: pass a client (or its target).")
    return identify(client, client.config.base_url)
