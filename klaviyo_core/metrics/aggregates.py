"""Metrics: list them, query their aggregates into a pandas DataFrame, compare a period with the one before.

Why the pieces exist:
- Metric aggregates accept at most about a year per call (facts §12), so `split_range` cuts a long range into
  windows that end on bucket starts in the requested timezone; no bucket is split across two calls, so even
  `unique` (not additive) stays exact when the windows are joined.
- Aggregates are limited to 3/s and 60/m. `AggregateCache` keeps results for a while, and every result says
  whether it came from the cache and how old it is, so the UI can say so.
- Totals and the period comparison are computed here, not in the page, so the CLI and tests share them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pandas as pd

from klaviyo_core.http.client import KlaviyoClient

MEASUREMENTS = ("count", "sum_value", "unique")
INTERVALS = ("hour", "day", "week", "month")
MAX_WINDOW = timedelta(days=365)  # the one-year-per-call limit, with a day to spare for DST and leap years
AGGREGATES_PATH = "/api/metric-aggregates"
# The spec's `by` enum, in the order a marketer is most likely to want them.
DIMENSIONS = (
    "$attributed_channel",
    "$attributed_flow",
    "$attributed_message",
    "$flow",
    "$message",
    "$value_currency",
    "Campaign Name",
    "URL",
    "$campaign_channel",
    "$flow_channel",
    "$variation",
    "Client Name",
    "Client Type",
    "Email Domain",
    "Inbox Provider",
    "List",
    "Message Name",
    "Method",
    "Subject",
    "form_id",
)


@dataclass(frozen=True)
class MetricInfo:
    id: str
    name: str
    integration: str
    created: str


def list_metrics(client: KlaviyoClient) -> list[MetricInfo]:
    """Every metric of the account, sorted by name (GET /api/metrics follows links.next)."""
    out = []
    for item in client.iter_resources("/api/metrics"):
        attrs = item.get("attributes") or {}
        integration = attrs.get("integration") or {}
        out.append(
            MetricInfo(
                id=item["id"],
                name=attrs.get("name") or item["id"],
                integration=integration.get("name") or integration.get("key") or "",
                created=attrs.get("created") or "",
            )
        )
    return sorted(out, key=lambda m: (m.name.lower(), m.integration))


@dataclass(frozen=True)
class AggregateQuery:
    """One metric over [start, end) (aware datetimes), bucketed by `interval` in `timezone`."""

    metric_id: str
    start: datetime
    end: datetime
    interval: str = "day"
    measurements: tuple[str, ...] = ("count",)
    timezone: str = "UTC"
    by: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("the range is empty: 'to' must be after 'from'")
        if self.interval not in INTERVALS:
            raise ValueError(f"interval must be one of {', '.join(INTERVALS)}")
        if not self.measurements or any(m not in MEASUREMENTS for m in self.measurements):
            raise ValueError(f"measurements must be among {', '.join(MEASUREMENTS)}")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    def previous(self) -> AggregateQuery:
        """The period just before this one, as many local days (or wall-clock hours) long."""
        length = self.end - self.start
        return replace(self, start=self.start - length, end=self.start)


def local_range(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """[first 00:00, day after last 00:00) in `timezone`: what a marketer means by 'from X to Y'."""
    zone = ZoneInfo(timezone)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    after = last + timedelta(days=1)
    return start, datetime(after.year, after.month, after.day, tzinfo=zone)


def _floor_bucket(moment: datetime, interval: str, zone: ZoneInfo) -> datetime:
    """The start of the local day/week/month holding `moment` (hours are cut on day starts too)."""
    day = moment.astimezone(zone).date()
    if interval == "week":
        day -= timedelta(days=day.weekday())
    elif interval == "month":
        day = day.replace(day=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def split_range(
    start: datetime, end: datetime, interval: str, timezone: str, max_window: timedelta = MAX_WINDOW
) -> list[tuple[datetime, datetime]]:
    """Windows of at most `max_window` covering [start, end), each cut on a bucket start."""
    zone = ZoneInfo(timezone)
    windows = []
    cursor = start
    while cursor < end:
        limit = cursor.astimezone(UTC) + max_window  # real elapsed time, not wall-clock
        if limit >= end:
            windows.append((cursor, end))
            break
        cut = _floor_bucket(limit, interval, zone)
        if cut <= cursor:  # a bucket longer than the window cannot happen for month <= a year; be safe
            cut = limit
        windows.append((cursor, cut))
        cursor = cut
    return windows


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_body(query: AggregateQuery, start: datetime, end: datetime, cursor: str | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "metric_id": query.metric_id,
        "measurements": list(query.measurements),
        "interval": query.interval,
        "timezone": query.timezone,
        "filter": [
            f"greater-or-equal(datetime,{_instant(start)})",
            f"less-than(datetime,{_instant(end)})",
            *query.filters,
        ],
    }
    if query.by:
        attributes["by"] = list(query.by)
    if cursor:
        attributes["page_cursor"] = cursor
    return {"data": {"type": "metric-aggregate", "attributes": attributes}}


def _next_cursor(doc: dict[str, Any]) -> str | None:
    """The next page's cursor, from a links.next URL (or a bare cursor) when the server gives one."""
    link = (doc.get("links") or {}).get("next")
    if not link:
        return None
    values = parse_qs(urlparse(link).query).get("page_cursor")
    return values[0] if values else str(link)


