"""Client settings, frozen so a client can be cached and shared safely."""

from __future__ import annotations

from dataclasses import dataclass, field

from klaviyo_core.http.origin import require_https
from klaviyo_core.http.redaction import mask_key
from klaviyo_spec import SPEC_REVISION

LIVE_BASE_URL = "https://a.klaviyo.com"


@dataclass(frozen=True)
class ClientConfig:
    api_key: str | None = field(default=None, repr=False)  # private key: Authorization: Klaviyo-API-Key
    oauth_token: str | None = field(default=None, repr=False)  # OAuth: Authorization: Bearer
    base_url: str = LIVE_BASE_URL
    revision: str = SPEC_REVISION
    connect_timeout: float = 5.0  # always set: the official SDK's missing timeout is its most reported bug
    read_timeout: float = 60.0
    max_retries: int = 6  # attempts after the first
    max_wait_seconds: float = 60.0  # cap on one wait; a longer Retry-After is reported, not slept through
    max_total_wait_seconds: float = 300.0  # cap on all waits of one call
    backoff_base_seconds: float = 0.5
    pace: bool = True  # client-side rate limiting from the spec's x-klaviyo-ratelimit
    rate_limit_scale: float = 1.0  # match a sandbox started with --window-scale
    user_agent: str = "klaviyo-workbench/0.1"

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        require_https(self.base_url)  # before any connection: a key never travels in clear text off loopback
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("timeouts must be positive")

    @property
    def credential(self) -> str | None:
        return self.api_key or self.oauth_token

    @property
    def key_fingerprint(self) -> str:
        return mask_key(self.credential)

    def auth_header(self) -> dict[str, str]:
        if self.oauth_token:
            return {"Authorization": f"Bearer {self.oauth_token}"}
        if self.api_key:
            return {"Authorization": f"Klaviyo-API-Key {self.api_key}"}
        return {}
