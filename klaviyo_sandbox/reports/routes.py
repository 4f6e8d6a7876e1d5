"""`POST /api/campaign-values-reports`: campaign statistics computed from message events, answered synchronously.

Klaviyo (facts §15, §17): required `statistics`, `timeframe` and `conversion_metric_id`; `group_by` defaults to
`campaign_id, campaign_message_id, send_channel` and must include the first two. Rate limits 1/s and 2/min come
from the spec table through dispatch.
EMULATOR CHOICES: one row per campaign message that had recipients in the timeframe; every answer is one page
(no next `page_cursor`); `group_by` beyond those three keys and `filter` are refused as not modelled yet (never
silently ignored); an unknown `conversion_metric_id` is 400 on its pointer. The 225/day cap is not modelled yet.
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.reports import store as reportstore
from klaviyo_sandbox.reports.statistics import STATISTICS, statistics_for
from klaviyo_sandbox.reports.timeframe import bounds

ATTRS = "/data/attributes"
REQUIRED_GROUPS = ("campaign_id", "campaign_message_id")
MODELLED_GROUPS = (*REQUIRED_GROUPS, "send_channel")
SEND_CHANNEL = {"email": "email", "sms": "sms", "mobile_push": "push-notification"}


def _statistics(attrs: dict[str, Any]) -> list[str]:
    wanted = attrs.get("statistics")
    if not isinstance(wanted, list) or not wanted:
        raise invalid("statistics is required: a list such as ['opens', 'open_rate'].", pointer=f"{ATTRS}/statistics")
    unknown = sorted({str(s) for s in wanted} - set(STATISTICS))
    if unknown:
        raise invalid(f"Unknown statistics {unknown}.", pointer=f"{ATTRS}/statistics")
    return [str(s) for s in dict.fromkeys(wanted)]


def _group_by(attrs: dict[str, Any]) -> list[str]:
    groups = attrs.get("group_by") or list(MODELLED_GROUPS)
    if not isinstance(groups, list) or not set(REQUIRED_GROUPS) <= set(groups):
        raise invalid("group_by must include campaign_id and campaign_message_id.", pointer=f"{ATTRS}/group_by")
    if extra := sorted(set(groups) - set(MODELLED_GROUPS)):
        raise invalid(f"The sandbox does not model group_by {extra} yet.", pointer=f"{ATTRS}/group_by")
    return [str(g) for g in groups]


def _conversion_metric(ctx: Ctx, attrs: dict[str, Any]) -> str:
    metric_id = attrs.get("conversion_metric_id")
    pointer = f"{ATTRS}/conversion_metric_id"
    if not isinstance(metric_id, str) or not metric_id:
        raise invalid("conversion_metric_id is required (e.g. the id of 'Placed Order').", pointer=pointer)
    if not reportstore.metric_exists(ctx.store, metric_id):
        raise invalid(f"No metric has the id '{metric_id}'.", pointer=pointer)
    return metric_id


@route("query_campaign_values")
def query_campaign_values(ctx: Ctx) -> Response:
    """Campaign statistics per message for a timeframe in the account's zone, computed from the stored message
    events (`$message`) and conversions (`$attributed_message`); see statistics.py for each definition."""
    attrs = request_data(ctx.json_body().get("data"), "campaign-values-report")["attributes"]
    wanted, groups = _statistics(attrs), _group_by(attrs)
    if attrs.get("filter"):
        raise invalid("The sandbox does not model report filters yet.", pointer=f"{ATTRS}/filter")
    metric_id = _conversion_metric(ctx, attrs)
    start, end = bounds(attrs.get("timeframe"), ctx.config.account_timezone, timeutil.now())
    rows = reportstore.campaign_counts(ctx.store, start, end, metric_id)
    results = []
    for c in rows:
        grouping = {"campaign_id": c.campaign_id, "campaign_message_id": c.message_id}
        grouping["send_channel"] = SEND_CHANNEL.get(c.channel, c.channel)
        results.append({"groupings": {g: grouping[g] for g in groups}, "statistics": statistics_for(c, wanted)})
    campaigns = [{"type": "campaign", "id": cid} for cid in dict.fromkeys(c.campaign_id for c in rows)]
    data = {
        "type": "campaign-values-report",
        "attributes": {"results": results},
        "relationships": {"campaigns": {"data": campaigns}},
    }
    return Response(200, {"data": data, "links": {"self": ctx.self_link()}})
