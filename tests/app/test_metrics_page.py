"""The Metrics page in AppTest, against the embedded sandbox filled with demo storefront events."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
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
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["field"] == "date" and spec["encoding"]["y"]["field"] == "count"
    assert [t["field"] for t in spec["encoding"]["tooltip"]] == ["date", "series", "count"]
    assert len(rows) == 30 and sum(r["count"] for r in rows) > 0
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
    assert {r["metric"] for r in rows} == {orders, carts}
    assert len(page.metric) == 2
    page.selectbox(key="metrics_breakdown").set_value("$attributed_channel").run()
    assert not page.exception, page.exception
    _, rows = chart_spec_and_rows(page)
    assert {f"{orders} · email", f"{orders} · (not set)"} <= {r["series"] for r in rows}


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
    page.selectbox(key="metrics_timezone").set_value("UTC").run()
    _, rows = chart_spec_and_rows(page)
    assert [r["count"] for r in rows] == [0, 0, 1, 0]


def load_cache_clear() -> None:
    import streamlit as st

    st.cache_data.clear()
