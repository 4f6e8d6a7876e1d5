"""The Metrics page in AppTest, against the embedded sandbox filled with demo storefront events."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_sandbox.events.demo import seed_demo_events
from tests.app.conftest import APP_PATH
from tests.metrics_support import add_events

NY = "America/New_York"


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    from klaviyo_app.ui.sandbox import embedded_sandbox  # the cached one the app just started

    store = embedded_sandbox().server.app.store
    seed_demo_events(store, days=60, profiles=300, sessions_per_day=80)
    load_cache_clear()  # an earlier test in this process may have cached the metrics list before the seed
    at.switch_page("klaviyo_app/app_pages/metrics.py").run()
    assert not at.exception, at.exception
    return at


def label(at: AppTest, name: str) -> str:
    """The picker's label for a metric ('Placed Order (Shopify)'); another seeder may own the metric."""
    return next(o for o in at.multiselect(key="metrics_pick").options if o.startswith(f"{name} ("))


def recount_orders(today: date, days: int) -> tuple[int, int]:
    """Placed Order events in the last `days` New York days and in the `days` before, counted in SQL."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    zone = ZoneInfo(NY)
    first = today - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    end = datetime(today.year, today.month, today.day, tzinfo=zone) + timedelta(days=1)
    before = start - timedelta(days=days)
    sql = (
        "SELECT COUNT(*) FROM events JOIN metrics ON metrics.id = events.metric_id"
        " WHERE metrics.name = 'Placed Order' AND ts >= ? AND ts < ?"
    )
    with embedded_sandbox().server.app.store.read() as conn:
        current = conn.execute(sql, (int(start.timestamp()), int(end.timestamp()))).fetchone()[0]
        previous = conn.execute(sql, (int(before.timestamp()), int(start.timestamp()))).fetchone()[0]
    return current, previous


def chart_spec_and_rows(at: AppTest) -> tuple[dict, list[dict]]:
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    (dataset,) = chart.proto.datasets
    table = pa.ipc.open_stream(io.BytesIO(dataset.data.data)).read_all()
    return spec, table.to_pylist()


def test_default_view_charts_placed_order_with_kpis_table_and_csv(page: AppTest) -> None:
    orders = label(page, "Placed Order")
    assert page.multiselect(key="metrics_pick").value == [orders]
    spec, rows = chart_spec_and_rows(page)
    line, points = spec["layer"]
    assert line["mark"]["type"] == "line" and points["mark"]["type"] == "point"
    assert line["encoding"]["x"]["field"] == "start" and line["encoding"]["y"]["field"] == "count"
    assert [t["field"] for t in line["encoding"]["tooltip"]] == ["period", "series", "count"]
    assert len(rows) == 30 and sum(r["count"] for r in rows) > 0
    assert rows[-1]["in_progress"] and rows[-1]["period"].endswith("(so far)")  # today is not over
    assert not any(r["in_progress"] for r in rows[:-1])
    assert any("The last bucket is still in progress" in c.value for c in page.caption)
    (tile,) = page.metric
    assert tile.label == f"{orders} · Events"
    assert int(tile.value.replace(",", "")) == sum(r["count"] for r in rows)
    current, previous = recount_orders(date.today(), 30)  # 60 days of demo data: both periods have orders
    assert int(tile.value.replace(",", "")) == current
    assert tile.delta == f"{(current - previous) / previous * 100:+.1f}%"
    assert len(page.dataframe) == 1 and len(page.dataframe[0].value) == 30
    assert any("Data: fresh from the API" in c.value or "from cache" in c.value for c in page.caption)


def test_second_metric_bar_chart_and_breakdown(page: AppTest) -> None:
    orders, carts = label(page, "Placed Order"), label(page, "Added to Cart")
    page.multiselect(key="metrics_pick").select(carts).run()
    page.radio(key="metrics_chart_kind").set_value("Bar").run()
    page.selectbox(key="metrics_measurement").set_value("sum_value").run()
    assert not page.exception, page.exception
    spec, rows = chart_spec_and_rows(page)
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y"]["field"] == "sum_value"
    assert spec["encoding"]["xOffset"]["field"] == "series" and spec["encoding"]["y"].get("stack") is None
    assert {r["metric"] for r in rows} == {orders, carts}
    assert len(page.metric) == 2
    assert all(tile.label.endswith("Sum of value (USD)") for tile in page.metric)  # carts are not revenue
    page.selectbox(key="metrics_breakdown").set_value("$attributed_channel").run()
    assert not page.exception, page.exception
    spec, rows = chart_spec_and_rows(page)
    assert spec["encoding"]["xOffset"]["field"] == "metric" and spec["encoding"]["y"]["stack"] == "zero"
    assert spec["encoding"]["color"]["title"] == "Attributed channel"
    assert spec["encoding"]["color"]["legend"]["labelLimit"] == 0
    assert {f"{orders} · email", f"{orders} · (no attributed channel)"} <= {r["series"] for r in rows}
    assert not any("(not set)" in r["series"] for r in rows)
    assert any("'(no attributed channel)' groups events Klaviyo did not attribute" in c.value for c in page.caption)
    assert "Attributed channel" in page.dataframe[0].value.columns


def test_repeat_view_comes_from_cache(page: AppTest) -> None:
    page.run()
    assert any("from cache, fetched" in c.value for c in page.caption)
    page.button(key="metrics_refresh").click().run()
    assert any("fresh from the API" in c.value for c in page.caption)


def test_custom_range_with_no_events_says_why_and_draws_nothing(page: AppTest) -> None:
    page.selectbox(key="metrics_preset").set_value("Custom").run()
    page.date_input(key="metrics_custom_range").set_value((date(2020, 1, 1), date(2020, 1, 7))).run()
    assert not page.exception, page.exception
    assert not page.get("vega_lite_chart")
    (info,) = page.info
    assert f"{label(page, 'Placed Order')} was first received on" in info.value  # the metric is younger than the range
    assert "after this range (2020-01-01 to 2020-01-07)" in info.value


def test_timezone_defaults_to_the_account_and_moves_buckets(page: AppTest) -> None:
    assert page.selectbox(key="metrics_timezone").value == NY  # the sandbox account's timezone
    from klaviyo_app.ui.sandbox import embedded_sandbox

    moment = datetime(2026, 3, 3, 3, 30, tzinfo=ZoneInfo("UTC"))  # 22:30 on Mar 2 in New York
    add_events(embedded_sandbox().server.app.store, "Late Order", [(int(moment.timestamp()), "Z", 5.0, {})])
    load_cache_clear()
    page.run()
    page.multiselect(key="metrics_pick").set_value(["Late Order (API)"]).run()
    page.selectbox(key="metrics_preset").set_value("Custom").run()
    page.date_input(key="metrics_custom_range").set_value((date(2026, 3, 1), date(2026, 3, 4))).run()
    _, rows = chart_spec_and_rows(page)
    assert [r["count"] for r in rows] == [0, 1, 0, 0]
    assert not any(r["partial"] for r in rows)
    page.selectbox(key="metrics_timezone").set_value("UTC").run()
    _, rows = chart_spec_and_rows(page)
    assert [r["count"] for r in rows] == [0, 0, 1, 0]


def load_cache_clear() -> None:
    import streamlit as st

    st.cache_data.clear()


def test_revenue_is_offered_for_orders_only_with_the_currency(page: AppTest) -> None:
    options = page.selectbox(key="metrics_measurement").options
    assert options == ["Events", "Revenue (USD)", "Unique profiles"]  # Placed Order records sales
    page.multiselect(key="metrics_pick").set_value([label(page, "Viewed Product")]).run()
    assert "Sum of value (USD)" in page.selectbox(key="metrics_measurement").options
    assert not any(o.startswith("Revenue") for o in page.selectbox(key="metrics_measurement").options)


def test_metric_without_values_offers_no_sum_and_says_events_exist(page: AppTest) -> None:
    from klaviyo_app.ui.sandbox import embedded_sandbox

    # a metric of its own: demo campaigns and flows also send "Clicked Email" (under Klaviyo), so a name they use
    # would land on their metric when another test in this process seeded them first
    now = int(datetime.now(ZoneInfo("UTC")).timestamp())
    add_events(embedded_sandbox().server.app.store, "Read Blog Post", [(now - 86400 * d, "Z", 0.0, {}) for d in (1, 2)])
    load_cache_clear()
    page.run()
    page.multiselect(key="metrics_pick").set_value(["Read Blog Post (API)"]).run()
    assert page.selectbox(key="metrics_measurement").options == ["Events", "Unique profiles"]
    page.multiselect(key="metrics_pick").select(label(page, "Placed Order")).run()
    page.selectbox(key="metrics_measurement").set_value("sum_value").run()
    assert not page.exception, page.exception
    (info,) = page.info
    assert "2 Read Blog Post (API) events between" in info.value and "none carries a value" in info.value
    assert "No Read Blog Post" not in info.value


def test_tiles_without_a_previous_period_show_no_arrow(page: AppTest) -> None:
    from klaviyo_app.ui.sandbox import embedded_sandbox

    now = int(datetime.now(ZoneInfo("UTC")).timestamp())
    add_events(embedded_sandbox().server.app.store, "Fresh Signup", [(now - 3600, "Z", 0.0, {})])
    load_cache_clear()
    page.run()
    page.multiselect(key="metrics_pick").set_value(["Fresh Signup (API)"]).run()
    (tile,) = page.metric
    assert tile.value == "1" and not tile.delta  # no "↑ no previous data"
    assert "Nothing to compare with: no events in the 30 days before." in tile.help


def test_unique_profiles_are_counted_over_the_period(page: AppTest) -> None:
    from klaviyo_app.ui.sandbox import embedded_sandbox

    day = datetime(2026, 3, 2, 15, tzinfo=ZoneInfo("UTC"))
    rows: list[tuple[int, str, float, dict[str, Any]]] = [
        (int((day + timedelta(days=d, hours=h)).timestamp()), p, 1.0, {})
        for d in range(3)
        for h in range(3)
        for p in "AB"
    ]
    add_events(embedded_sandbox().server.app.store, "Viewed Page", rows)
    load_cache_clear()
    page.run()
    page.multiselect(key="metrics_pick").set_value(["Viewed Page (API)"]).run()
    page.selectbox(key="metrics_preset").set_value("Custom").run()
    page.date_input(key="metrics_custom_range").set_value((date(2026, 3, 1), date(2026, 3, 10))).run()
    page.selectbox(key="metrics_interval").set_value("hour").run()
    page.selectbox(key="metrics_measurement").set_value("unique").run()
    assert not page.exception, page.exception
    (tile,) = page.metric
    assert tile.label == "Viewed Page (API) · Unique profiles in the period"
    assert tile.value == "2"  # A and B, not an hourly average


def test_weekly_buckets_start_with_the_range(page: AppTest) -> None:
    page.selectbox(key="metrics_preset").set_value("Custom").run()
    first = date.today() - timedelta(days=40)
    while first.weekday() != 2:  # a Wednesday
        first -= timedelta(days=1)
    page.date_input(key="metrics_custom_range").set_value((first, first + timedelta(days=20))).run()
    page.selectbox(key="metrics_interval").set_value("week").run()
    spec, rows = chart_spec_and_rows(page)
    assert rows[0]["start"].date() == first and rows[0]["partial"]
    assert [r["start"].weekday() for r in rows[1:]] == [0] * (len(rows) - 1)
    ticks = spec["layer"][0]["encoding"]["x"]["axis"]["values"]
    assert len(ticks) == len(rows)
    assert any("cut by the range" in c.value for c in page.caption)
