"""Metrics: read-only (a metric is created by the first event that names it; see events/input.py).

Tables live in events/store.py. `GET /api/metrics` pages 200 at a time and has no page[size] (facts §12).
EMULATOR CHOICE: metrics are listed oldest first; the sandbox has no flows, so `flow-triggers` is empty.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine.errors import not_found
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, decode_cursor, document
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.events.store import all_metrics, metric_row
from klaviyo_sandbox.metrics.resource import includes, metric_resource
from klaviyo_spec import allowed_filters

METRICS_PAGE = 200
METRIC_INCLUDES = {"flow-triggers"}


def _integration_value(row: sqlite3.Row, field: str) -> Any:
    return json.loads(row["integration"]).get(field.split(".", 1)[1])


@route("get_metrics")
def get_metrics(ctx: Ctx) -> Response:
    """Metrics, 200 a page, no page[size], integration filters (facts §12). EMULATOR CHOICE: oldest
    first; include=flow-triggers is accepted and empty (the sandbox has no flow triggers)."""
    cursor = ctx.req.arg("page[cursor]")
    offset = decode_cursor(cursor) if cursor else 0
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_metrics"))
    with_flows = "flow-triggers" in includes(ctx, METRIC_INCLUDES)
    with ctx.store.read() as conn:
        rows = all_metrics(conn)
    rows = [r for r in rows if all(matches(c, _integration_value(r, c.field)) for c in conditions)]
    items = [metric_resource(ctx, r, with_flows=with_flows) for r in rows[offset : offset + METRICS_PAGE + 1]]
    extra: dict[str, Any] = {"included": []} if with_flows else {}
    return Response(200, collection(ctx, items, offset, METRICS_PAGE, **extra))


@route("get_metric")
def get_metric(ctx: Ctx) -> Response:
    """One metric (facts §12); 404 names the metric id when it does not exist."""
    with_flows = "flow-triggers" in includes(ctx, METRIC_INCLUDES)
    with ctx.store.read() as conn:
        row = metric_row(conn, ctx.params["id"])
    if row is None:
        raise not_found(f"A metric with id {ctx.params['id']} does not exist.")
    extra: dict[str, Any] = {"included": []} if with_flows else {}
    return Response(200, document(ctx, metric_resource(ctx, row, with_flows=with_flows), **extra))
