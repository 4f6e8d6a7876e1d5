"""`POST /api/segment-values-reports`: segment membership figures for a timeframe, one row per segment.

Klaviyo (spec `SegmentValuesRequestDTO`): statistics members_added, members_removed, net_members_changed and
total_members; required `statistics` and `timeframe` (the common rules, timeframe.py); `filter` on segment_id
with `equals` or `any` (at most 100 ids); groupings are `segment_id`; segments:read; 1/s, 2/min.
EMULATOR CHOICES (segments/store.py `membership_changes`): members_added = members whose profile was created in
the timeframe; members_removed = 0 (no membership history is kept); net_members_changed = added - removed;
total_members = members at the timeframe's end.
"""

from __future__ import annotations

from datetime import UTC, datetime

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.reports import request
from klaviyo_sandbox.reports.timeframe import bounds
from klaviyo_sandbox.segments import store as segmentstore

SEGMENT = request.Shape(
    statistics=("members_added", "members_removed", "net_members_changed", "total_members"),
    required=("segment_id",),
    modelled=("segment_id",),
    allowed=("segment_id",),
    scalar_filters=("segment_id",),
    scalar_ops=("equals", "any"),
)


def _iso(epoch: int) -> str:
    return timeutil.iso(datetime.fromtimestamp(epoch, UTC))


@route("query_segment_values")
def query_segment_values(ctx: Ctx) -> Response:
    """Membership figures per segment for a timeframe in the account's zone (definitions in the module
    docstring); every segment of the account unless the filter names some."""
    attrs = request_data(ctx.json_body().get("data"), "segment-values-report")["attributes"]
    wanted = request.statistics(attrs, SEGMENT)
    conditions = request.report_filter(attrs, SEGMENT)
    start, end = bounds(attrs.get("timeframe"), ctx.config.account_timezone, timeutil.now())
    results = []
    for segment_id, added, total in segmentstore.membership_changes(ctx.store, _iso(start), _iso(end)):
        if not request.kept({"segment_id": segment_id}, conditions):
            continue
        figures = {"members_added": added, "members_removed": 0, "net_members_changed": added, "total_members": total}
        results.append({"groupings": {"segment_id": segment_id}, "statistics": {s: figures[s] for s in wanted}})
    data = {"type": "segment-values-report", "attributes": {"results": results}}
    return Response(200, {"data": data, "links": {"self": ctx.self_link()}})
