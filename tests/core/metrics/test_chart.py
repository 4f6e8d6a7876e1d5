"""The Metrics chart's rules (issue 17): each test fails on the chart the page drew before."""

from __future__ import annotations

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

NY = "America/New_York"
ZONE = ZoneInfo(NY)


def results(
    query: core.AggregateQuery, series: dict[str, list[float]], values: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    """A combined frame like the page's: one row per metric, bucket (and dimension value)."""
    zone = ZoneInfo(query.timezone)
    starts, cursor = [], query.start
    while cursor < query.end:
        starts.append(cursor)
        cursor = core.next_bucket(cursor, query.interval, zone)
    if query.interval == "week":  # Klaviyo's first weekly bucket starts on the Monday before the range
        first = query.start.astimezone(zone).date()
        monday = first - timedelta(days=first.weekday())
        starts = [datetime(monday.year, monday.month, monday.day, tzinfo=zone)]
        while (nxt := core.next_bucket(starts[-1], "week", zone)) < query.end:
            starts.append(nxt)
    rows: list[dict[str, Any]] = []
    for metric, counts in series.items():
        for i, start in enumerate(starts):
            for value in (values or {}).get(metric, [""]):
                row: dict[str, Any] = {"metric": metric, "date": pd.Timestamp(start), "count": counts[i % len(counts)]}
                row["unique"] = row["count"]
                if query.by:
                    row[query.by[0]] = value
                rows.append(row)
    return pd.DataFrame(rows)


def query(first: date, last: date, interval: str = "day", by: tuple[str, ...] = ()) -> core.AggregateQuery:
    start, end = core.local_range(first, last, NY)
    return core.AggregateQuery("M1", start, end, interval, ("count",), NY, by)


LATER = datetime(2027, 1, 1, tzinfo=UTC)  # every bucket of these ranges is over


def test_bars_of_different_metrics_stand_side_by_side_never_stacked() -> None:
    q = query(date(2026, 6, 1), date(2026, 6, 7))
    rows = core.chart_rows(results(q, {"Placed Order": [3], "Added to Cart": [9]}), q, LATER)
    spec = core.build_chart(rows, "count", "Events", "Bar", "day").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["xOffset"]["field"] == "series"
    assert spec["encoding"]["y"].get("stack") is None  # orders are not piled on carts


@pytest.mark.parametrize(("measurement", "stack", "offset"), [("count", "zero", "metric"), ("unique", None, "series")])
def test_a_breakdown_stacks_within_one_metric_except_unique(measurement: str, stack: str | None, offset: str) -> None:
    q = query(date(2026, 6, 1), date(2026, 6, 7), by=("$attributed_channel",))
    frame = results(
        q, {"Placed Order": [3], "Added to Cart": [9]}, {"Placed Order": ["email", ""], "Added to Cart": [""]}
    )
    rows = core.chart_rows(frame, q, LATER, "$attributed_channel")
    spec = core.build_chart(rows, measurement, "x", "Bar", "day", "$attributed_channel").to_dict()
    assert spec["encoding"]["y"].get("stack") == stack
    assert spec["encoding"]["xOffset"]["field"] == offset


@pytest.mark.parametrize("kind", ["Line", "Bar"])
def test_the_legend_is_never_cut(kind: str) -> None:
    q = query(date(2026, 6, 1), date(2026, 6, 7))
    long = "Placed Order (Shopify) · (no attributed channel)"
    spec = core.build_chart(
        core.chart_rows(results(q, {long: [1]}), q, LATER), "count", "Events", kind, "day"
    ).to_dict()
    encoding = spec["layer"][0]["encoding"] if kind == "Line" else spec["encoding"]
    legend = encoding["color"]["legend"]
    assert legend["labelLimit"] == 0 and legend["orient"] == "bottom"


def test_breakdowns_are_named_and_empty_values_say_why() -> None:
    q = query(date(2026, 6, 1), date(2026, 6, 2), by=("$attributed_channel",))
    rows = core.chart_rows(results(q, {"Placed Order": [1]}, {"Placed Order": ["email", ""]}), q, LATER, q.by[0])
    assert set(rows["series"]) == {"Placed Order · email", "Placed Order · (no attributed channel)"}
    spec = core.build_chart(rows, "count", "Events", "Line", "day", q.by[0]).to_dict()
    assert spec["layer"][0]["encoding"]["color"]["title"] == "Attributed channel"
    assert core.dimension_label("$attributed_channel") == "Attributed channel"
    assert "did not attribute" in core.missing_explanation("$attributed_channel")
    assert core.missing_label("URL") == "(no URL)"


def test_weekly_buckets_start_in_the_range_and_ticks_fall_on_bucket_starts() -> None:
    q = query(date(2026, 6, 3), date(2026, 6, 30), "week")  # a Wednesday to a Tuesday
    frame = results(q, {"Placed Order": [5]})
    assert frame["date"].iloc[0].date() == date(2026, 6, 1)  # what Klaviyo answers: the Monday before
    rows = core.chart_rows(frame, q, LATER)
    assert rows["start"].iloc[0] == datetime(2026, 6, 3)  # drawn where the range starts
    assert rows["partial"].iloc[0] and not rows["partial"].iloc[1:4].any()
    assert rows["period"].iloc[0] == "Jun 03 - Jun 07 (part of the bucket)"
    ticks = [datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ") for t in core.tick_values(rows)]
    assert ticks == list(rows["start"])
    assert all(t.weekday() == 0 for t in ticks[1:])  # Mondays, never Sundays
    spec = core.build_chart(rows, "count", "Events", "Line", "week").to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"]["values"] == core.tick_values(rows) and x["scale"]["type"] == "utc"


def test_todays_unfinished_bucket_is_not_drawn_as_a_drop() -> None:
    q = query(date(2026, 6, 1), date(2026, 6, 7))
    now = datetime(2026, 6, 7, 9, 30, tzinfo=ZONE)
    rows = core.chart_rows(results(q, {"Placed Order": [40, 41, 39, 42, 40, 38, 4]}), q, now)
    assert list(rows["in_progress"]) == [False] * 6 + [True]
    assert rows["period"].iloc[-1] == "Jun 07 (so far)"
    spec = core.build_chart(rows, "count", "Events", "Line", "day").to_dict()
    line, points = spec["layer"]
    assert line["mark"]["type"] == "line" and line["transform"] == [{"filter": "!datum.in_progress"}]
    assert points["encoding"]["shape"]["field"] == "partial"
    bars = core.build_chart(rows, "count", "Events", "Bar", "day").to_dict()
    assert bars["encoding"]["opacity"]["condition"]["test"] == "datum.partial"


def test_revenue_only_for_sales_with_their_currency() -> None:
    viewed = core.ValueInfo("Viewed Product", 100, 100, ("USD",))
    orders = core.ValueInfo("Placed Order", 10, 10, ("USD",))
    clicks = core.ValueInfo("Clicked Email", 50, 0, ())
    assert core.value_label([orders]) == "Revenue (USD)"
    assert core.value_label([viewed]) == "Sum of value (USD)"
    assert core.value_label([orders, viewed]) == "Sum of value (USD)"
    assert core.value_label([orders, clicks]) == "Revenue (USD)"
    assert core.value_label([clicks]) is None
    assert core.value_label([core.ValueInfo("Placed Order", 3, 3, ())]) == "Revenue (no currency recorded)"


def test_value_info_reads_values_and_currencies(sandbox: SandboxServer) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    ts = int(datetime(2026, 6, 2, 15, tzinfo=UTC).timestamp())
    orders = add_events(sandbox.app.store, "Placed Order", [(ts, "A", 12.5, {}), (ts + 60, "B", 7.5, {})])
    clicks = add_events(sandbox.app.store, "Clicked Email", [(ts, "A", 0.0, {}), (ts + 9, "B", 0.0, {})])
    start, end = core.local_range(date(2026, 6, 1), date(2026, 6, 30), NY)
    info = core.value_info(client, "Placed Order", core.AggregateQuery(orders, start, end, timezone=NY))
    assert (info.events, info.valued_events, info.currencies, info.is_revenue) == (2, 2, ("USD",), True)
    info = core.value_info(client, "Clicked Email", core.AggregateQuery(clicks, start, end, timezone=NY))
    assert (info.events, info.has_value) == (2, False)
    result = core.query_aggregates(client, core.AggregateQuery(clicks, start, end, "day", ("sum_value", "count"), NY))
    assert core.nothing_to_chart(result, "sum_value") and not core.nothing_to_chart(result, "count")
    assert core.empty_reason(result, "Clicked Email", measurement="sum_value").startswith(
        "2 Clicked Email events between 2026-06-01 and 2026-06-30, but none carries a value"
    )


def test_unique_profiles_in_the_period_not_per_bucket(sandbox: SandboxServer) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    day = int(datetime(2026, 6, 2, 15, tzinfo=UTC).timestamp())
    rows: list[tuple[int, str, float, dict[str, Any]]] = [
        (day + d * 86400, p, 1.0, {}) for d in range(5) for p in ("A", "B", "C")
    ]  # 3 profiles, 5 days
    metric = add_events(sandbox.app.store, "Placed Order", rows)
    start, end = core.local_range(date(2026, 6, 1), date(2026, 6, 30), NY)
    q = core.AggregateQuery(metric, start, end, "hour", ("unique",), NY)
    period = core.query_aggregates(client, core.period_unique_query(q))
    assert core.period_uniques(period) == (3.0, 1)  # not 3 per active hour averaged over 720 hours


def result(q: core.AggregateQuery, measurement: str, per_bucket: list[float]) -> core.AggregateResult:
    zone = ZoneInfo(q.timezone)
    starts, cursor = [], q.start
    for _ in per_bucket:
        starts.append(pd.Timestamp(cursor))
        cursor = core.next_bucket(cursor, q.interval, zone)
    return core.AggregateResult(q, pd.DataFrame({"date": starts, measurement: per_bucket}), fetched_at=0.0)


def test_tiles_show_no_arrow_without_a_previous_figure_and_say_why() -> None:
    q = query(date(2026, 6, 1), date(2026, 6, 3))
    kpi = core.tile(result(q, "count", [1, 2, 3]), result(q, "count", [0, 0, 0]), "count", "Events", 3)
    assert (kpi.value, kpi.delta) == ("6", None)
    assert kpi.help == "Nothing to compare with: no events in the 3 days before."
    kpi = core.tile(result(q, "count", [1, 2, 3]), result(q, "count", [2, 1, 1]), "count", "Events", 3)
    assert (kpi.delta, kpi.help) == ("+50.0%", None)


def test_unique_tiles_name_what_they_count() -> None:
    one_month = core.period_unique_query(query(date(2026, 6, 1), date(2026, 6, 30)))
    kpi = core.tile(result(one_month, "unique", [7]), result(one_month, "unique", [5]), "unique", "Unique profiles", 30)
    assert (kpi.title, kpi.value, kpi.delta, kpi.help) == ("Unique profiles in the period", "7", "+40.0%", None)
    two = core.period_unique_query(query(date(2026, 6, 20), date(2026, 7, 10)))
    kpi = core.tile(result(two, "unique", [3, 4]), result(two, "unique", [1, 1]), "unique", "Unique profiles", 21)
    assert kpi.title == "Unique profiles (2 calendar months added)" and kpi.value == "7"
    assert kpi.help is not None and "counts twice" in kpi.help
