"""Campaign and flow reports (Klaviyo's Reporting API) and the reporting budget that guards them."""

from klaviyo_core.reports.budget import (
    DAILY_LIMIT,
    WINDOW_SECONDS,
    BudgetExhaustedError,
    BudgetStatus,
    ReportingBudget,
    budget_path,
)

__all__ = [
    "DAILY_LIMIT",
    "WINDOW_SECONDS",
    "BudgetExhaustedError",
    "BudgetStatus",
    "ReportingBudget",
    "budget_path",
]
