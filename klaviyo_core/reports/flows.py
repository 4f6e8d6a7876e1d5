"""The flow reports: values per flow message (and per flow, summed), a series per flow message, each one
batched Reporting API call through fetch.py (cached on disk, budgeted).

Names: a flow's name and tags from GET /api/flows?include=tags (names.py, kept a few minutes); a flow message's
from the report's own `flow_message_name` grouping, which Klaviyo allows for flow reports. Klaviyo serves flow
messages only per flow action, so reading them would cost one call per action; the grouping costs nothing more.
Per-flow rates are recomputed from the summed counts (a mean of message rates would weigh a message with ten
recipients like one with ten thousand), with the definitions the per-message figures use (open_rate =
opens_unique / delivered, click_rate = clicks_unique / delivered, revenue_per_recipient = conversion_value /
delivered; 0 over nothing).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from klaviyo_core.http import KlaviyoClient
from klaviyo_core.reports.budget import BudgetStatus
from klaviyo_core.reports.cache import CachedReport, ReportCache
from klaviyo_core.reports.fetch import Report, budgeted_report, cached_only, results
from klaviyo_core.reports.flow_names import Label, resource_labels

FLOW_VALUES_PATH = "/api/flow-values-reports"
FLOW_SERIES_PATH = "/api/flow-series-reports"
SERIES_INTERVALS = ("daily", "hourly", "monthly", "weekly")
FLOW_COUNTS = ("recipients", "delivered", "opens_unique", "clicks_unique", "conversions", "conversion_value")
FLOW_STATISTICS = (*FLOW_COUNTS, "open_rate", "click_rate", "revenue_per_recipient")
FLOW_MESSAGE_COLUMNS = ("flow", "message", "channel", "tags", "flow_id", "flow_message_id", *FLOW_STATISTICS)
FLOW_COLUMNS = ("flow", "tags", "flow_id", "messages", *FLOW_STATISTICS)
FLOW_SERIES_COLUMNS = ("date", "flow", "message", "flow_id", "flow_message_id", *FLOW_STATISTICS)
#: Klaviyo's caps per series interval, in days (spec FlowSeriesRequestDTO.interval: hourly at most 7 days,
#: daily 60 days, monthly 52 weeks); checked before a call so a refused request never spends the budget
INTERVAL_CAP_DAYS = {"hourly": 7, "daily": 60, "monthly": 364}
_SPAN_DAYS = {"today": 1, "yesterday": 1, "last_7_days": 7, "this_week": 7, "last_week": 7, "last_30_days": 30}
_SPAN_DAYS |= {"this_month": 31, "last_month": 31, "last_90_days": 90, "last_3_months": 92}
GROUP_BY = ["flow_id", "flow_message_id", "flow_message_name", "send_channel"]


def check_series(timeframe: str, interval: str) -> None:
    """Refuse (ValueError, in plain words) an interval Klaviyo would refuse for this period, before any call."""
    if interval not in SERIES_INTERVALS:
        raise ValueError(f"Unknown interval '{interval}'. Use one of: {', '.join(SERIES_INTERVALS)}.")
    cap = INTERVAL_CAP_DAYS.get(interval)
    if cap is not None and _SPAN_DAYS.get(timeframe, 366) > cap:
        raise ValueError(f"A {interval} series covers at most {cap} days; choose a shorter period or another interval.")


def flow_request(timeframe: str, conversion_metric_id: str, interval: str | None = None) -> dict[str, Any]:
    """The exact body sent (and the cache key's input): a values request, or a series one with `interval`."""
    attributes: dict[str, Any] = {
        "statistics": list(FLOW_STATISTICS),
        "timeframe": {"key": timeframe},
        "conversion_metric_id": conversion_metric_id,
        "group_by": list(GROUP_BY),
    }
    if interval is None:
        return {"data": {"type": "flow-values-report", "attributes": attributes}}
    check_series(timeframe, interval)
    return {"data": {"type": "flow-series-report", "attributes": attributes | {"interval": interval}}}


def _row(groups: dict[str, Any], labels: dict[str, Label]) -> dict[str, Any]:
    flow_id, message_id = str(groups.get("flow_id", "")), str(groups.get("flow_message_id", ""))
    message = str(groups.get("flow_message_name") or message_id)
    name, tags = labels.get(flow_id, ("", ()))
    row = {"flow": name or flow_id, "message": message, "channel": groups.get("send_channel", "")}
    return row | {"tags": ", ".join(tags), "flow_id": flow_id, "flow_message_id": message_id}


def values_frame(payload: dict[str, Any], labels: dict[str, Label]) -> pd.DataFrame:
    """One row per flow message, named; the statistics in FLOW_STATISTICS order."""
    rows = []
    for result in results(payload):
        stats = result.get("statistics") or {}
        rows.append(_row(result.get("groupings") or {}, labels) | {s: stats.get(s, 0) for s in FLOW_STATISTICS})
    return pd.DataFrame(rows, columns=list(FLOW_MESSAGE_COLUMNS))


def series_frame(payload: dict[str, Any], labels: dict[str, Label]) -> pd.DataFrame:
    """One row per flow message and bucket (`date`: the bucket's start, as Klaviyo sends it)."""
    dates = list(((payload.get("data") or {}).get("attributes") or {}).get("date_times") or [])
    rows = []
    for result in results(payload):
        base, stats = _row(result.get("groupings") or {}, labels), result.get("statistics") or {}
        for index, date in enumerate(dates):
            point = {s: (stats.get(s) or [0] * len(dates))[index] for s in FLOW_STATISTICS}
            rows.append({"date": pd.Timestamp(date)} | base | point)
    return pd.DataFrame(rows, columns=list(FLOW_SERIES_COLUMNS))


def _ratio(top: pd.Series, bottom: pd.Series) -> pd.Series:
    return (top / bottom.where(bottom != 0)).fillna(0.0).round(4)


def _summed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts summed per `keys`, rates recomputed from the sums (see the module docstring)."""
    grouped = frame.groupby(keys, as_index=False, sort=False)
    table = grouped[list(FLOW_COUNTS)].sum()
    table["messages"] = grouped.size()["size"].to_numpy()
    table["open_rate"] = _ratio(table["opens_unique"], table["delivered"])
    table["click_rate"] = _ratio(table["clicks_unique"], table["delivered"])
    table["revenue_per_recipient"] = _ratio(table["conversion_value"], table["delivered"]).round(2)
    return table


def flows_table(messages: pd.DataFrame) -> pd.DataFrame:
    """Per flow, best revenue first: its messages' counts summed, the rates recomputed from the sums."""
    if messages.empty:
        return pd.DataFrame(columns=list(FLOW_COLUMNS))
    table = _summed(messages, ["flow_id", "flow", "tags"])
    return table[list(FLOW_COLUMNS)].sort_values("conversion_value", ascending=False, ignore_index=True)


def flow_timeline(series: pd.DataFrame, flow_id: str) -> pd.DataFrame:
    """One flow's series, one row per bucket (its messages summed, rates recomputed), oldest first."""
    mine = series[series["flow_id"] == flow_id]
    columns = ["date", *FLOW_STATISTICS]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    return _summed(mine, ["date"])[columns].sort_values("date", ignore_index=True)


def _report(client: KlaviyoClient, interval: str | None, found: tuple[CachedReport, bool, BudgetStatus]) -> Report:
    """The answer as a named table: values per message, or with `interval` a series."""
    hit, from_cache, budget = found
    to_frame = values_frame if interval is None else series_frame
    return Report(to_frame(hit.payload, resource_labels(client, "/api/flows", tagged=True)), hit, from_cache, budget)


def flow_report(
    client: KlaviyoClient,
    account_id: str,
    timeframe: str,
    conversion_metric_id: str,
    *,
    interval: str | None = None,
    cache: ReportCache | None = None,
    refresh: bool = False,
) -> Report:
    """Flow values per message (or, with `interval`, a series): the disk cache unless `refresh`, else one call."""
    body = flow_request(timeframe, conversion_metric_id, interval)
    path = FLOW_VALUES_PATH if interval is None else FLOW_SERIES_PATH
    return _report(client, interval, budgeted_report(client, account_id, path, body, cache=cache, refresh=refresh))


def cached_flow_report(
    client: KlaviyoClient,
    account_id: str,
    timeframe: str,
    conversion_metric_id: str,
    *,
    interval: str | None = None,
    cache: ReportCache | None = None,
) -> Report | None:
    """The stored flow report only (None when there is none): a page shows it without spending a call."""
    found = cached_only(account_id, flow_request(timeframe, conversion_metric_id, interval), cache)
    return None if found is None else _report(client, interval, found)
