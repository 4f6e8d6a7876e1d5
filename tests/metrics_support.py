"""Helpers shared by the metrics tests (core, CLI, page): events written straight into a sandbox's store."""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.events.store import NewEvent, get_or_create_metric, insert_events


def add_events(store: Store, metric: str, rows: list[tuple[int, str, float, dict[str, Any]]]) -> str:
    """(ts, profile_id, value, properties) rows for `metric`; returns the metric id."""
    with store.write() as conn:
        metric_id = get_or_create_metric(conn, metric)
        events = [
            NewEvent(metric_id, p, ts, props, value, "USD", f"{p}-{ts}-{i}")
            for i, (ts, p, value, props) in enumerate(rows)
        ]
        insert_events(conn, events)
    return metric_id
