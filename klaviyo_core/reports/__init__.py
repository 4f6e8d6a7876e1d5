"""Campaign and flow reports (Klaviyo's Reporting API) and the reporting budget that guards them."""

from klaviyo_core.reports.budget import (
    DAILY_LIMIT,
    WINDOW_SECONDS,
    BudgetExhaustedError,
    BudgetStatus,
    ReportingBudget,
    budget_path,
)
from klaviyo_core.reports.cache import CachedReport, ReportCache, request_key

__all__ = [
    "DAILY_LIMIT",
    "WINDOW_SECONDS",
    "BudgetExhaustedError",
    "BudgetStatus",
    "CachedReport",
    "ReportCache",
    "ReportingBudget",
    "budget_path",
    "request_key",
]
