"""The Catalog page in real Chromium: upload a product CSV, see the plan, apply it, see the result (issue 19)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

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


def _shopify_export(tag: str) -> str:
    head = (
        "Handle,Title,Body (HTML),Type,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,"
        "Variant Inventory Policy,Variant Price,Image Src,Status\n"
    )
    return head + (
        f'shirt-{tag},Walk Shirt,"<p>Cotton, blue</p>",Shirts {tag},TRUE,Size,S,{tag}-S,4,deny,42.00,'
        "https://cdn.example.com/shirt.jpg,active\n"
        f"shirt-{tag},,,,,,M,{tag}-M,0,continue,42.00,,\n"
        f"mug-{tag},Walk Mug,Stoneware,Kitchen {tag},TRUE,Title,Default Title,{tag}-MUG,9,deny,12.50,,active\n"
    )


def test_shopify_export_with_variants_plan_apply_report(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A Shopify export (one row per variant): the plan counts items and variants, apply writes both (and the
    Type categories), the report downloads, and planning the same file again finds nothing to change."""
    tag = uuid.uuid4().hex[:8]
    open_app(page, app_url)
    sidebar = page.locator("[data-testid=stSidebar]")
    click_until(page, sidebar.get_by_role("link", name="Catalog"), page.get_by_text("Product CSV").first)
    wait_for_idle(page)
    store = page.get_by_label("Store address (Shopify and WooCommerce exports)")
    store.fill("https://shop.example.com")
    store.press("Enter")
    wait_for_idle(page)
    path = tmp_path / "products_export.csv"
    path.write_text(_shopify_export(tag), encoding="utf-8")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path))
    page.get_by_text("Read as a Shopify product export: 2 product(s) and 3 variant(s).").wait_for()
    page.get_by_text("variants create").first.wait_for()
    page.get_by_text(f"New categories: Shirts {tag}, Kitchen {tag}").wait_for()
    apply = page.get_by_role("button", name="Apply 7 change(s)")  # 2 items, 3 variants, 2 categories
    apply.wait_for()
    wait_for_idle(page)
    click_until(page, apply, page.get_by_text(re.compile(r"\d+ done, 0 failed")).first, timeout_ms=60_000)
    page.get_by_role("button", name="Download the report (CSV)").wait_for()
    page.screenshot(path=str(tmp_path / "catalog-variants.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report (CSV)").click()
    report = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert sorted((r["kind"], r["external_id"], r["status"]) for r in report) == [
        ("item", f"mug-{tag}", "done"),
        ("item", f"shirt-{tag}", "done"),
        ("variant", f"{tag}-M", "done"),
        ("variant", f"{tag}-MUG", "done"),
        ("variant", f"{tag}-S", "done"),
    ]
    wait_for_idle(page)
    replan = page.get_by_role("button", name="Plan again (reads only)")
    click_until(page, replan, page.get_by_text("Nothing to change: the catalog already matches this file."))
