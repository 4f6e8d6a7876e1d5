"""`POST /api/metric-aggregates`: count, sum_value and unique per hour/day/week/month, optionally by dimension.

Reads the `events`/`metrics` tables of `eventstore` (read-only) through `metrics/store.py`. Each bucket is one
indexed range query on `(metric_id, ts)` with bounds computed by `buckets` in the requested IANA zone, so every
number equals a plain recount of the stored events, DST days included.

EMULATOR CHOICES (facts §12 leaves these open):
- `filter` must hold `greater-or-equal(datetime,...)` and `less-than(datetime,...)`; the range may span at
  most 366 days. A datetime without an offset is read in the requested `timezone`.
- Other filters use `equals` or `any` on a `by` dimension (e.g. `equals($flow,"X")`).
- `by` dimensions are read from event properties of the same name (`$value_currency` from the event's
  currency); an event without the property is grouped under an empty string.
- An unknown `metric_id` is 404 `not_found`; weeks start on Monday; `page_size` is 1..10000 and rows (one per
  dimension combination) are paged; the next page's `page_cursor` is given as the `page_cursor` query
  parameter of a top-level `links.next` URL (the spec gives only `links.self`). `return_fields` is ignored,
  and so is `fields[metric-aggregate]`, since the response schema requires both `dates` and `data`.
"""

from __future__ import annotations

import math
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.filters import Condition, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import decode_cursor, encode_cursor, request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.metrics import store as metricstore
from klaviyo_sandbox.metrics.buckets import INTERVALS, bucket_starts, spans

MEASUREMENTS = ("count", "sum_value", "unique")
DIMENSIONS = (  # the spec's `by` enum
    "$attributed_channel",
    "$attributed_flow",
    "$attributed_message",
    "$attributed_variation",
    "$campaign_channel",
    "$flow",
    "$flow_channel",
    "$message",
    "$message_send_cohort",
    "$usage_amount",
    "$value_currency",
    "$variation",
    "$variation_send_cohort",
    "Bot Click",
    "Bounce Type",
    "Campaign Name",
    "Client Canonical",
    "Client Name",
    "Client Type",
    "Email Domain",
    "Failure Source",
    "Failure Type",
    "From Number",
    "From Phone Region",
    "Inbox Provider",
    "List",
    "Message Format",
    "Message Name",
    "Message Type",
    "Method",
    "Segment Count",
    "Subject",
    "To Number",
    "To Phone Region",
    "URL",
    "form_id",
)
MAX_RANGE = timedelta(days=366)
MAX_PAGE_SIZE = 10_000
REJECTED_ZONES = {"Factory", "Europe/Kyiv", "Pacific/Kanton"}  # the spec names these as unsupported
_POINTER = "/data/attributes/"


@dataclass(frozen=True)
class AggregateQuery:
    metric_id: str
    measurements: tuple[str, ...]
    start: datetime
    end: datetime
    interval: str
    timezone: str
    by: tuple[str, ...]
    conditions: tuple[Condition, ...]
    sort: str | None
    page_size: int
    offset: int


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() - REJECTED_ZONES)


def _string_list(attrs: dict[str, Any], name: str, *, required: bool) -> list[str]:
    value = attrs.get(name)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise invalid(f"'{name}' must be a non-empty list of strings.", pointer=_POINTER + name)
    return value


def _choice(attrs: dict[str, Any], name: str, allowed: Any, default: str) -> str:
    value = attrs.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise invalid(f"'{value}' is not a valid {name}.", pointer=_POINTER + name)
    return str(value)


def _range_and_filters(raw: list[str], zone: ZoneInfo) -> tuple[datetime, datetime, tuple[Condition, ...]]:
    start = end = None
    others = []
    for text in raw:
        for cond in parse_filter(text):
            if cond.field != "datetime":
                if cond.field not in DIMENSIONS or cond.op not in ("equals", "any"):
                    raise invalid(
                        f"Unsupported filter '{text}': use equals/any on a dimension.", pointer=_POINTER + "filter"
                    )
                others.append(cond)
                continue
            if not isinstance(cond.value, datetime) or cond.op not in ("greater-or-equal", "less-than"):
                raise invalid(
                    "Filter datetime with greater-or-equal and less-than and an ISO 8601 time.",
                    pointer=_POINTER + "filter",
                )
            value = cond.value if cond.value.tzinfo else cond.value.replace(tzinfo=zone)
            if cond.op == "greater-or-equal":
                start = value
            else:
                end = value
    if start is None or end is None:
        raise invalid(
            "The filter must include a time range: greater-or-equal(datetime,...) and less-than(datetime,...).",
            pointer=_POINTER + "filter",
        )
    if end <= start:
        raise invalid("The time range is empty: less-than must be after greater-or-equal.", pointer=_POINTER + "filter")
    if end - start > MAX_RANGE:
        raise invalid("The time range may span at most 366 days; split longer ranges.", pointer=_POINTER + "filter")
    return start, end, tuple(others)


def _page(attrs: dict[str, Any]) -> tuple[int, int]:
    size = attrs.get("page_size")
    size = 500 if size is None else size
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid(f"page_size must be an integer between 1 and {MAX_PAGE_SIZE}.", pointer=_POINTER + "page_size")
    cursor = attrs.get("page_cursor")
    if cursor is None:
        return size, 0
    if not isinstance(cursor, str):
        raise invalid("page_cursor must be a string.", pointer=_POINTER + "page_cursor")
    try:
        return size, decode_cursor(cursor)
    except ApiError:
        raise invalid("Invalid page_cursor provided.", pointer=_POINTER + "page_cursor") from None


