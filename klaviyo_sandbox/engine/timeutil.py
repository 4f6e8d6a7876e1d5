"""Timestamps as Klaviyo writes them: ISO 8601 in UTC with an explicit offset."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    return (moment or now()).astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601 (a trailing Z allowed); naive times are taken as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_STORED = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d{1,6}(\+00:00)$")
FREE_FORM = frozenset({"properties", "event_properties", "original_payload"})  # user data: answered as sent


def wire(node: Any) -> Any:
    """A response body with our stored timestamps cut to whole seconds, like every example in the spec.

    The store keeps microseconds (bulk upsert compares `updated` to spot a profile changed meanwhile); an ETL
    connector's strict parser refused them on the wire. Free-form members (`properties`) are left untouched.
    """
    if isinstance(node, dict):
        return {k: (v if k in FREE_FORM else wire(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [wire(v) for v in node]
    if isinstance(node, str) and len(node) > 25:
        m = _STORED.match(node)
        return m.group(1) + m.group(2) if m else node
    return node