def _window_rows(
    client: KlaviyoClient, query: AggregateQuery, start: datetime, end: datetime
) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        doc = client.post(AGGREGATES_PATH, request_body(query, start, end, cursor), idempotent=True) or {}
        attrs = (doc.get("data") or {}).get("attributes") or {}
        dates = attrs.get("dates") or []
        for row in attrs.get("data") or []:
            dims = row.get("dimensions") or []
            values = row.get("measurements") or {}
            for i, stamp in enumerate(dates):
                record: dict[str, Any] = {"date": stamp}
                record.update({name: dims[k] if k < len(dims) else "" for k, name in enumerate(query.by)})
                record.update({m: float((values.get(m) or [0.0] * len(dates))[i]) for m in query.measurements})
                yield record
        cursor = _next_cursor(doc)
        if not cursor:
            return


def _empty_frame(query: AggregateQuery) -> pd.DataFrame:
    columns = ["date", *query.by, *query.measurements]
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    frame["date"] = pd.Series(dtype=f"datetime64[ns, {query.timezone}]")
    for name in query.by:
        frame[name] = pd.Series(dtype="object")
    return frame


def fetch_frame(
    client: KlaviyoClient, query: AggregateQuery, on_window: Callable[[int, int], None] | None = None
) -> pd.DataFrame:
    """One row per bucket start and dimension value; `date` is the bucket start in the query's timezone."""
    windows = split_range(query.start, query.end, query.interval, query.timezone)
    records: list[dict[str, Any]] = []
    for number, (start, end) in enumerate(windows, 1):
        records.extend(_window_rows(client, query, start, end))
        if on_window:
            on_window(number, len(windows))
    if not records:
        return _empty_frame(query)
    frame = pd.DataFrame.from_records(records)
    frame["date"] = pd.to_datetime(frame["date"], utc=True).dt.tz_convert(query.timezone)
    keys = ["date", *query.by]
    # Windows end on bucket starts, so a (date, dimension) pair appears once; the groupby only orders rows.
    frame = frame.groupby(keys, as_index=False, sort=True)[list(query.measurements)].sum()
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class AggregateResult:
    query: AggregateQuery
    frame: pd.DataFrame
    fetched_at: float  # time.time() when the API answered
    from_cache: bool = False

    def age_seconds(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)

    @property
    def is_empty(self) -> bool:
        return self.frame.empty or not any(self.frame[m].abs().sum() for m in self.query.measurements)


@dataclass
class AggregateCache:
    """Results per (target, query) for `ttl_seconds`; thread-safe. One per process (the UI keeps it)."""

    ttl_seconds: float = 600.0
    clock: Callable[[], float] = time.time
    _entries: dict[tuple[Any, ...], AggregateResult] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def key(client: KlaviyoClient, query: AggregateQuery) -> tuple[Any, ...]:
        config = client.config
        return (config.base_url, config.key_fingerprint, config.revision, query)

    def get(self, client: KlaviyoClient, query: AggregateQuery) -> AggregateResult | None:
        with self._lock:
            hit = self._entries.get(self.key(client, query))
        if hit is None or self.clock() - hit.fetched_at > self.ttl_seconds:
            return None
        return replace(hit, from_cache=True)

    def put(self, client: KlaviyoClient, result: AggregateResult) -> None:
        with self._lock:
            self._entries[self.key(client, result.query)] = result

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def query_aggregates(
    client: KlaviyoClient,
    query: AggregateQuery,
    *,
    cache: AggregateCache | None = None,
    refresh: bool = False,
    on_window: Callable[[int, int], None] | None = None,
) -> AggregateResult:
    """The aggregates as a DataFrame, from `cache` when a fresh copy is there (unless `refresh`)."""
    if cache is not None and not refresh and (hit := cache.get(client, query)) is not None:
        return hit
    frame = fetch_frame(client, query, on_window)
    result = AggregateResult(query, frame, fetched_at=cache.clock() if cache is not None else time.time())
    if cache is not None:
        cache.put(client, result)
    return result


PRESETS = ("Last 7 days", "Last 30 days", "Last 90 days", "This month", "Custom")
