"""This period against the previous period of equal length, for the campaigns table.

A timeframe key ('last_30_days') has no "previous" form, so the previous period is asked for as a custom
`{start, end}`: a second reporting call, cached like the first, whose cost the page shows before spending it.
Campaigns are sent once, so rows do not pair up across periods: the comparison is of the period's totals, with
rates recomputed from counts (open and click rates weighted by delivered, revenue per recipient from revenue
over recipients), never averaged row by row.

The key -> dates rule mirrors the sandbox's documented choices (klaviyo_sandbox/reports/timeframe.py), since
Klaviyo does not define them: `last_N_days` is the N local days ending with today; weeks start on Monday; a
custom range is read in the account's timezone, spans at most a year and nothing before 2023-06-01 is reported
(spec `CampaignValuesRequestDTO.timeframe`). A previous period that would start before that floor is refused
with a message rather than sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from klaviyo_core.http import KlaviyoClient
from klaviyo_core.reports.budget import ReportingBudget
from klaviyo_core.reports.cache import CachedReport, ReportCache
from klaviyo_core.reports.campaigns import CAMPAIGN_STATISTICS, CAMPAIGN_VALUES_PATH, to_frame
from klaviyo_core.reports.fetch import post_report
from klaviyo_core.reports.names import NameBook
from klaviyo_spec.timeframes import key_days, month_start

FLOOR = date(2023, 6, 1)
TOTAL_LABELS = {
    "recipients": "Recipients",
    "delivered": "Delivered",
    "open_rate": "Open rate",
    "click_rate": "Click rate",
    "conversions": "Conversions",
    "conversion_value": "Revenue",
    "revenue_per_recipient": "Revenue per recipient",
}


def period_days(timeframe: str, today: date) -> tuple[date, date]:
    """[first day, day after the last) of a timeframe key, in the account's local days (as the sandbox counts)."""
    days = key_days(timeframe, today)
    if days is None:
        raise ValueError(f"Unknown timeframe '{timeframe}'.")
    return days


def previous_days(timeframe: str, today: date) -> tuple[date, date]:
    """The period just before, as many days long (calendar periods: the previous week, month or year)."""
    first, after = period_days(timeframe, today)
    if timeframe in ("this_month", "last_month"):
        start = month_start(first, 1)
        return start, start + (after - first) if timeframe == "this_month" else first
    if timeframe in ("this_year", "last_year"):
        start = date(first.year - 1, 1, 1)
        return start, start + (after - first) if timeframe == "this_year" else first
    return first - (after - first), first


def previous_request(timeframe: str, conversion_metric_id: str, timezone: str, now: datetime) -> dict[str, Any]:
    """The exact body of the comparison call: the previous period as a custom range (local midnights)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    first, after = previous_days(timeframe, today)
    if first < FLOOR:
        raise ValueError(
            f"The period before {timeframe.replace('_', ' ')} starts on {first}, and Klaviyo reports nothing "
            f"before {FLOOR}: pick a shorter period to compare."
        )
    attributes = {
        "statistics": list(CAMPAIGN_STATISTICS),
        "timeframe": {"start": f"{first.isoformat()}T00:00:00", "end": f"{after.isoformat()}T00:00:00"},
        "conversion_metric_id": conversion_metric_id,
    }
    return {"data": {"type": "campaign-values-report", "attributes": attributes}}


@dataclass(frozen=True)
class PreviousPeriod:
    """The previous period's table, its dates and whether it came from the cache."""

    frame: pd.DataFrame
    cached: CachedReport
    from_cache: bool
    first: date
    last: date


def cached_previous(account_id: str, body: dict[str, Any], *, cache: ReportCache | None = None) -> CachedReport | None:
    """The stored comparison answer, if any (free: the page shows it without asking)."""
    return (cache or ReportCache()).get(account_id, body)


def previous_report(
    client: KlaviyoClient,
    account_id: str,
    body: dict[str, Any],
    *,
    cache: ReportCache | None = None,
    refresh: bool = False,
    budget: ReportingBudget | None = None,
    names: NameBook | None = None,
) -> PreviousPeriod:
    """The previous period's table: from the disk cache unless `refresh`, else one budgeted call."""
    cache = cache or ReportCache()
    hit = None if refresh else cache.get(account_id, body)
    from_cache = hit is not None
    if hit is None:
        payload = post_report(client, CAMPAIGN_VALUES_PATH, body, budget or ReportingBudget(account_id))
        hit = CachedReport(payload, time.time())
        cache.put(account_id, body, payload, now=hit.fetched_at)
    frame = to_frame(hit.payload, names)
    span = body["data"]["attributes"]["timeframe"]
    first = date.fromisoformat(span["start"][:10])
    last = date.fromisoformat(span["end"][:10]) - timedelta(days=1)
    return PreviousPeriod(frame, hit, from_cache, first, last)


def totals(frame: pd.DataFrame) -> dict[str, float]:
    """The period's figures from its rows: counts summed, rates recomputed from counts (weighted)."""
    if frame.empty:
        return dict.fromkeys(TOTAL_LABELS, 0.0)
    recipients = float(frame["recipients"].sum())
    delivered = float(frame["delivered"].sum())
    revenue = float(frame["conversion_value"].sum())
    weighted = {
        r: float((frame[r] * frame["delivered"]).sum()) / delivered if delivered else 0.0
        for r in ("open_rate", "click_rate")
    }
    return {
        "recipients": recipients,
        "delivered": delivered,
        **weighted,
        "conversions": float(frame["conversions"].sum()),
        "conversion_value": revenue,
        "revenue_per_recipient": revenue / recipients if recipients else 0.0,
    }


def compare_totals(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """One row per statistic: this period, the previous period, and the change (a ratio; NaN without a base).

    Rates change in points, not percent of a percent: `change` is the difference for rates (NaN when either
    period delivered nothing)."""
    now, before = totals(current), totals(previous)
    rows = []
    for key, label in TOTAL_LABELS.items():
        is_rate = key.endswith("_rate")
        if is_rate:  # a rate of nothing delivered is no rate: no change to show
            change = now[key] - before[key] if before["delivered"] and now["delivered"] else float("nan")
        else:
            change = (now[key] - before[key]) / before[key] if before[key] else float("nan")
        rows.append({"statistic": key, "label": label, "current": now[key], "previous": before[key], "change": change})
    return pd.DataFrame(rows)
