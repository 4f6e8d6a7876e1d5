"""The Campaigns & flows page in AppTest, against the embedded sandbox with the demo campaigns and their sends."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_sandbox.seed import seed_demo
from tests.app.conftest import APP_PATH

PAGE = "klaviyo_app/app_pages/campaigns.py"


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    from klaviyo_app.ui.sandbox import embedded_sandbox  # the cached one the app just started

    seed_demo(embedded_sandbox().server.app.store)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


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
