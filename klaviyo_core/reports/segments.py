"""The segments report: membership per segment for a timeframe, one batched Reporting API call (fetch.py).

Klaviyo's segment-values report counts members: total at the period's end, added, removed and the net change.
Names come from GET /api/segments (names.py).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from klaviyo_core.http import KlaviyoClient
from klaviyo_core.reports.budget import BudgetStatus
from klaviyo_core.reports.cache import CachedReport, ReportCache
from klaviyo_core.reports.fetch import Report, budgeted_report, cached_only, results
from klaviyo_core.reports.flow_names import resource_names

SEGMENT_VALUES_PATH = "/api/segment-values-reports"
SEGMENT_STATISTICS = ("total_members", "members_added", "members_removed", "net_members_changed")
SEGMENT_COLUMNS = ("segment", "segment_id", *SEGMENT_STATISTICS)


def segment_request(timeframe: str) -> dict[str, Any]:
    """The exact body sent (and the cache key's input)."""
    attributes = {"statistics": list(SEGMENT_STATISTICS), "timeframe": {"key": timeframe}}
    return {"data": {"type": "segment-values-report", "attributes": attributes}}


def segments_frame(payload: dict[str, Any], names: dict[str, str]) -> pd.DataFrame:
    rows = []
    for result in results(payload):
        segment_id = str((result.get("groupings") or {}).get("segment_id", ""))
        stats = result.get("statistics") or {}
        row = {"segment": names.get(segment_id) or segment_id, "segment_id": segment_id}
        rows.append(row | {s: stats.get(s, 0) for s in SEGMENT_STATISTICS})
    return pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))


def _report(client: KlaviyoClient, found: tuple[CachedReport, bool, BudgetStatus]) -> Report:
    hit, from_cache, budget = found
    return Report(segments_frame(hit.payload, resource_names(client, "/api/segments")), hit, from_cache, budget)


def segment_report(
    client: KlaviyoClient, account_id: str, timeframe: str, *, cache: ReportCache | None = None, refresh: bool = False
) -> Report:
    """Segment membership figures: the disk cache unless `refresh`, else one budgeted call."""
    body = segment_request(timeframe)
    return _report(client, budgeted_report(client, account_id, SEGMENT_VALUES_PATH, body, cache=cache, refresh=refresh))


def cached_segment_report(
    client: KlaviyoClient, account_id: str, timeframe: str, *, cache: ReportCache | None = None
) -> Report | None:
    """The stored segments report only (None when there is none): shown without spending a call."""
    found = cached_only(account_id, segment_request(timeframe), cache)
    return None if found is None else _report(client, found)
