"""The campaigns report: one batched Reporting API call, cached on disk, guarded by the reporting budget.

Every statistic the table needs is asked for in one call (each call costs one of 225 a day). A cached answer
for the same account and request is reused unless the caller asks to refresh; only a real call spends the
budget, and a 429 corrects it. Names are joined from the campaigns read (Klaviyo's report carries ids only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from klaviyo_core.http import KlaviyoClient
from klaviyo_core.reports.budget import BudgetStatus, ReportingBudget
from klaviyo_core.reports.cache import CachedReport, ReportCache
from klaviyo_core.reports.fetch import budgeted_report

CAMPAIGN_VALUES_PATH = "/api/campaign-values-reports"
TIMEFRAMES = (
    "today",
    "yesterday",
    "last_7_days",
    "last_30_days",
    "last_90_days",
    "last_365_days",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_year",
    "last_year",
    "last_3_months",
    "last_12_months",
)
CAMPAIGN_STATISTICS = (
    "recipients",
    "delivered",
    "open_rate",
    "click_rate",
    "conversions",
    "conversion_value",
    "revenue_per_recipient",
)
CAMPAIGN_COLUMNS = ("campaign", "channel", "campaign_id", "campaign_message_id", *CAMPAIGN_STATISTICS)


@dataclass(frozen=True)
class CampaignReport:
    """The table, whether it came from the cache, its age, and the budget after the call."""

    frame: pd.DataFrame
    cached: CachedReport
    from_cache: bool
    budget: BudgetStatus


def campaign_request(timeframe: str, conversion_metric_id: str) -> dict[str, Any]:
    """The exact request body sent (and the cache key's input)."""
    attributes = {
        "statistics": list(CAMPAIGN_STATISTICS),
        "timeframe": {"key": timeframe},
        "conversion_metric_id": conversion_metric_id,
    }
    return {"data": {"type": "campaign-values-report", "attributes": attributes}}


def campaign_names(client: KlaviyoClient) -> dict[str, str]:
    """Campaign id -> name; Klaviyo lists campaigns one channel at a time (the filter is required)."""
    names: dict[str, str] = {}
    for channel in ("email", "sms"):
        for item in client.iter_resources("/api/campaigns", {"filter": f"equals(messages.channel,'{channel}')"}):
            names[str(item.get("id"))] = str((item.get("attributes") or {}).get("name") or "")
    return names


def to_frame(payload: dict[str, Any], names: dict[str, str]) -> pd.DataFrame:
    """One row per campaign message, named; the statistic columns in CAMPAIGN_STATISTICS order."""
    rows = []
    for result in ((payload.get("data") or {}).get("attributes") or {}).get("results") or []:
        groups, stats = result.get("groupings") or {}, result.get("statistics") or {}
        campaign_id = str(groups.get("campaign_id", ""))
        row = {"campaign": names.get(campaign_id, campaign_id), "channel": groups.get("send_channel", "")}
        row |= {"campaign_id": campaign_id, "campaign_message_id": groups.get("campaign_message_id", "")}
        rows.append(row | {s: stats.get(s, 0) for s in CAMPAIGN_STATISTICS})
    return pd.DataFrame(rows, columns=list(CAMPAIGN_COLUMNS))


def cached_campaign_report(
    client: KlaviyoClient,
    account_id: str,
    timeframe: str,
    conversion_metric_id: str,
    *,
    cache: ReportCache | None = None,
) -> CampaignReport | None:
    """The cached table only (None when there is none): a page shows it without spending a reporting call."""
    hit = (cache or ReportCache()).get(account_id, campaign_request(timeframe, conversion_metric_id))
    if hit is None:
        return None
    frame = to_frame(hit.payload, campaign_names(client))
    return CampaignReport(frame, hit, True, ReportingBudget(account_id).status())


def campaign_report(
    client: KlaviyoClient,
    account_id: str,
    timeframe: str,
    conversion_metric_id: str,
    *,
    cache: ReportCache | None = None,
    refresh: bool = False,
) -> CampaignReport:
    """The campaigns table for a timeframe key: from the disk cache unless `refresh`, else one budgeted call."""
    if timeframe not in TIMEFRAMES:
        raise ValueError(f"Unknown timeframe '{timeframe}'. Use one of: {', '.join(TIMEFRAMES)}.")
    body = campaign_request(timeframe, conversion_metric_id)
    hit, from_cache, budget = budgeted_report(
        client, account_id, CAMPAIGN_VALUES_PATH, body, cache=cache, refresh=refresh
    )
    frame = to_frame(hit.payload, campaign_names(client))
    return CampaignReport(frame, hit, from_cache, budget)
