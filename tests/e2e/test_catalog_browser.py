"""The Catalog page in real Chromium: upload a product CSV, see the plan, apply it, see the result (issue 19)."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import click_until, open_app, wait_for_idle


def test_upload_plan_apply(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sku = f"E2E-{uuid.uuid4().hex[:8]}"
    csv_text = f"external_id,title,description,url,price\n{sku},Browser Mug,Stoneware,https://shop.example.com/m,9\n"
    open_app(page, app_url)
    sidebar = page.locator("[data-testid=stSidebar]")
    click_until(page, sidebar.get_by_role("link", name="Catalog"), page.get_by_text("Product CSV").first)
    wait_for_idle(page)
    path = tmp_path / "products.csv"
    path.write_text(csv_text, encoding="utf-8")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    apply = page.get_by_role("button", name="Apply 1 change(s)")
    apply.wait_for()
    wait_for_idle(page)
    click_until(page, apply, page.get_by_text("1 done", exact=False).first, timeout_ms=60_000)
    page.get_by_role("button", name="Download the report (CSV)").wait_for()
    page.screenshot(path=str(tmp_path / "catalog.png"), full_page=True)
