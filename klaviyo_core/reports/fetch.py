"""The one way a report is fetched: the disk cache first, else one call that spends the reporting budget.

Every Reporting API call costs one of 225 a day per account, so campaigns, flows, flow series and segments all
go through `budgeted_report`: a cached answer for the same account and request is reused unless the caller asks
to refresh; only a real call spends the budget (refused politely before the call when it is gone), and a 429
corrects the local estimate with Klaviyo's `Retry-After`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pandas as pd

from klaviyo_core.http import ApiError, KlaviyoClient
from klaviyo_core.reports.budget import BudgetStatus, ReportingBudget
from klaviyo_core.reports.cache import CachedReport, ReportCache


@dataclass(frozen=True)
class Report:
    """A report's table, the stored answer it came from (with its age), whether that was the cache, and the
    budget after the call."""

    frame: pd.DataFrame
    cached: CachedReport
    from_cache: bool
    budget: BudgetStatus


def post_report(client: KlaviyoClient, path: str, body: dict[str, Any], budget: ReportingBudget) -> dict[str, Any]:
    """One budgeted reporting call."""
    budget.spend()  # refuses politely (BudgetExhaustedError) before a call it cannot afford
    try:
        return dict(client.post(path, body) or {})
    except ApiError as exc:
        if exc.status == 429:  # Klaviyo's word beats our estimate
            budget.note_throttled(exc.retry_after or 60)
        raise


def budgeted_report(
    client: KlaviyoClient,
    account_id: str,
    path: str,
    body: dict[str, Any],
    *,
    cache: ReportCache | None = None,
    refresh: bool = False,
) -> tuple[CachedReport, bool, BudgetStatus]:
    """(the answer, whether it came from the cache, the budget now) for one report request."""
    cache = cache or ReportCache()
    budget = ReportingBudget(account_id)
    hit = None if refresh else cache.get(account_id, body)
    if hit is not None:
        return hit, True, budget.status()
    payload = post_report(client, path, body, budget)
    hit = CachedReport(payload, time.time())
    cache.put(account_id, body, payload, now=hit.fetched_at)
    return hit, False, budget.status()


def cached_only(
    account_id: str, body: dict[str, Any], cache: ReportCache | None = None
) -> tuple[CachedReport, bool, BudgetStatus] | None:
    """The stored answer without spending anything (None when there is none): what a page shows on load."""
    hit = (cache or ReportCache()).get(account_id, body)
    return None if hit is None else (hit, True, ReportingBudget(account_id).status())


def results(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The `results` of a values or series answer."""
    return list(((payload.get("data") or {}).get("attributes") or {}).get("results") or [])
