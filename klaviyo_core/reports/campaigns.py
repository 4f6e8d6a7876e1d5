"""The campaigns report: one batched Reporting API call, cached on disk, guarded by the reporting budget.

Every statistic the table needs is asked for in one call (each call costs one of 225 a day). A cached answer
for the same account and request is reused unless the caller asks to refresh; only a real call spends the
budget, and a 429 corrects it. Names (campaign, message, tags, channel) are joined from the campaigns read,
itself kept on disk per account (`names.py`): Klaviyo's report carries ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from klaviyo_core.http import KlaviyoClient
from klaviyo_core.reports.budget import BudgetStatus, ReportingBudget
from klaviyo_core.reports.cache import CachedReport, ReportCache
from klaviyo_core.reports.fetch import budgeted_report
from klaviyo_core.reports.names import NAME_COLUMNS, NameBook, campaign_names_book, join_names

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
CAMPAIGN_COLUMNS = (*NAME_COLUMNS, "campaign_id", "campaign_message_id", *CAMPAIGN_STATISTICS)


@dataclass(frozen=True)
class CampaignReport:
    """The table, whether it came from the cache, its age, and the budget after the call."""

    frame: pd.DataFrame
    cached: CachedReport
    from_cache: bool
    budget: BudgetStatus
    names: NameBook | None = None


def campaign_request(timeframe: str, conversion_metric_id: str) -> dict[str, Any]:
    """The exact request body sent (and the cache key's input)."""
    attributes = {
        "statistics": list(CAMPAIGN_STATISTICS),
        "timeframe": {"key": timeframe},
        "conversion_metric_id": conversion_metric_id,
    }
    return {"data": {"type": "campaign-values-report", "attributes": attributes}}


def names_covering(
    client: KlaviyoClient, account_id: str, payload: dict[str, Any], names: NameBook | None = None
) -> NameBook:
    """`names` (default: the stored book), read again once when the report names a campaign the book does not
    know (created since the names were read), so a new campaign shows its name, not its id."""
    book = names or campaign_names_book(client, account_id)
    results = ((payload.get("data") or {}).get("attributes") or {}).get("results") or []
    wanted = {str((r.get("groupings") or {}).get("campaign_id", "")) for r in results}
    if wanted - set(book.campaigns):
        book = campaign_names_book(client, account_id, refresh=True)
    return book


def to_frame(payload: dict[str, Any], names: NameBook | dict[str, str] | None = None) -> pd.DataFrame:
    """One row per campaign message, named; the statistic columns in CAMPAIGN_STATISTICS order.

    `names` is a NameBook, or a plain campaign id -> name mapping (message and tags then stay ids / empty)."""
    rows = []
    for result in ((payload.get("data") or {}).get("attributes") or {}).get("results") or []:
        groups, stats = result.get("groupings") or {}, result.get("statistics") or {}
        row = {"channel": groups.get("send_channel", ""), "campaign_id": str(groups.get("campaign_id", ""))}
        row["campaign_message_id"] = str(groups.get("campaign_message_id", ""))
        rows.append(row | {s: stats.get(s, 0) for s in CAMPAIGN_STATISTICS})
    frame = pd.DataFrame(rows, columns=["channel", "campaign_id", "campaign_message_id", *CAMPAIGN_STATISTICS])
    if isinstance(names, dict):
        names = NameBook({cid: {"name": name} for cid, name in names.items()})
    return join_names(frame, names or NameBook())[list(CAMPAIGN_COLUMNS)]


def cached_campaign_report(
    client: KlaviyoClient,
    account_id: str,
    timeframe: str,
    conversion_metric_id: str,
    *,
    cache: ReportCache | None = None,
    names: NameBook | None = None,
) -> CampaignReport | None:
    """The cached table only (None when there is none): a page shows it without spending a reporting call.
    `names` defaults to the names stored for the account (read once when there are none)."""
    hit = (cache or ReportCache()).get(account_id, campaign_request(timeframe, conversion_metric_id))
    if hit is None:
        return None
    names = names_covering(client, account_id, hit.payload, names)
    return CampaignReport(to_frame(hit.payload, names), hit, True, ReportingBudget(account_id).status(), names)


def campaign_report(
    client: KlaviyoClient,
    account_id: str,
    timeframe: str,
    conversion_metric_id: str,
    *,
    cache: ReportCache | None = None,
    refresh: bool = False,
    names: NameBook | None = None,
) -> CampaignReport:
    """The campaigns table for a timeframe key: from the disk cache unless `refresh`, else one budgeted call."""
    if timeframe not in TIMEFRAMES:
        raise ValueError(f"Unknown timeframe '{timeframe}'. Use one of: {', '.join(TIMEFRAMES)}.")
    body = campaign_request(timeframe, conversion_metric_id)
    hit, from_cache, budget = budgeted_report(
        client, account_id, CAMPAIGN_VALUES_PATH, body, cache=cache, refresh=refresh
    )
    names = names_covering(client, account_id, hit.payload, names)
    return CampaignReport(to_frame(hit.payload, names), hit, from_cache, budget, names)
