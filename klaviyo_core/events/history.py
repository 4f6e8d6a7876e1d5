"""History of sent test events, persisted per account as JSON lines in the workbench data directory.

Why a file per account: the page shows "what did I fire at this account", and a LIVE account's history must
not mix with the sandbox's. The base directory is `$KLAVIYO_WORKBENCH_HOME` when set (tests use tmp_path),
else the per-user data directory. No credential is ever written: entries hold the event, the target's name
and the response, and every text is scrubbed of anything shaped like a private key before it is stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from klaviyo_core.http.redaction import scrub_keys
from klaviyo_core.paths import data_dir, open_private

_lock = threading.Lock()


@dataclass(frozen=True)
class HistoryEntry:
    sent_at: str  # ISO 8601 UTC
    target: str  # "sandbox" or "live"
    account: str  # the account's display name
    metric: str
    profile: str
    status: int | None  # HTTP status, None when nothing was sent (connection failure)
    ok: bool
    outcome: str  # one line: "Accepted and stored as event X" / the explanation
    event: dict[str, Any] = field(default_factory=dict)  # Event.to_dict(), for re-send and "load into form"
    response: Any = None  # the error body, if any

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HistoryEntry:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def row(self) -> dict[str, Any]:
        """A flat row for a table: time, target, metric, profile, status, outcome."""
        return {
            "time": self.sent_at,
            "target": f"{self.target}: {self.account}",
            "metric": self.metric,
            "profile": self.profile,
            "status": self.status,
            "outcome": self.outcome,
        }


class EventHistory:
    """Append-only JSON-lines file for one account."""

    def __init__(self, account: str, home: Path | None = None) -> None:
        self.account = account
        slug = re.sub(r"[^a-z0-9]+", "-", account.lower()).strip("-")[:40] or "account"
        digest = hashlib.sha256(account.encode()).hexdigest()[:8]
        self.path = (home or data_dir()) / "event-history" / f"{slug}-{digest}.jsonl"

    def append(self, entry: HistoryEntry) -> None:
        line = json.dumps(scrub_keys(asdict(entry)), ensure_ascii=False, default=str)
        with _lock, open_private(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    def load(self, limit: int = 100) -> list[HistoryEntry]:
        """Newest first; unreadable lines (a crash mid-write) are skipped, not fatal."""
        if not self.path.is_file():
            return []
        out: list[HistoryEntry] = []
        for line in reversed(self.path.read_text(encoding="utf-8").splitlines()):
            try:
                out.append(HistoryEntry.from_json(json.loads(line)))
            except (ValueError, TypeError):
                continue
            if len(out) >= limit:
                break
        return out

    def clear(self) -> None:
        with _lock:
            self.path.unlink(missing_ok=True)
