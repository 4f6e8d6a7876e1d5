"""One format for every time the workbench stamps (saved-account tests, event history): UTC, to the second,
ending in `Z`, e.g. `2026-12-06T17:05:04Z`. Python's `datetime.fromisoformat` reads it back."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
