"""How many profiles a list or a segment holds, cached on disk per account with the time it was counted.

Why a cache: `profile_count` is the one expensive read here. GET /api/lists/{id} and /api/segments/{id} with
`additional-fields[list|segment]=profile_count` allow 1/s and 15/min (stated in those operations' descriptions
in the spec, not in their `x-klaviyo-ratelimit`), so counting 20 lists costs more than a minute. A count is
therefore asked once, kept in `data_dir()/audience-counts.json` (0600) under the account id (the same binding
as every plan, so a sandbox restarted on another port keeps its counts), and asked again only when it is older
than `FRESH_SECONDS` or when the user refreshes. The page says how old each count is.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from klaviyo_core.accounts.target import account_id_of
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.paths import data_dir, write_private_text

CACHE_FILE = "audience-counts.json"
FRESH_SECONDS = 30 * 60  # a count younger than this is shown as it is, never asked again without a refresh
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Count:
    """A member count and when it was taken (epoch seconds)."""

    value: int
    counted_at: float

    def age_seconds(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.counted_at)

    def fresh(self, now: float | None = None) -> bool:
        return self.age_seconds(now) < FRESH_SECONDS


def age_text(count: Count | None, now: float | None = None) -> str:
    """ "counted 3 minutes ago", for a page and the CLI alike."""
    if count is None:
        return "not counted yet"
    minutes = int(count.age_seconds(now) // 60)
    if minutes < 1:
        return "counted just now"
    if minutes < 120:
        return f"counted {minutes} minute{'s' if minutes != 1 else ''} ago"
    return f"counted {minutes // 60} hours ago"


def _path() -> Path:
    return data_dir() / CACHE_FILE


def _read() -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(_path().read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def cached_counts(account_id: str, kind: str) -> dict[str, Count]:
    """Every count kept for this account's lists (or segments), fresh or not, by id."""
    kept = _read().get(account_id, {}).get(kind, {})
    out = {}
    for audience_id, entry in kept.items() if isinstance(kept, dict) else ():
        with contextlib.suppress(KeyError, TypeError, ValueError):
            out[str(audience_id)] = Count(int(entry["value"]), float(entry["counted_at"]))
    return out


def remember(account_id: str, kind: str, audience_id: str, count: Count) -> None:
    """Keep one count (best effort: a read-only data dir costs a recount later, nothing else)."""
    with _LOCK, contextlib.suppress(OSError):
        data = _read()
        data.setdefault(account_id, {}).setdefault(kind, {})[audience_id] = {
            "value": count.value,
            "counted_at": count.counted_at,
        }
        write_private_text(_path(), json.dumps(data, indent=1, sort_keys=True))


def fetch_count(client: KlaviyoClient, kind: str, audience_id: str) -> int:
    """One profile_count read (1/s, 15/min: the client paces itself to that)."""
    doc = client.get(f"/api/{kind}s/{audience_id}", params={f"additional-fields[{kind}]": "profile_count"})
    return int(((doc or {}).get("data") or {}).get("attributes", {}).get("profile_count") or 0)


def member_count(
    client: KlaviyoClient,
    kind: str,
    audience_id: str,
    *,
    refresh: bool = False,
    clock: Callable[[], float] = time.time,
) -> Count:
    """The cached count while it is fresh; otherwise (or when `refresh`) one read, then kept."""
    account_id = account_id_of(client)
    kept = cached_counts(account_id, kind).get(audience_id)
    if kept is not None and not refresh and kept.fresh(clock()):
        return kept
    count = Count(fetch_count(client, kind, audience_id), clock())
    remember(account_id, kind, audience_id, count)
    return count
