"""Sandbox settings: one frozen object handed to every part of the server."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir


def default_db_path() -> Path:
    """Where `python -m klaviyo_sandbox serve` keeps its database: the workbench's data dir, so the standalone
    sandbox and the app's embedded one share their data. The rule mirrors `klaviyo_core.paths.data_dir`
    (`KLAVIYO_WORKBENCH_HOME`, else the per-user data dir); the sandbox imports nothing from the core."""
    home = os.environ.get("KLAVIYO_WORKBENCH_HOME")
    return (Path(home) if home else Path(user_data_dir("klaviyo-workbench"))) / "sandbox.sqlite3"


@dataclass(frozen=True)
class KeySpec:
    """A private key the sandbox accepts, with its scopes (None = full access)."""

    key: str
    scopes: frozenset[str] | None = None

    @classmethod
    def parse(cls, text: str) -> KeySpec:
        """'pk_test_ro:accounts:read,profiles:read' -> key + scopes; the first colon ends the key."""
        key, sep, scopes = text.partition(":")
        if not key:
            raise ValueError("empty key")
        if not sep:
            return cls(key)
        return cls(key, frozenset(s.strip() for s in scopes.split(",") if s.strip()))

    def allows(self, required: tuple[str, ...]) -> bool:
        if self.scopes is None:
            return True
        # EMULATOR CHOICE (facts §1): every listed scope is required; X:write also grants X:read.
        granted = set(self.scopes) | {s.replace(":write", ":read") for s in self.scopes if s.endswith(":write")}
        return all(s in granted for s in required)


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0
    db_path: Path | None = None  # None: in-memory (tests); the CLI defaults to a per-user data dir
    keys: tuple[KeySpec, ...] = ()
    public_key: str | None = None  # the account id (6 characters); None: the database's own lasting id
    admin: bool = False
    admin_token: str | None = field(default=None, repr=False)  # None with admin on: one is generated
    rate_limits: bool = True
    window_scale: float = 1.0  # 0.1 makes the rate-limit "minute" last 6 seconds
    job_step_seconds: float = 0.05  # how long a bulk job waits in each state
    max_body_bytes: int = 5 * 1024 * 1024  # Klaviyo's global payload cap
    idle_timeout: float = 30.0  # seconds a keep-alive connection may sit silent (or a body stall) before closing
    account_name: str = "Sandbox Store"
    account_timezone: str = "America/New_York"
    account_currency: str = "USD"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        """The id GET /api/accounts answers (also the public key `/client/` calls give as company_id)."""
        return self.public_key or ""

    def key_spec(self, key: str) -> KeySpec | None:
        for spec in self.keys:
            if spec.key == key:
                return spec
        return None
