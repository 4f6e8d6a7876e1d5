"""The Campaigns & flows page in AppTest, against the embedded sandbox with the demo campaigns and their sends."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP_PATH
from tests.app.reports_app import PAGE, reports_page


@pytest.fixture
def page() -> AppTest:
    return reports_page(seed=True)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_budget_is_shown_before_a_call_then_the_table_and_its_age(page: AppTest) -> None:
    assert str(page.selectbox(key="rep_metric").value).startswith("Placed Order (")
    assert "Reporting budget: about" in captions(page) and "(estimate)" in captions(page)
    page.selectbox(key="rep_period").set_value("last_7_days").run()
    assert page.button(key="rep_fetch").label == "Load report (uses 1 reporting call)"
    assert not page.dataframe  # nothing spent, nothing shown
    page.button(key="rep_fetch").click().run()
    assert not page.exception, page.exception
    table = page.dataframe[0].value
    assert len(table) == 4 and "Summer Sale Launch" in set(table["campaign"])
    assert "fresh from the API" in captions(page)
    again = AppTest.from_file(APP_PATH, default_timeout=60)
    again.run()
    again.switch_page(PAGE).run()
    again.selectbox(key="rep_period").set_value("last_7_days").run()
    assert "from cache, fetched" in captions(again)  # a new session reads the disk cache for free
    assert again.button(key="rep_fetch").label == "Refresh (uses 1 reporting call)"
    assert len(again.dataframe[0].value) == 4


def loaded(page: AppTest, timeframe: str) -> AppTest:
    page.selectbox(key="rep_period").set_value(timeframe).run()
    if not page.dataframe:
        page.button(key="rep_fetch").click().run()
    assert not page.exception, page.exception
    return page


def test_names_tags_and_channel_filters_and_sorting(page: AppTest) -> None:
    table = loaded(page, "last_90_days").dataframe[0].value
    assert list(table.columns[:4]) == ["campaign", "message", "tags", "channel"]
    summer = table.set_index("campaign").loc["Summer Sale Launch"]
    assert (summer["message"], summer["tags"]) == ("Summer Sale Launch (email)", "Promotional, Summer")
    assert "names read" in captions(page)
    assert "Summer" in page.multiselect(key="rep_tags").options
    page.multiselect(key="rep_tags").set_value(["Summer"]).run()
    shown = page.dataframe[0].value
    assert len(shown) < len(table) and all("Summer" in t for t in shown["tags"])
    page.multiselect(key="rep_tags").set_value([]).run()
    page.multiselect(key="rep_channels").set_value(["sms"]).run()
    assert set(page.dataframe[0].value["channel"]) == {"sms"}
    page.multiselect(key="rep_channels").set_value([]).run()
    page.selectbox(key="rep_sort").set_value("recipients").run()
    page.toggle(key="rep_descending").set_value(False).run()
    recipients = list(page.dataframe[0].value["recipients"])
    assert recipients == sorted(recipients) and len(recipients) == len(table)
    (download,) = [b for b in page.get("download_button") if b.proto.label == "Download CSV"]
    assert download.proto.ignore_rerun
    assert any("exactly the rows and columns above" in c.value for c in page.caption)


def test_the_comparison_says_its_cost_first_then_is_cached(page: AppTest) -> None:
    loaded(page, "last_30_days")
    button = page.button(key="rep_compare")
    assert "(uses 1 reporting call)" in button.label and not page.metric  # nothing spent yet
    button.click().run()
    assert not page.exception, page.exception
    tiles = {m.label: m for m in page.metric}
    assert set(tiles) == {
        "Recipients",
        "Delivered",
        "Open rate",
        "Click rate",
        "Conversions",
        "Revenue",
        "Revenue per recipient",
    }
    assert "Compared with" in captions(page) and "percentage points" in captions(page)
    again = AppTest.from_file(APP_PATH, default_timeout=60)
    again.run()
    again.switch_page(PAGE).run()
    assert len(again.metric) == 7  # a new session shows the cached comparison for free
    assert all(b.key != "rep_compare" for b in again.button)
    assert "from cache" in captions(again)