def parse_query(doc: dict[str, Any]) -> AggregateQuery:
    attrs: dict[str, Any] = request_data(doc["data"], "metric-aggregate")["attributes"]
    metric_id = attrs.get("metric_id")
    if not isinstance(metric_id, str) or not metric_id:
        raise invalid("metric_id is required.", pointer=_POINTER + "metric_id")
    measurements = _string_list(attrs, "measurements", required=True)
    if bad := [m for m in measurements if m not in MEASUREMENTS]:
        raise invalid(f"Unknown measurement(s) {bad}; use {list(MEASUREMENTS)}.", pointer=_POINTER + "measurements")
    timezone = _choice(attrs, "timezone", _zones(), "UTC")
    start, end, conditions = _range_and_filters(_string_list(attrs, "filter", required=True), ZoneInfo(timezone))
    by = _string_list(attrs, "by", required=False)
    if bad := [b for b in by if b not in DIMENSIONS]:
        raise invalid(f"Unknown dimension(s) {bad} in by.", pointer=_POINTER + "by")
    sort = attrs.get("sort")
    if sort is not None and (not isinstance(sort, str) or sort.lstrip("-") not in (*by, *measurements)):
        raise invalid("sort must name a requested by dimension or measurement.", pointer=_POINTER + "sort")
    page_size, offset = _page(attrs)
    return AggregateQuery(
        metric_id,
        tuple(dict.fromkeys(measurements)),
        start,
        end,
        _choice(attrs, "interval", INTERVALS, "day"),
        timezone,
        tuple(by),
        conditions,
        sort,
        page_size,
        offset,
    )


def aggregate(
    conn: sqlite3.Connection, query: AggregateQuery
) -> tuple[list[datetime], dict[tuple[str, ...], list[list[float]]]]:
    """Bucket starts and, per dimension tuple, one [count, sum_value, unique] triple per bucket."""
    starts = bucket_starts(query.start, query.end, query.interval, query.timezone)
    statement = metricstore.aggregate_statement(query.metric_id, query.by, query.conditions, query.measurements)
    rows: dict[tuple[str, ...], list[list[float]]] = {}
    width = len(query.by)
    for index, (lo, hi) in enumerate(spans(starts, query.start, query.end)):
        if lo >= hi:
            continue
        for row in metricstore.bucket_rows(conn, statement, lo, hi):
            count, total, unique = row[width:]
            if not count:
                continue
            key = tuple(row[:width])
            if key not in rows:
                rows[key] = [[0.0, 0.0, 0.0] for _ in starts]
            rows[key][index] = [float(count), float(total), float(unique)]
    if not query.by and not rows:
        rows[()] = [[0.0, 0.0, 0.0] for _ in starts]
    return starts, rows


def _sorted_keys(query: AggregateQuery, rows: dict[tuple[str, ...], list[list[float]]]) -> list[tuple[str, ...]]:
    keys = sorted(rows)
    if not query.sort:
        return keys
    name = query.sort.lstrip("-")
    reverse = query.sort.startswith("-")
    if name in query.by:
        position = query.by.index(name)
        return sorted(keys, key=lambda k: k[position], reverse=reverse)
    column = MEASUREMENTS.index(name)
    return sorted(keys, key=lambda k: math.fsum(c[column] for c in rows[k]), reverse=reverse)


def _result_rows(query: AggregateQuery, rows: dict[tuple[str, ...], list[list[float]]]) -> list[dict[str, Any]]:
    out = []
    for key in _sorted_keys(query, rows):
        cells = rows[key]
        values = {m: [round(c[MEASUREMENTS.index(m)], 6) for c in cells] for m in query.measurements}
        out.append({"dimensions": list(key), "measurements": values})
    return out


@route("query_metric_aggregates")
def query_metric_aggregates(ctx: Ctx) -> Response:
    """200 with `dates` and one row per dimension combination (facts §12). The sandbox
    recounts the stored events per bucket; its choices (range, filters, paging) are in the module docstring."""
    query = parse_query(ctx.json_body())
    with ctx.store.read() as conn:
        if eventstore.metric_row(conn, query.metric_id) is None:
            raise not_found(f"A metric with id {query.metric_id} does not exist.")
        starts, rows = aggregate(conn, query)
    result = _result_rows(query, rows)
    page = result[query.offset : query.offset + query.page_size]
    attributes = {"dates": [s.isoformat() for s in starts], "data": page}
    self_link = ctx.url("/api/metric-aggregates")
    body: dict[str, Any] = {
        "data": {
            "type": "metric-aggregate",
            "id": str(uuid.uuid4()),
            "attributes": attributes,  # fields[metric-aggregate] cannot drop dates/data: the schema requires both
            "links": {"self": self_link},
        },
        "links": {"self": self_link},
    }
    if query.offset + query.page_size < len(result):
        body["links"]["next"] = ctx.url(
            "/api/metric-aggregates", {"page_cursor": encode_cursor(query.offset + query.page_size)}
        )
    return Response(200, body)
