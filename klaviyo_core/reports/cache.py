"""Report answers on disk, per account and request, with their age.

A reporting call costs one of 225 a day, so an answer is kept on disk (0600, in the data dir) and reused across
restarts; the page and the CLI show how old it is rather than silently spending another call. The key is a
digest of the account id and the request body in canonical JSON, so the same question asked twice (keys in any
order) hits the same entry, and neither the account id nor the request steers a file path.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from klaviyo_core import paths


@dataclass(frozen=True)
class CachedReport:
    """One stored answer: the response document as Klaviyo sent it, and when it was fetched (epoch seconds)."""

    payload: dict[str, Any]
    fetched_at: float

    def age_seconds(self, now: float | None = None) -> float:
        return max((time.time() if now is None else now) - self.fetched_at, 0.0)

    def describe_age(self, now: float | None = None) -> str:
        """'fetched 42 s ago', '3 min ago', '5 h ago': shown beside every cached figure."""
        seconds = int(self.age_seconds(now))
        if seconds < 60:
            return f"fetched {seconds} s ago"
        if seconds < 3600:
            return f"fetched {seconds // 60} min ago"
        return f"fetched {seconds // 3600} h ago"


def request_key(account_id: str, body: dict[str, Any]) -> str:
    """The cache key: the same account and the same request body give the same key, whatever the key order."""
    canonical = json.dumps({"account": account_id, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


class ReportCache:
    """Reads and writes report answers under `<data dir>/reports/cache/` (or `root`)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or paths.data_dir("reports", "cache")

    def _path(self, account_id: str, body: dict[str, Any]) -> Path:
        return self.root / f"{request_key(account_id, body)}.json"

    def get(self, account_id: str, body: dict[str, Any]) -> CachedReport | None:
        """The stored answer, or None when there is none or it cannot be read (it is then fetched afresh)."""
        try:
            data = json.loads(self._path(account_id, body).read_text(encoding="utf-8"))
            return CachedReport(dict(data["payload"]), float(data["fetched_at"]))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, account_id: str, body: dict[str, Any], payload: dict[str, Any], now: float | None = None) -> None:
        fetched_at = time.time() if now is None else now
        text = json.dumps({"payload": payload, "fetched_at": fetched_at})
        paths.write_private_text(self._path(account_id, body), text)
