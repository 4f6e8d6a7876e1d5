"""`POST /api/campaign-values-reports`: campaign statistics computed from message events, answered synchronously.

Klaviyo (facts §15, §17): required `statistics`, `timeframe` and `conversion_metric_id`; `group_by` defaults to
`campaign_id, campaign_message_id, send_channel` and must include the first two; `filter` as request.py reads
it. Rate limits 1/s and 2/min come from the spec table through dispatch.
EMULATOR CHOICES: one row per campaign message that had recipients in the timeframe; every answer is one page
(no next `page_cursor`); group_by and filter attributes without sandbox data are refused (never silently
ignored); an unknown `conversion_metric_id` is 400 on its pointer. The 225/day cap is the engine limiter's
(the spec's daily `x-klaviyo-ratelimit`).
"""

from __future__ import annotations

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.reports import request
from klaviyo_sandbox.reports import store as reportstore
from klaviyo_sandbox.reports.timeframe import bounds
from klaviyo_sandbox.reports.values import CAMPAIGN, values_results


@route("query_campaign_values")
def query_campaign_values(ctx: Ctx) -> Response:
    """Campaign statistics per message for a timeframe in the account's zone, computed from the stored message
    events (`$message`) and conversions (`$attributed_message`); see statistics.py for each definition."""
    attrs = request_data(ctx.json_body().get("data"), "campaign-values-report")["attributes"]
    wanted, groups = request.statistics(attrs, CAMPAIGN), request.group_by(attrs, CAMPAIGN)
    conditions = request.report_filter(attrs, CAMPAIGN)
    metric_id = request.conversion_metric(ctx.store, attrs)
    start, end = bounds(attrs.get("timeframe"), ctx.config.account_timezone, timeutil.now())
    counts = reportstore.message_counts(ctx.store, "campaign", start, end, metric_id)
    results = values_results(counts, "campaign", groups, conditions, wanted)
    ids = dict.fromkeys(r["groupings"]["campaign_id"] for r in results)
    data = {
        "type": "campaign-values-report",
        "attributes": {"results": results},
        "relationships": {"campaigns": {"data": [{"type": "campaign", "id": cid} for cid in ids]}},
    }
    return Response(200, {"data": data, "links": {"self": ctx.self_link()}})
