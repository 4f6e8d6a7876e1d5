"""The Consent page in real Chromium: upload people, see the plan (counts, a row left out with why), apply it,
see the result and the report download (issue 20)."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import click_until, drop_csv, go_to, open_app, wait_for_idle


def test_upload_plan_apply(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:8]
    csv_text = f"email\nbrowser-{tag}@example.com\nnot-an-email-{tag}\n"
    open_app(page, app_url)
    go_to(page, "Consent", "Consent CSV")
    drop_csv(page, tmp_path / "people.csv", csv_text)
    page.get_by_text("Left out, and why").wait_for()
    page.get_by_text("Subscribing lifts email suppressions", exact=False).first.wait_for()
    apply = page.get_by_role("button", name="Apply: subscribe 1 email")
    apply.wait_for()
    wait_for_idle(page)
    click_until(page, apply, page.get_by_text("1 sent", exact=False).first, timeout_ms=60_000)
    page.get_by_role("button", name="Download the report (CSV)").wait_for()
    page.screenshot(path=str(tmp_path / "consent.png"), full_page=True)
