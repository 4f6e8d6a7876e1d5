"""klaviyo_core.metrics against a real sandbox: listing, range splitting, recounts, cache, comparison."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core import metrics as core
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.metrics_support import add_events
from tests.spec_validation import request_errors, require_spec

NY = "America/New_York"


def aggregate_calls(sandbox: SandboxServer) -> int:
    return sum(n for (op, status), n in sandbox.app.counts.items() if op == "query_metric_aggregates")


def spread(seed: int, start: datetime, end: datetime, n: int) -> list[tuple[int, str, float, dict]]:
    rng = random.Random(seed)
    stamps = {rng.randrange(int(start.timestamp()), int(end.timestamp())) for _ in range(n)}
    return [(ts, f"P{rng.randrange(30)}", round(rng.uniform(1, 99), 2), {}) for ts in sorted(stamps)]


def test_list_metrics_names_integrations(sandbox: SandboxServer, client: KlaviyoClient) -> None:
    add_events(sandbox.app.store, "Placed Order", [])
    add_events(sandbox.app.store, "Active on Site", [])
    names = [(m.name, m.integration) for m in core.list_metrics(client)]
    assert names == [("Active on Site", "API"), ("Placed Order", "API")]


@pytest.mark.parametrize(("interval", "weekday", "day"), [("day", None, None), ("week", 0, None), ("month", None, 1)])
def test_split_range_cuts_on_local_bucket_starts(interval: str, weekday: int | None, day: int | None) -> None:
    start, end = core.local_range(date(2024, 2, 10), date(2026, 11, 20), NY)
    windows = core.split_range(start, end, interval, NY)
    assert len(windows) == 3
    assert windows[0][0] == start and windows[-1][1] == end
    for (_, cut), (nxt, _) in itertools.pairwise(windows):
        assert cut == nxt
        local = cut.astimezone(ZoneInfo(NY))
        assert (local.hour, local.minute) == (0, 0)
        assert weekday is None or local.weekday() == weekday
        assert day is None or local.day == day
    assert all(b.astimezone(UTC) - a.astimezone(UTC) <= core.MAX_WINDOW for a, b in windows)


def test_long_range_is_split_and_joined_exactly(sandbox: SandboxServer, client: KlaviyoClient) -> None:
    start, end = core.local_range(date(2025, 1, 1), date(2026, 6, 30), NY)  # 546 days: two windows
    events = spread(5, start, end, 4000)
    metric_id = add_events(sandbox.app.store, "Placed Order", events)
    query = core.AggregateQuery(metric_id, start, end, "month", ("count", "sum_value", "unique"), NY)
    before = aggregate_calls(sandbox)
    frame = core.query_aggregates(client, query).frame
    assert aggregate_calls(sandbox) - before == 2
    expected: dict[date, list] = defaultdict(lambda: [0, 0.0, set()])
    for ts, profile, value, _ in events:
        cell = expected[datetime.fromtimestamp(ts, ZoneInfo(NY)).date().replace(day=1)]
        cell[0] += 1
        cell[1] += value
        cell[2].add(profile)
    assert len(frame) == 18 and frame["date"].is_monotonic_increasing
    for row in frame.itertuples():
        count, total, profiles = expected[row.date.date()]
        assert (row.count, row.unique) == (count, len(profiles))  # unique stays exact: no month is split
        assert row.sum_value == pytest.approx(total)
    assert str(frame["date"].dt.tz) == NY


def test_breakdown_gives_one_row_per_date_and_value(sandbox: SandboxServer, client: KlaviyoClient) -> None:
    day = datetime(2026, 6, 1, 12, tzinfo=UTC)
    rows = [(int(day.timestamp()) + i * 3600, "A", 1.0, {"$flow": "F1"} if i % 2 else {}) for i in range(6)]
    metric_id = add_events(sandbox.app.store, "Placed Order", rows)
    start, end = core.local_range(date(2026, 6, 1), date(2026, 6, 2), "UTC")
    frame = core.fetch_frame(client, core.AggregateQuery(metric_id, start, end, by=("$flow",)))
    assert list(frame.columns) == ["date", "$flow", "count"]
    assert sorted(zip(frame["date"].dt.day, frame["$flow"], frame["count"], strict=True)) == [
        (1, "", 3.0),
        (1, "F1", 3.0),
        (2, "", 0.0),
        (2, "F1", 0.0),
    ]


def test_cache_serves_repeats_and_says_how_old(sandbox: SandboxServer, client: KlaviyoClient) -> None:
    metric_id = add_events(sandbox.app.store, "Placed Order", [(1780000000, "A", 3.0, {})])
    start, end = core.local_range(date(2026, 5, 1), date(2026, 5, 31), "UTC")
    query = core.AggregateQuery(metric_id, start, end)
    now = [1000.0]
    cache = core.AggregateCache(ttl_seconds=600, clock=lambda: now[0])
    first = core.query_aggregates(client, query, cache=cache)
    calls = aggregate_calls(sandbox)
    assert not first.from_cache and core.describe_age(first) == "fresh from the API"
    again = core.query_aggregates(client, query, cache=cache)
    assert again.from_cache and aggregate_calls(sandbox) == calls
    assert again.frame.equals(first.frame)
    assert again.fetched_at == 1000.0  # stamped with the cache's clock
    assert core.describe_age(again, now=1125.0) == "from cache, fetched 2 min ago"
    now[0] = 1500.0  # still within the ttl
    assert cache.get(client, query) is not None
    assert not core.query_aggregates(client, query, cache=cache, refresh=True).from_cache
    assert aggregate_calls(sandbox) == calls + 1
    other = KlaviyoClient(ClientConfig(api_key=FULL_KEY + "x", base_url=sandbox.url))
    assert cache.get(other, query) is None  # another key never sees this key's numbers
    now[0] = 2101.0  # past the ttl of the refreshed entry (fetched at 1500)
    assert cache.get(client, query) is None


def test_period_comparison(sandbox: SandboxServer, client: KlaviyoClient) -> None:
    start, end = core.local_range(date(2026, 6, 8), date(2026, 6, 14), NY)
    week = int(timedelta(days=7).total_seconds())
    now_rows: list[tuple[int, str, float, dict[str, Any]]] = [
        (int(start.timestamp()) + 3600 * i, f"P{i % 2}", 10.0, {}) for i in range(6)
    ]
    before_rows: list[tuple[int, str, float, dict[str, Any]]] = [
        (ts - week, p, 10.0, {}) for ts, p, _, _ in now_rows[:4]
    ]
    metric_id = add_events(sandbox.app.store, "Placed Order", now_rows + before_rows)
    query = core.AggregateQuery(metric_id, start, end, measurements=("count", "sum_value", "unique"), timezone=NY)
    assert query.previous().end == start and query.previous().start == start - timedelta(days=7)
    changes = {
        c.measurement: c
        for c in core.compare(core.query_aggregates(client, query), core.query_aggregates(client, query.previous()))
    }
    assert (changes["count"].current, changes["count"].previous) == (6, 4)
    assert core.format_ratio(changes["count"]) == "+50.0%"
    assert changes["sum_value"].delta == pytest.approx(20.0)
    assert changes["unique"].current == pytest.approx(2 / 7)  # mean of daily uniques: 2 profiles on 1 of 7 days
    empty = core.Change("count", 5, 0)
    assert empty.ratio is None and core.format_ratio(empty) is None


def test_empty_result_says_why(sandbox: SandboxServer, client: KlaviyoClient) -> None:
    metric_id = add_events(sandbox.app.store, "Placed Order", [])
    start, end = core.local_range(date(2026, 6, 1), date(2026, 6, 7), "UTC")
    result = core.query_aggregates(client, core.AggregateQuery(metric_id, start, end))
    assert result.is_empty and len(result.frame) == 7
    assert core.empty_reason(result, "Placed Order") == (
        "No Placed Order events between 2026-06-01 and 2026-06-07. Try a longer range."
    )
    assert core.empty_reason(result, "Placed Order", "2026-06-20T10:00:00+00:00") == (
        "Placed Order was first received on 2026-06-20, after this range (2026-06-01 to 2026-06-07): "
        "there is nothing to chart before then."
    )


def test_presets_and_query_validation() -> None:
    today = date(2026, 11, 27)
    assert core.preset_range("Last 7 days", today) == (date(2026, 11, 21), today)
    assert core.preset_range("This month", today) == (date(2026, 11, 1), today)
    start, end = core.local_range(date(2026, 11, 1), date(2026, 11, 1), NY)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)  # the fall-back day
    with pytest.raises(ValueError):
        core.AggregateQuery("X", end, start)
    with pytest.raises(ValueError):
        core.AggregateQuery("X", start, end, measurements=("median",))


def test_csv_is_exactly_the_frame() -> None:
    start, _end = core.local_range(date(2026, 3, 8), date(2026, 3, 8), NY)
    assert core.combine([]).empty
    frame = pd.DataFrame({"date": [pd.Timestamp(start).tz_convert(NY)], "count": [3.0]})
    assert core.to_csv(frame) == "date,count\n2026-03-08T00:00:00-05:00,3.0\n"


def test_request_bodies_match_the_spec() -> None:
    require_spec()
    start, end = core.local_range(date(2026, 1, 1), date(2026, 3, 31), NY)
    query = core.AggregateQuery(
        "AbC123", start, end, "week", ("count", "unique"), NY, ("$flow",), ('equals($flow,"X")',)
    )
    body = core.request_body(query, start, end, cursor="abc")
    assert request_errors("POST", core.AGGREGATES_PATH, body) == []
    assert body["data"]["attributes"]["filter"][:2] == [
        "greater-or-equal(datetime,2026-01-01T05:00:00Z)",
        "less-than(datetime,2026-04-01T04:00:00Z)",
    ]
