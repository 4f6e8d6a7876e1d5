"""The non-secret record of a saved account: what the settings file holds and the Keys page shows.

Kept apart from `store.py` (which owns the keyring and the file) so the records stay plain data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from klaviyo_core.accounts.target import is_live
from klaviyo_core.http.config import LIVE_BASE_URL
from klaviyo_spec import SPEC_REVISION


@dataclass(frozen=True)
class TestResult:
    """The outcome of the last "Test": safe to store and show (no key, no raw body)."""

    __test__ = False  # not a pytest class

    ok: bool
    when: str
    summary: str
    cannot: tuple[str, ...] = ()  # e.g. ("upload profiles (lists:write, profiles:write)",)
    unknown: tuple[str, ...] = ()  # capabilities the probe could not decide (sandbox 501, network)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        return cls(
            bool(data.get("ok")),
            str(data.get("when", "")),
            str(data.get("summary", "")),
            tuple(data.get("cannot", ())),
            tuple(data.get("unknown", ())),
        )


@dataclass(frozen=True)
class KlaviyoAccountInfo:
    """What `GET /api/accounts` says about the store behind a key."""

    id: str = ""
    name: str = ""
    timezone: str = ""
    currency: str = ""


@dataclass(frozen=True)
class AccountRecord:
    """One saved account, without its key."""

    name: str
    id: str
    fingerprint: str
    base_url: str = LIVE_BASE_URL
    revision: str = SPEC_REVISION
    last_test: TestResult | None = None
    klaviyo: KlaviyoAccountInfo = field(default_factory=KlaviyoAccountInfo)
    marked_live: bool = False  # the user's "live" setting: LIVE even on loopback (a tunnel to a real store)
    allow_host: bool = False  # a host outside *.klaviyo.com the user allowed (CLI --allow-host), remembered

    @property
    def live(self) -> bool:
        return is_live(self.base_url, marked_live=self.marked_live)

    @property
    def status(self) -> str:
        """'ok' | 'failed' | 'not tested': the badge on the Keys page."""
        if self.last_test is None:
            return "not tested"
        return "ok" if self.last_test.ok else "failed"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_test"] = asdict(self.last_test) if self.last_test else None
        data["live"] = data.pop("marked_live")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountRecord:
        last = data.get("last_test")
        return cls(
            name=str(data["name"]),
            id=str(data["id"]),
            fingerprint=str(data.get("fingerprint", "")),
            base_url=str(data.get("base_url") or LIVE_BASE_URL),
            revision=str(data.get("revision") or SPEC_REVISION),
            last_test=TestResult.from_dict(last) if isinstance(last, dict) else None,
            klaviyo=KlaviyoAccountInfo(**{k: str(v) for k, v in (data.get("klaviyo") or {}).items()}),
            marked_live=data.get("live") is True,
            allow_host=bool(data.get("allow_host", False)),
        )
