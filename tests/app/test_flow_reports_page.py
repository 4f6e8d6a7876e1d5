"""The flows half of Campaigns & flows in AppTest, against the embedded sandbox's demo flows and their sends."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.csvfile import frame_csv
from tests.app.reports_app import reports_page

LIVE_FLOWS = {"Welcome Series", "Abandoned Cart", "Post-Purchase Thank You", "Back in Stock"}


def flows_view(period: str, *, seed: bool = False) -> AppTest:
    at = reports_page(seed=seed)
    at.selectbox(key="rep_period").set_value(period).run()
    at.button_group(key="rep_view").set_value("Flows").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page() -> AppTest:
    return flows_view("last_90_days", seed=True)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_flows_table_breakdown_and_weekly_chart_after_one_call_each(page: AppTest) -> None:
    assert "Reporting budget: about" in captions(page) and "(estimate)" in captions(page)
    assert page.button(key="flow_fetch").label == "Load flow report (uses 1 reporting call)"
    assert not page.dataframe  # nothing spent, nothing shown
    page.button(key="flow_fetch").click().run()
    assert not page.exception, page.exception
    flows = page.dataframe[0].value
    assert set(flows["flow"]) == LIVE_FLOWS and "fresh from the API" in captions(page)
    assert list(flows.columns)[:3] == ["flow", "tags", "messages"]
    assert set(flows[flows["flow"] == "Welcome Series"]["tags"]) == {"Onboarding"}
    assert list(flows["conversion_value"]) == sorted(flows["conversion_value"], reverse=True)

    pick = page.selectbox(key="flow_pick")
    assert set(pick.options) == LIVE_FLOWS  # shown by name, chosen by id
    pick.select_index(pick.options.index("Abandoned Cart")).run()
    messages = page.dataframe[1].value
    assert list(messages["message"]) == ["Abandoned Cart email"] and messages["recipients"].iloc[0] > 0

    assert page.button(key="flow_series_fetch").label == "Load weekly series (uses 1 reporting call)"
    page.button(key="flow_series_fetch").click().run()
    assert not page.exception, page.exception
    assert "Weekly series" in captions(page)
    assert page.get("arrow_vega_lite_chart") or page.get("vega_lite_chart")

    again = flows_view("last_90_days")
    assert "from cache, fetched" in captions(again)  # a new session reads the disk cache for free
    assert again.button(key="flow_fetch").label == "Refresh flow report (uses 1 reporting call)"
    shown = again.dataframe[0].value
    assert pd.read_csv(io.StringIO(frame_csv(shown))).shape == shown.shape  # the CSV is what is shown


def test_a_week_or_less_is_charted_day_by_day(page: AppTest) -> None:
    page.selectbox(key="rep_period").set_value("last_7_days").run()
    page.button(key="flow_fetch").click().run()
    assert not page.exception, page.exception
    assert page.button(key="flow_series_fetch").label == "Load daily series (uses 1 reporting call)"
    assert "Day by day" in " ".join(m.value for m in page.markdown)
