"""Historical events in real Chromium, the way a marketer loads last year's orders: a European semicolon file
from Excel (Windows-1252, decimal commas) on the Test events page, the order id chosen as the unique id, the
load, the property types shown, and the per-row report downloaded (issue 20)."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import click_until, go_to, open_app, wait_for_idle


def _orders(run: str) -> bytes:
    text = "Bestellnummer;email;time;value;value_currency;Gesamt;Größe\n"
    text += f"{run}-1;zoë.{run}@example.de;2025-03-01T14:30:00+01:00;1.234,50;EUR;1.234,50;Maß\n"
    text += f"{run}-2;ben.{run}@example.de;2025-03-02T09:00:00+01:00;49,90;EUR;49,90;klein\n"
    return text.encode("cp1252")


def _load_once(page, path: Path) -> str:  # type: ignore[no-untyped-def]
    """Upload, pick the order id column, load; returns the success text."""
    page.locator("[data-testid=stFileUploaderDropzoneInput]").last.set_input_files(str(path))
    page.get_by_text("Unique id column", exact=False).first.wait_for()
    wait_for_idle(page)
    unique = page.locator(".st-key-events_hist_unique_column")
    box = unique.locator("input").first
    box.click()
    box.press_sequentially("Bestell")
    page.get_by_role("option", name="Bestellnummer", exact=True).click()
    expect(unique.locator("input").first).to_have_value("Bestellnummer", timeout=30_000)
    wait_for_idle(page)
    page.get_by_text("2 events, 2 with backfill", exact=False).first.wait_for()
    load = page.get_by_role("button", name="Load 2 events")
    accepted = page.get_by_text("2 events accepted", exact=False).first
    click_until(page, load, accepted, timeout_ms=60_000)
    return str(accepted.inner_text())


def test_a_semicolon_excel_file_of_orders_loads_with_its_report(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = uuid.uuid4().hex[:8]
    path = tmp_path / "bestellungen.csv"
    path.write_bytes(_orders(run))
    open_app(page, app_url)
    go_to(page, "Test events", "Request preview")
    page.get_by_text("Historical events from a CSV", exact=False).first.click()
    wait_for_idle(page)
    assert "2 events accepted in 1 job(s)" in _load_once(page, path)
    page.get_by_text("Property types", exact=False).first.click()
    page.get_by_text("Gesamt", exact=True).first.wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the per-row report").click()
    report = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert report == [["row", "status", "note"], ["1", "sent", ""], ["2", "sent", ""]]
    page.screenshot(path=str(tmp_path / "events-import.png"), full_page=True)
