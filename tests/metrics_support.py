"""Helpers shared by the metrics tests (core, CLI, page): demo data and, until the events issue lands,
a minimal GET /api/metrics.

`ensure_metrics_route()` registers a spec-shaped GET /api/metrics only when no handler module provides one;
once klaviyo_sandbox/handlers/metrics.py exists (issue 5), the real route is used and this does nothing.
"""

from __future__ import annotations

import json
from typing import Any

from klaviyo_sandbox.eventstore import NewEvent, get_or_create_metric, insert_events
from klaviyo_sandbox.http import Ctx, Response
from klaviyo_sandbox.jsonapi import resource
from klaviyo_sandbox.routes import HANDLERS, load_handlers
from klaviyo_sandbox.store import Store


def _get_metrics(ctx: Ctx) -> Response:
    with ctx.store.read() as conn:
        rows = conn.execute("SELECT * FROM metrics ORDER BY name").fetchall()
    items = [
        resource(
            ctx,
            "metric",
            r["id"],
            {
                "name": r["name"],
                "created": r["created"],
                "updated": r["updated"],
                "integration": json.loads(r["integration"]),
            },
        )
        for r in rows
    ]
    return Response(200, {"data": items, "links": {"self": ctx.self_link()}})


def ensure_metrics_route() -> None:
    load_handlers()
    HANDLERS.setdefault("get_metrics", _get_metrics)


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


def sandbox_lists_metrics() -> bool:
    """True when a handler module (not this test shim) serves GET /api/metrics, e.g. for a subprocess app."""
    load_handlers()
    handler = HANDLERS.get("get_metrics")
    return handler is not None and handler is not _get_metrics
