"""Metric aggregates against a plain recount of the stored events, including DST and odd-offset zones."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.events.store import NewEvent, get_or_create_metric, insert_events
from tests.sandbox.engine.helpers import call, error_code

NY = "America/New_York"


def store_events(sandbox: SandboxServer, name: str, events: list[tuple[int, str, float, dict[str, Any]]]) -> str:
    """(ts, profile_id, value, properties) rows for metric `name`; returns the metric id."""
    with sandbox.app.store.write() as conn:
        metric_id = get_or_create_metric(conn, name)
        rows = [
            NewEvent(metric_id, p, ts, props, value, "USD", f"{p}-{ts}-{i}")
            for i, (ts, p, value, props) in enumerate(events)
        ]
        insert_events(conn, rows)
    return metric_id


def query(sandbox: SandboxServer, metric_id: str, start: str, end: str, **attrs: Any) -> Any:
    attributes = {
        "metric_id": metric_id,
        "measurements": attrs.pop("measurements", ["count", "sum_value", "unique"]),
        "filter": [f"greater-or-equal(datetime,{start})", f"less-than(datetime,{end})", *attrs.pop("filters", [])],
        **attrs,
    }
    return call(
        sandbox.url, "POST", "/api/metric-aggregates", {"data": {"type": "metric-aggregate", "attributes": attributes}}
    )


def local_bucket_start(ts: int, interval: str, zone: ZoneInfo) -> datetime:
    """The recount's own bucket rule: floor the event's local time, then back to UTC."""
    local = datetime.fromtimestamp(ts, zone)
    if interval == "hour":
        return local.replace(minute=0, second=0).astimezone(UTC)
    day = local.date()
    if interval == "week":
        day -= timedelta(days=day.weekday())
    elif interval == "month":
        day = day.replace(day=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def recount(
    events: list[tuple[int, str, float, dict[str, Any]]], interval: str, timezone: str, lo: int, hi: int
) -> dict:
    zone = ZoneInfo(timezone)
    counts: dict[datetime, list] = defaultdict(lambda: [0, 0.0, set()])
    for ts, profile, value, _ in events:
        if lo <= ts < hi:
            cell = counts[local_bucket_start(ts, interval, zone)]
            cell[0] += 1
            cell[1] += value
            cell[2].add(profile)
    return counts


def random_events(seed: int, start: datetime, end: datetime, n: int) -> list[tuple[int, str, float, dict[str, Any]]]:
    rng = random.Random(seed)
    lo, hi = int(start.timestamp()), int(end.timestamp())
    out: dict[int, tuple[int, str, float, dict[str, Any]]] = {}
    for _ in range(n):
        ts = rng.randrange(lo - 3 * 86400, hi + 3 * 86400)  # some fall outside the queried range
        out[ts] = (ts, f"P{rng.randrange(40):02d}", round(rng.uniform(1, 200), 2), {})
    return sorted(out.values())


AUTUMN = ("2026-09-28T00:00:00", "2026-11-04T00:00:00")  # New York falls back Nov 1; Lord Howe springs +30 min Oct 4
SPRING = ("2026-02-27T00:00:00", "2026-04-03T00:00:00")  # New York springs forward Mar 8; London Mar 29


@pytest.mark.parametrize(
    ("window", "timezone", "interval"),
    [(AUTUMN, NY, "hour"), (AUTUMN, NY, "day"), (AUTUMN, NY, "week"), (AUTUMN, NY, "month"), (AUTUMN, "UTC", "day"),
     (AUTUMN, "Asia/Kolkata", "hour"), (AUTUMN, "Asia/Kolkata", "day"), (AUTUMN, "Australia/Lord_Howe", "hour"),
     (AUTUMN, "Australia/Lord_Howe", "day"), (SPRING, NY, "hour"), (SPRING, NY, "day"), (SPRING, NY, "week"),
     (SPRING, "Europe/London", "hour"), (SPRING, "Europe/London", "month"), (SPRING, "Asia/Kathmandu", "day")],
)  # fmt: skip
def test_aggregates_equal_a_recount_across_dst(
    sandbox: SandboxServer, window: tuple[str, str], timezone: str, interval: str
) -> None:
    start_local, end_local = window
    zone = ZoneInfo(timezone)
    start = datetime.fromisoformat(start_local).replace(tzinfo=zone)
    end = datetime.fromisoformat(end_local).replace(tzinfo=zone)
    events = random_events(11, start, end, 3000)
    metric_id = store_events(sandbox, "Placed Order", events)
    resp = query(sandbox, metric_id, start_local, end_local, interval=interval, timezone=timezone)
    assert resp.status_code == 200, resp.text[:300]
    attrs = resp.json()["data"]["attributes"]
    dates = [datetime.fromisoformat(d) for d in attrs["dates"]]
    assert all(d.utcoffset() == timedelta(0) for d in dates)
    expected = recount(events, interval, timezone, int(start.timestamp()), int(end.timestamp()))
    assert set(expected) <= set(dates)
    (row,) = attrs["data"]
    assert row["dimensions"] == []
    got = row["measurements"]
    for i, day in enumerate(dates):
        count, total, profiles = expected.get(day, (0, 0.0, set()))
        assert got["count"][i] == count, day
        assert got["sum_value"][i] == pytest.approx(total), day
        assert got["unique"][i] == len(profiles), day
    assert sum(got["count"]) == sum(1 for ts, *_ in events if start.timestamp() <= ts < end.timestamp())


def test_dst_days_are_23_and_25_hours_long(sandbox: SandboxServer) -> None:
    metric_id = store_events(sandbox, "Viewed Product", [])
    spring = query(
        sandbox, metric_id, "2026-03-07T00:00:00", "2026-03-10T00:00:00", timezone=NY, measurements=["count"]
    )
    fall = query(sandbox, metric_id, "2026-10-31T00:00:00", "2026-11-03T00:00:00", timezone=NY, measurements=["count"])
    assert spring.json()["data"]["attributes"]["dates"] == [
        "2026-03-07T05:00:00+00:00",
        "2026-03-08T05:00:00+00:00",
        "2026-03-09T04:00:00+00:00",
    ]
    assert fall.json()["data"]["attributes"]["dates"] == [
        "2026-10-31T04:00:00+00:00",
        "2026-11-01T04:00:00+00:00",
        "2026-11-02T05:00:00+00:00",
    ]
    hours = query(sandbox, metric_id, "2026-11-01T00:00:00", "2026-11-02T00:00:00", timezone=NY, interval="hour")
    dates = hours.json()["data"]["attributes"]["dates"]
    assert len(dates) == 25 and dates.count("2026-11-01T05:00:00+00:00") == 1  # 01:00 EDT and 01:00 EST differ
    assert hours.json()["data"]["attributes"]["data"][0]["measurements"]["count"] == [0.0] * 25


def test_event_exactly_on_a_boundary_counts_once_in_the_later_bucket(sandbox: SandboxServer) -> None:
    midnight = int(datetime(2026, 11, 2, tzinfo=ZoneInfo(NY)).timestamp())
    metric_id = store_events(sandbox, "Placed Order", [(midnight - 1, "A", 1.0, {}), (midnight, "B", 2.0, {})])
    resp = query(sandbox, metric_id, "2026-11-01T00:00:00", "2026-11-03T00:00:00", timezone=NY)
    got = resp.json()["data"]["attributes"]["data"][0]["measurements"]
    assert got == {"count": [1.0, 1.0], "sum_value": [1.0, 2.0], "unique": [1.0, 1.0]}


def test_by_dimensions_filters_sort_and_pages(sandbox: SandboxServer) -> None:
    base = int(datetime(2026, 6, 1, 12, tzinfo=UTC).timestamp())
    events = [(base + i, f"P{i % 3}", 10.0, {"$flow": f"F{i % 4}"} if i % 5 else {"Other": 1}) for i in range(40)]
    metric_id = store_events(sandbox, "Placed Order", events)
    window = ("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z")
    resp = query(sandbox, metric_id, *window, by=["$flow"], sort="-count")
    rows = resp.json()["data"]["attributes"]["data"]
    totals = {tuple(r["dimensions"]): r["measurements"]["count"][0] for r in rows}
    expected: dict[tuple[str, ...], float] = defaultdict(float)
    for _, _, _, props in events:
        expected[(str(props.get("$flow", "")),)] += 1
    assert totals == expected and ("",) in totals  # events without the property: empty dimension
    assert [r["measurements"]["count"][0] for r in rows] == sorted(totals.values(), reverse=True)
    only = query(sandbox, metric_id, *window, by=["$flow"], filters=['any($flow,["F1","F2"])'])
    assert sorted(r["dimensions"][0] for r in only.json()["data"]["attributes"]["data"]) == ["F1", "F2"]
    first = query(sandbox, metric_id, *window, by=["$flow"], page_size=2)
    body = first.json()
    assert len(body["data"]["attributes"]["data"]) == 2 and "next" in body["links"]
    cursor = body["links"]["next"].split("page_cursor=", 1)[1]
    rest = query(sandbox, metric_id, *window, by=["$flow"], page_size=2, page_cursor=cursor).json()
    assert len(rest["data"]["attributes"]["data"]) == 2
    assert len(query(sandbox, metric_id, *window, by=["$flow"], page_size=4, page_cursor=cursor).json()["links"]) == 1


def test_value_currency_dimension_and_fields_param(sandbox: SandboxServer) -> None:
    metric_id = store_events(sandbox, "Placed Order", [(1780000000, "A", 5.0, {})])
    resp = query(
        sandbox, metric_id, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", by=["$value_currency"], interval="month"
    )
    assert resp.json()["data"]["attributes"]["data"][0]["dimensions"] == ["USD"]
    window = ["greater-or-equal(datetime,2026-05-01T00:00:00Z)", "less-than(datetime,2026-06-01T00:00:00Z)"]
    attributes = {"metric_id": metric_id, "measurements": ["count"], "filter": window}
    sparse = call(
        sandbox.url,
        "POST",
        "/api/metric-aggregates",
        {"data": {"type": "metric-aggregate", "attributes": attributes}},
        params={"fields[metric-aggregate]": "dates"},
    )
    assert sorted(sparse.json()["data"]["attributes"]) == ["data", "dates"]  # both required by the schema


@pytest.mark.parametrize(
    ("attrs", "pointer"),
    [
        ({"filters": [], "start": None}, "/data/attributes/filter"),
        ({"end": "2027-06-03T00:00:00Z"}, "/data/attributes/filter"),
        ({"end": "2025-01-01T00:00:00Z"}, "/data/attributes/filter"),
        ({"measurements": ["median"]}, "/data/attributes/measurements"),
        ({"measurements": []}, "/data/attributes/measurements"),
        ({"interval": "fortnight"}, "/data/attributes/interval"),
        ({"timezone": "Europe/Kyiv"}, "/data/attributes/timezone"),
        ({"timezone": "america/new_york"}, "/data/attributes/timezone"),
        ({"by": ["Favourite Colour"]}, "/data/attributes/by"),
        ({"sort": "-sum_value"}, "/data/attributes/sort"),
        ({"page_size": 0}, "/data/attributes/page_size"),
        ({"page_cursor": "!!"}, "/data/attributes/page_cursor"),
        ({"filters": ["greater-than(value,3)"]}, "/data/attributes/filter"),
    ],
)
def test_invalid_queries_are_400_invalid(sandbox: SandboxServer, attrs: dict[str, Any], pointer: str) -> None:
    metric_id = store_events(sandbox, "Placed Order", [])
    start = "2026-06-01T00:00:00Z"
    end = attrs.pop("end", "2026-06-02T00:00:00Z")
    if attrs.pop("start", start) is None:  # no time range at all
        body = {
            "data": {
                "type": "metric-aggregate",
                "attributes": {"metric_id": metric_id, "measurements": ["count"], "filter": ['equals($flow,"x")']},
            }
        }
        resp = call(sandbox.url, "POST", "/api/metric-aggregates", body)
    else:
        attrs.setdefault("measurements", ["count"])
        resp = query(sandbox, metric_id, start, end, **attrs)
    assert resp.status_code == 400 and error_code(resp) == "invalid", resp.text[:300]
    assert resp.json()["errors"][0]["source"] == {"pointer": pointer}


def test_unknown_metric_is_404_and_wrong_type_is_400(sandbox: SandboxServer) -> None:
    resp = query(sandbox, "NoSuch", "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z")
    assert resp.status_code == 404 and error_code(resp) == "not_found"
    bad = call(sandbox.url, "POST", "/api/metric-aggregates", {"data": {"type": "metric", "attributes": {}}})
    assert bad.status_code == 400 and error_code(bad) == "invalid"
