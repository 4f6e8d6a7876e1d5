"""Issue 18 in the browser, as a marketer walks it: make a list, import a small CSV into it on the profile
upload page, find one row's profile on "See what landed", see it among the list's members on "Lists &
segments", export the list on "Audience export" and check the downloaded file."""

from __future__ import annotations

import csv
import re
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import click_until, open_app, validate_then_import, wait_for_idle


def _go(page, title: str, marker: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("[data-testid=stSidebarNav]").get_by_text(title, exact=True).click()
    page.get_by_text(marker).first.wait_for()
    wait_for_idle(page)


def _choose(page, key: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the option starting with `name` (labels are "NAME (ID)") in the selectbox whose widget key is `key`,
    and wait until it shows."""
    box = page.locator(f".st-key-{key} input").first
    box.click()
    box.fill(name)  # a selectbox filters its options as one types, and typing opens its menu
    page.get_by_role("option", name=re.compile("^" + re.escape(name))).first.click()
    expect(box).to_have_value(re.compile("^" + re.escape(name)), timeout=30_000)
    wait_for_idle(page)


def _fill(page, label: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = page.get_by_label(label)
    field.fill(text)
    field.press("Enter")
    wait_for_idle(page)


def test_import_then_see_what_landed(page, app_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    list_name = f"Walk {tag}"
    emails = [f"walk{i}.{tag}@example.com" for i in range(3)]
    source = tmp_path / "walk.csv"
    source.write_text("Email,First Name\n" + "".join(f"{e},Walker{i}\n" for i, e in enumerate(emails)))
    main = page.locator("[data-testid=stMain]")
    open_app(page, app_url)

    # 1. a new list, on Lists & segments
    _go(page, "Lists & segments", "Create a list")
    _fill(page, "List name", list_name)
    click_until(page, page.get_by_role("button", name="Create list"), page.get_by_text("Created the list").first)
    wait_for_idle(page)

    # 2. the CSV into that list, on Profile upload
    _go(page, "Profile upload", "Customer CSV")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(source))
    page.get_by_text("Map columns").first.wait_for()
    wait_for_idle(page)
    _choose(page, "profiles_list_pick", list_name)
    validate_then_import(page)
    wait_for_idle(page)
    expect(main).to_contain_text("3 of 3 rows imported", timeout=60_000)

    # 3. one row's profile, on See what landed
    _go(page, "See what landed", "Email, phone or profile id")
    _fill(page, "Email, phone or profile id", emails[1])
    click_until(page, page.get_by_role("button", name="Look up"), page.get_by_text("Walker1", exact=False).first)
    wait_for_idle(page)
    expect(main).to_contain_text(list_name, timeout=30_000)  # its lists

    # 4. among the list's members, on Lists & segments
    _go(page, "Lists & segments", "Create a list")
    _choose(page, "ls_pick", list_name)
    expect(main).to_contain_text("3 members", timeout=30_000)
    _fill(page, "Search by whole email or phone (+country code)", emails[1])
    expect(main).to_contain_text(f"{emails[1]} is a member", timeout=30_000)

    # 5. the list exported, on Audience export
    _go(page, "Audience export", "Hashes for an ad platform")
    _choose(page, "ae_audience", list_name)
    click_until(page, page.get_by_role("button", name="Export"), page.get_by_role("button", name="Download CSV"))
    wait_for_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(str(saved))
    rows = list(csv.DictReader(saved.open(encoding="utf-8")))
    assert sorted(r["email"] for r in rows) == sorted(emails)
