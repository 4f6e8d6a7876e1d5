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
from klaviyo_core.reports.campaigns import (
    CAMPAIGN_COLUMNS,
    CAMPAIGN_STATISTICS,
    CAMPAIGN_VALUES_PATH,
    TIMEFRAMES,
    CampaignReport,
    cached_campaign_report,
    campaign_names,
    campaign_report,
    campaign_request,
    to_frame,
)

__all__ = [
    "CAMPAIGN_COLUMNS",
    "CAMPAIGN_STATISTICS",
    "CAMPAIGN_VALUES_PATH",
    "DAILY_LIMIT",
    "TIMEFRAMES",
    "WINDOW_SECONDS",
    "BudgetExhaustedError",
    "BudgetStatus",
    "CachedReport",
    "CampaignReport",
    "ReportCache",
    "ReportingBudget",
    "budget_path",
    "cached_campaign_report",
    "campaign_names",
    "campaign_report",
    "campaign_request",
    "request_key",
    "to_frame",
]
