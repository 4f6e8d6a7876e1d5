"""`POST /api/flow-values-reports` and `/api/flow-series-reports`: flow statistics from flow message events.

Klaviyo (spec `FlowValuesRequestDTO`, `FlowSeriesRequestDTO`; facts §15, §17): required `statistics`,
`timeframe`, `conversion_metric_id` (and `interval` for a series); `group_by` defaults to `flow_id,
flow_message_id, send_channel` and must include the first two; `filter` as request.py reads it; rates 1/s, 2/min.
EMULATOR CHOICES: a flow message is a send-email action (its id is the message id); one row per flow message
with recipients in the timeframe, one page; the series buckets are series.py's; rates over an empty bucket are 0.
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.reports import request
from klaviyo_sandbox.reports import store as reportstore
from klaviyo_sandbox.reports.series import buckets
from klaviyo_sandbox.reports.statistics import statistics_for
from klaviyo_sandbox.reports.timeframe import bounds
from klaviyo_sandbox.reports.values import FLOW, rows, values_results


def _relationships(results: list[dict[str, Any]]) -> dict[str, Any]:
    flows = dict.fromkeys(r["groupings"]["flow_id"] for r in results)
    messages = dict.fromkeys(r["groupings"]["flow_message_id"] for r in results)
    return {
        "flows": {"data": [{"type": "flow", "id": i} for i in flows]},
        "flow-messages": {"data": [{"type": "flow-message", "id": i} for i in messages]},
    }


@route("query_flow_values")
def query_flow_values(ctx: Ctx) -> Response:
    """Flow statistics per flow message for a timeframe in the account's zone, from the stored flow message
    events (`$message`, `$flow`) and conversions (`$attributed_message`); statistics.py holds each definition."""
    attrs = request_data(ctx.json_body().get("data"), "flow-values-report")["attributes"]
    wanted, groups = request.statistics(attrs, FLOW), request.group_by(attrs, FLOW)
    conditions = request.report_filter(attrs, FLOW)
    metric_id = request.conversion_metric(ctx.store, attrs)
    start, end = bounds(attrs.get("timeframe"), ctx.config.account_timezone, timeutil.now())
    counts = reportstore.message_counts(ctx.store, "flow", start, end, metric_id)
    results = values_results(counts, "flow", groups, conditions, wanted)
    data = {"type": "flow-values-report", "attributes": {"results": results}, "relationships": _relationships(results)}
    return Response(200, {"data": data, "links": {"self": ctx.self_link()}})


@route("query_flow_series")
def query_flow_series(ctx: Ctx) -> Response:
    """Flow statistics per flow message and per interval bucket (series.py: caps and where buckets start); a
    message appears when it had recipients anywhere in the timeframe, with zeros in its empty buckets."""
    attrs = request_data(ctx.json_body().get("data"), "flow-series-report")["attributes"]
    wanted, groups = request.statistics(attrs, FLOW), request.group_by(attrs, FLOW)
    conditions = request.report_filter(attrs, FLOW)
    metric_id = request.conversion_metric(ctx.store, attrs)
    zone = ctx.config.account_timezone
    start, end = bounds(attrs.get("timeframe"), zone, timeutil.now())
    spans = buckets(attrs.get("interval"), start, end, zone)
    known = reportstore.messages(ctx.store, "flow")
    per_bucket = [
        {c.message_id: c for c in reportstore.message_counts(ctx.store, "flow", a, b, metric_id, known)}
        for a, b, _ in spans
    ]
    seen: dict[str, reportstore.MessageCounts] = {}
    for bucket in per_bucket:  # the buckets partition the timeframe: a message with sends in it is in one
        for message_id, counts in bucket.items():
            seen.setdefault(message_id, counts)
    whole = sorted(seen.values(), key=lambda c: (c.parent_id, c.message_id))
    results = []
    for c, row in rows(whole, "flow", conditions):
        empty = reportstore.MessageCounts(c.parent_id, c.message_id, c.channel)
        series = [statistics_for(bucket.get(c.message_id, empty), wanted) for bucket in per_bucket]
        stats = {name: [point[name] for point in series] for name in wanted}
        results.append({"groupings": {g: row[g] for g in groups}, "statistics": stats})
    data = {
        "type": "flow-series-report",
        "attributes": {"results": results, "date_times": [iso for _, _, iso in spans]},
        "relationships": _relationships(results),
    }
    return Response(200, {"data": data, "links": {"self": ctx.self_link()}})
