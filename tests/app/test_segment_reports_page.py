"""The segments view of Campaigns & flows in AppTest, against the embedded sandbox's demo segments."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.csvfile import frame_csv
from klaviyo_core.http.ratelimit import forget_limiters
from klaviyo_sandbox.seed import seed_demo
from tests.app.conftest import APP_PATH

PAGE = "klaviyo_app/app_pages/campaigns.py"


def segments_view(period: str) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    at.selectbox(key="rep_period").set_value(period).run()
    at.button_group(key="rep_view").set_value("Segments").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    from klaviyo_app.ui.sandbox import embedded_sandbox  # the cached one the app just started

    server = embedded_sandbox().server
    seed_demo(server.app.store)
    server.app.limiter.reset()  # reports allow 2 calls a minute; see test_campaigns_page.py
    forget_limiters()
    return segments_view("last_90_days")


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_segments_budget_first_then_members_their_age_and_the_csv(page: AppTest) -> None:
    assert "Reporting budget: about" in captions(page) and "(estimate)" in captions(page)
    assert page.button(key="segment_fetch").label == "Load segment report (uses 1 reporting call)"
    assert not page.dataframe  # nothing spent, nothing shown
    before = captions(page)
    page.button(key="segment_fetch").click().run()
    assert not page.exception, page.exception
    table = page.dataframe[0].value
    columns = ["segment", "total_members", "members_added", "members_removed", "net_members_changed"]
    assert list(table.columns) == columns
    assert "VIP customers" in set(table["segment"]) and "fresh from the API" in captions(page)
    assert list(table["total_members"]) == sorted(table["total_members"], reverse=True)
    assert (table["net_members_changed"] == table["members_added"] - table["members_removed"]).all()
    assert captions(page).split(" Other tools")[0] != before.split(" Other tools")[0]  # the call is counted
    assert "plays no part" in captions(page)  # the conversion metric does not apply, and the page says so
    (download,) = [b for b in page.get("download_button") if b.proto.label == "Download segments CSV"]
    assert download.proto.ignore_rerun
    assert pd.read_csv(io.StringIO(frame_csv(table))).shape == table.shape

    again = segments_view("last_90_days")
    assert "from cache, fetched" in captions(again)  # a new session reads the disk cache for free
    assert again.button(key="segment_fetch").label == "Refresh segment report (uses 1 reporting call)"
    assert again.dataframe[0].value.equals(table)
