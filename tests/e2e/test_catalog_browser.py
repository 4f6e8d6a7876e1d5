"""The Catalog page in real Chromium: upload a product CSV, see the plan, apply it, see the result (issue 19)."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import click_until, drop_csv, go_to, open_app, wait_for_idle


def test_upload_plan_apply(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sku = f"E2E-{uuid.uuid4().hex[:8]}"
    csv_text = f"external_id,title,description,url,price\n{sku},Browser Mug,Stoneware,https://shop.example.com/m,9\n"
    open_app(page, app_url)
    go_to(page, "Catalog", "Product CSV")
    drop_csv(page, tmp_path / "products.csv", csv_text)
    apply = page.get_by_role("button", name="Apply 1 change(s)")
    apply.wait_for()
    wait_for_idle(page)
    click_until(page, apply, page.get_by_text("1 done", exact=False).first, timeout_ms=60_000)
    page.get_by_role("button", name="Download the report (CSV)").wait_for()
    page.screenshot(path=str(tmp_path / "catalog.png"), full_page=True)


def test_map_unknown_columns_then_apply(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A file of no known format: its columns are mapped in the browser, and the plan follows the choice made."""
    tag = uuid.uuid4().hex[:8]
    csv_text = (
        f"Article No,Product Name,Long Description,Web Address {tag},Retail Price\n"
        f"M-{tag}-1,Desk Lamp,Brass,https://shop.example.com/lamp,89\n"
        f"M-{tag}-2,Floor Lamp,Tall,https://shop.example.com/floor,149\n"
    )
    open_app(page, app_url)
    go_to(page, "Catalog", "Product CSV")
    drop_csv(page, tmp_path / "lamps.csv", csv_text)
    page.get_by_text("Choose a column for url", exact=False).first.wait_for()
    wait_for_idle(page)
    web_address = page.get_by_label("goes to").nth(3)  # the mapping's selectboxes, in the header's order
    click_until(page, web_address, page.get_by_role("option", name="url", exact=True))
    page.get_by_role("option", name="url", exact=True).click()
    apply = page.get_by_role("button", name="Apply 2 change(s)")
    apply.wait_for()
    wait_for_idle(page)
    click_until(page, apply, page.get_by_text("2 done", exact=False).first, timeout_ms=60_000)
    page.screenshot(path=str(tmp_path / "catalog-mapped.png"), full_page=True)
