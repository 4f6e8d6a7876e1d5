"""The tag upload page in real Chromium: upload a CSV, see the plan, apply it, see the results."""

from __future__ import annotations

from tests.e2e.conftest import click_until, drop_csv, go_to, open_app, wait_for_idle

CSV = "resource_type,resource,tag_group,tag\ncampaign,Flash Sale Alert,Browser test,Flash\nflow,Nope,X,Y\n"


def test_upload_plan_apply(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    open_app(page, app_url)
    go_to(page, "Tag upload", "CSV file")
    drop_csv(page, tmp_path / "tags.csv", CSV)
    page.get_by_text("Detected shape:", exact=False).first.wait_for()
    apply = page.get_by_role("button", name="Apply 1 change")
    apply.wait_for()
    wait_for_idle(page)
    click_until(page, apply, page.get_by_text("1 done", exact=False).first, timeout_ms=60_000)
    assert "1 skipped" in page.get_by_text("1 done", exact=False).first.inner_text()  # the unknown flow
    page.get_by_role("button", name="Download the report (CSV)").wait_for()
    page.screenshot(path=str(tmp_path / "tags.png"), full_page=True)
