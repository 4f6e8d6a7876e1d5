"""The reporting budget: how many reporting calls an account has left today, estimated locally.

Klaviyo limits every reporting endpoint (campaign/flow/segment/form values and series) to 1/s, 2/min and
**225/day** per account (spec `x-klaviyo-ratelimit.daily`). Whether that day is UTC, rolling or the account's
timezone is unknown offline, and other tools on the same key spend it unseen. So the workbench counts its own
calls over a rolling 24 hours, labels the figure an estimate, and corrects it when Klaviyo answers 429: the
server's `Retry-After` then wins over our count. The record lives in the data dir (0600), one file per account,
so a restart does not hand out a fresh budget.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from klaviyo_core import paths

DAILY_LIMIT = 225
WINDOW_SECONDS = 24 * 60 * 60


class BudgetExhaustedError(Exception):
    """Raised before a reporting call would spend a budget that is (estimated to be) gone."""


@dataclass(frozen=True)
class BudgetStatus:
    """What the UI and CLI show before a call: calls left (an estimate) and when the next one frees up."""

    used: int
    limit: int
    blocked_until: float | None
    next_free_at: float | None

    @property
    def remaining(self) -> int:
        return 0 if self.blocked_until is not None else max(self.limit - self.used, 0)

    def describe(self, now: float) -> str:
        """Plain words, always saying it is an estimate (other tools may spend the same budget)."""
        text = f"about {self.remaining} of {self.limit} reporting calls left in the last 24 hours (estimate)"
        if self.remaining == 0 and self.next_free_at is not None:
            text += f"; the next one frees up in {_minutes(self.next_free_at - now)}"
        return text


def _minutes(seconds: float) -> str:
    minutes = max(int(seconds // 60) + 1, 1)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def budget_path(account_id: str) -> Path:
    """One file per account; the id is hashed so no account id can steer the path."""
    digest = hashlib.sha256(account_id.encode("utf-8")).hexdigest()[:16]
    return paths.data_dir("reports", f"budget-{digest}.json")


class ReportingBudget:
    """Counts one account's reporting calls over a rolling 24 hours, persisted across restarts."""

    def __init__(self, account_id: str, *, limit: int = DAILY_LIMIT, path: Path | None = None) -> None:
        self.path = path or budget_path(account_id)
        self.limit = limit

    def _load(self) -> tuple[list[float], float | None]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            calls = [float(t) for t in data.get("calls", [])]
            blocked = data.get("blocked_until")
            return calls, (float(blocked) if blocked is not None else None)
        except (OSError, ValueError, TypeError, AttributeError):
            return [], None  # no record yet, or an unreadable one: start counting afresh

    def _save(self, calls: list[float], blocked_until: float | None) -> None:
        text = json.dumps({"calls": calls, "blocked_until": blocked_until})
        paths.write_private_text(self.path, text)

    def status(self, now: float | None = None) -> BudgetStatus:
        now = time.time() if now is None else now
        calls, blocked = self._load()
        recent = sorted(t for t in calls if now - t < WINDOW_SECONDS)
        blocked = blocked if blocked is not None and blocked > now else None
        next_free = blocked if blocked is not None else None
        if next_free is None and len(recent) >= self.limit:
            next_free = recent[len(recent) - self.limit] + WINDOW_SECONDS
        return BudgetStatus(len(recent), self.limit, blocked, next_free)

    def spend(self, now: float | None = None) -> BudgetStatus:
        """Record one call about to be made, or refuse politely when the budget is gone."""
        now = time.time() if now is None else now
        current = self.status(now)
        if current.remaining <= 0:
            raise BudgetExhaustedError(
                f"No reporting calls left: {current.describe(now)}. Klaviyo allows {self.limit} reporting calls "
                "a day per account. Use the cached figures, or try again later."
            )
        calls, _ = self._load()
        kept = [t for t in calls if now - t < WINDOW_SECONDS] + [now]
        self._save(kept, None)
        return self.status(now)

    def note_throttled(self, retry_after: float, now: float | None = None) -> BudgetStatus:
        """Klaviyo answered 429: its word beats our estimate, so no call is offered until Retry-After passes."""
        now = time.time() if now is None else now
        calls, _ = self._load()
        self._save([t for t in calls if now - t < WINDOW_SECONDS], now + max(retry_after, 0))
        return self.status(now)
