"""The profile upload, as a marketer does it in the browser: upload, validate, import, see the outcome."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import click_until, open_app, wait_for_idle

CSV = (
    "Email Address,First Name,Mobile,Zip\n"
    "ana@example.com,Ana,,02110\n"
    "not-an-email,Bob,,\n"
    "chen@example.com,Chen,,10001\n"
)


def test_upload_validate_import(page, app_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "customers.csv"
    source.write_text(CSV)
    open_app(page, app_url)
    page.locator("[data-testid=stSidebarNav]").get_by_text("Profile upload").click()
    page.get_by_text("Customer CSV").first.wait_for()
    wait_for_idle(page)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(source))
    page.get_by_text("Map columns").first.wait_for()
    wait_for_idle(page)
    click_until(
        page,
        page.get_by_role("button", name="Validate (dry run: nothing is sent)"),
        page.get_by_role("button", name="Import now").and_(page.locator(":not([disabled])")),
    )
    wait_for_idle(page)
    click_until(page, page.get_by_role("button", name="Import now"), page.get_by_text("Done:", exact=False).first)
    assert "2 of 3 rows imported" in page.locator("[data-testid=stMain]").inner_text()
    page.screenshot(path=str(tmp_path / "profiles.png"), full_page=True)
