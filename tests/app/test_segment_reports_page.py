"""The segments view of Campaigns & flows in AppTest, against the embedded sandbox's demo segments."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.csvfile import frame_csv
from tests.app.reports_app import reports_page


def segments_view(period: str, *, seed: bool = False) -> AppTest:
    at = reports_page(seed=seed)
    at.selectbox(key="rep_period").set_value(period).run()
    at.button_group(key="rep_view").set_value("Segments").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page() -> AppTest:
    return segments_view("last_90_days", seed=True)


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
