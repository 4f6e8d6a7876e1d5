"""The profile upload, as a marketer does it in the browser: upload, validate, import, see the outcome."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY
from tests.e2e.conftest import ROOT, click_until, open_app, running_streamlit, validate_then_import, wait_for_idle

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
    validate_then_import(page)
    assert "2 of 3 rows imported" in page.locator("[data-testid=stMain]").inner_text()
    page.screenshot(path=str(tmp_path / "profiles.png"), full_page=True)


SHOP_A = "E-mail,First Name,City\nann@example.com,Ann,Paris\nnot-an-email,Bob,Rome\n"
SHOP_B = "Phone Number,First Name,City,E-mail\n+14155550100,Bo,Lyon,bo@example.com\n,Cy,Nice,bad@\n"


def _mapping_widget(page, column: str):  # type: ignore[no-untyped-def]
    """The mapping selectbox of a column; its key names the file and the column (CSS class st-key-<key>)."""
    return page.locator(
        f"[class*='st-key-profiles_map_'][class*='_{column} '], [class*='st-key-profiles_map_'][class$='_{column}']"
    )


def _shown(widget) -> str:  # type: ignore[no-untyped-def]
    """The option a selectbox shows (its combobox input's value)."""
    return str(widget.locator("input").first.input_value())


def _expect_shown(widget, option: str) -> None:  # type: ignore[no-untyped-def]
    """Wait (up to 30 s) until the selectbox shows `option`: a rerun may still be redrawing it."""
    expect(widget.locator("input").first).to_have_value(option, timeout=30_000)


def _choose(page, widget, option: str) -> None:  # type: ignore[no-untyped-def]
    widget.locator("input").first.click()
    page.get_by_role("option", name=option, exact=True).click()
    _expect_shown(widget, option)
    wait_for_idle(page)


def _upload(page, path: Path, columns: int, attempts: int = 3) -> None:  # type: ignore[no-untyped-def]
    """Upload and wait for this file's preview (not the last one's); like a click, an upload landing while
    Streamlit finishes a rerun is occasionally dropped, and a person would upload again."""
    dropzone = page.locator("[data-testid=stFileUploaderDropzoneInput]")
    for attempt in range(attempts):
        wait_for_idle(page)
        if attempt:  # a dropped upload leaves the input holding this file: clear it so setting it again is a change
            dropzone.set_input_files([])
            wait_for_idle(page)
        dropzone.set_input_files(str(path))
        try:
            page.get_by_text(f"· {columns} columns", exact=False).first.wait_for(timeout=20_000)
            break
        except Exception:
            if attempt == attempts - 1:
                raise
    wait_for_idle(page)


def test_two_files_a_saved_mapping_and_a_download_in_one_session(page, app_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 items 1 and 7 as a marketer meets them: what the widgets show is what is sent; a download
    keeps the results on screen; a finished import is not left armed."""
    (tmp_path / "shop a.csv").write_text(SHOP_A)
    (tmp_path / "shop b.csv").write_text(SHOP_B)
    open_app(page, app_url)
    page.locator("[data-testid=stSidebarNav]").get_by_text("Profile upload").click()
    page.get_by_text("Customer CSV").first.wait_for()
    wait_for_idle(page)
    _upload(page, tmp_path / "shop a.csv", 3)
    _choose(page, _mapping_widget(page, "City"), "ignore")
    page.get_by_label("Save this mapping as").fill("no city e2e")
    page.get_by_label("Save this mapping as").press("Enter")
    wait_for_idle(page)
    click_until(page, page.get_by_role("button", name="Save mapping"), page.get_by_text("Saved mapping", exact=False))
    wait_for_idle(page)

    _upload(page, tmp_path / "shop b.csv", 4)
    assert _shown(_mapping_widget(page, "City")) not in ("", "ignore")  # the new file's own suggestion
    assert _shown(_mapping_widget(page, "E-mail")) == "email"
    _choose(page, page.locator("[class*='st-key-profiles_saved_mapping']"), "no city e2e")
    _expect_shown(_mapping_widget(page, "City"), "ignore")  # the saved mapping is on screen

    main = page.locator("[data-testid=stMain]")
    click_until(
        page,
        page.get_by_role("button", name="Validate (dry run: nothing is sent)"),
        page.get_by_role("button", name="Download full report"),
    )
    wait_for_idle(page)
    page.get_by_text("Exact JSON of the first job", exact=False).click()
    job = page.locator("[data-testid=stCode]").first.inner_text()
    assert "bo@example.com" in job and "Lyon" not in job  # ...and it is what the job holds

    with page.expect_download() as download:
        page.get_by_role("button", name="Download full report").click()
    assert download.value.suggested_filename == "report.csv"
    wait_for_idle(page)
    assert page.get_by_role("button", name="Download problem rows").is_visible()  # still there after a download
    assert "Top problems" in main.inner_text()

    click_until(page, page.get_by_role("button", name="Import now"), page.get_by_text("Done:", exact=False).first)
    wait_for_idle(page)
    assert "1 of 2 rows imported" in main.inner_text()
    assert page.get_by_role("button", name="Import now").is_disabled()  # not armed for a second import


@pytest.fixture
def profiles_app(sandbox: SandboxServer, tmp_path: Path) -> Iterator[str]:
    """The profile page alone, on this test's sandbox (so the test can slow its bulk-import route down)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PYTHONPATH": str(ROOT),
        "KLAVIYO_WORKBENCH_HOME": str(home),
        "PROFILES_E2E_URL": sandbox.url,
        "PROFILES_E2E_KEY": FULL_KEY,
    }
    with running_streamlit(str(Path(__file__).with_name("profiles_app.py")), env, tmp_path) as url:
        yield url


def test_stop_then_resume_in_the_browser(page, profiles_app: str, sandbox: SandboxServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 items 7 and 8: Stop while a job is in flight leaves a resumable import; the banner names the
    file and its list, Resume finishes it, and the banner is gone once it has."""
    source = tmp_path / "stop me.csv"
    source.write_text("email\n" + "".join(f"stop{i}@example.com\n" for i in range(10_001)))  # two jobs
    page.goto(profiles_app)
    page.get_by_text("Customer CSV").first.wait_for()
    _upload(page, source, 1)
    click_until(
        page,
        page.get_by_role("button", name="Validate (dry run: nothing is sent)"),
        page.get_by_role("button", name="Download full report"),
    )
    wait_for_idle(page)
    faults = sandbox.url + "/__sandbox/faults"
    fault: dict[str, int | list[str]] = {"latency_ms": 3000, "paths": ["/api/profile-bulk-import-jobs"]}
    requests.put(faults, json=fault, headers=ADMIN_HEADERS, timeout=5).raise_for_status()
    try:
        stop = page.get_by_role("button", name="Stop", exact=True)  # not "Remove stop me.csv"
        click_until(page, page.get_by_role("button", name="Import now"), stop)
        stopping = page.get_by_text("Stopping:", exact=False).or_(page.get_by_text("The import was stopped"))
        click_until(page, stop, stopping.first)  # the fragment redraws it every second
        page.get_by_text("The import was stopped", exact=False).first.wait_for()
    finally:
        requests.delete(faults, headers=ADMIN_HEADERS, timeout=5)
    banner = page.get_by_text("An import of stop me.csv (no list) did not finish", exact=False)
    banner.first.wait_for()
    click_until(page, page.get_by_role("button", name="Resume it"), page.get_by_text("Done:", exact=False).first)
    wait_for_idle(page)
    assert "10,001 of 10,001 rows imported" in page.locator("[data-testid=stMain]").inner_text()
    assert banner.count() == 0  # finished: no banner any more


SHOPIFY = ROOT / "tests" / "data" / "exports" / "shopify_customers_export.csv"


def test_a_shopify_export_subscribes_only_the_rows_that_said_yes(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 item 2 in the browser: the consent column is suggested, and the page says, before and after the
    import, how many rows the email tick subscribes (the rows whose 'Accepts Email Marketing' says yes)."""
    note = "3 of 6 rows will be subscribed to email (column 'Accepts Email Marketing' says yes)."
    open_app(page, app_url)
    page.locator("[data-testid=stSidebarNav]").get_by_text("Profile upload").click()
    page.get_by_text("Customer CSV").first.wait_for()
    _upload(page, SHOPIFY, 20)
    mapped = page.get_by_role("combobox", name="to")
    expect(mapped.and_(page.locator("[value='consent.email']"))).to_have_count(1, timeout=30_000)  # suggested
    subscribe = page.locator("[class*='st-key-profiles_subscribe']")
    wait_for_idle(page)
    email = page.get_by_role("option", name="email", exact=True)
    click_until(page, subscribe.locator("input").first, email)  # the first click may land during a rerun
    email.click()
    wait_for_idle(page)
    consent = page.locator("[class*='st-key-profiles_consent']").get_by_text("explicit consent", exact=False)
    consent.wait_for(timeout=30_000)  # drawn once the rerun that took the channel is over
    consent.click()
    wait_for_idle(page)
    main = page.locator("[data-testid=stMain]")
    validate = page.get_by_role("button", name="Validate (dry run: nothing is sent)")
    click_until(page, validate, main.get_by_text(note).first, timeout_ms=30_000)
    wait_for_idle(page)
    done = page.get_by_text("Done:", exact=False).first
    click_until(page, page.get_by_role("button", name="Import now"), done, timeout_ms=30_000)
    wait_for_idle(page)
    expect(main).to_contain_text("6 of 6 rows imported", timeout=30_000)
    expect(main).to_contain_text(note, timeout=30_000)
