"""In a real browser: validate on the sandbox, switch the sidebar to a LIVE-marked account, "Import now":
the page asks for the account's name and sends nothing before it (issue 14, item 2).

The LIVE account is the test's own loopback sandbox, marked LIVE by the user's setting (KLAVIYO_LIVE=1 for
the environment key), so every request that arrives can be counted; never a real host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from klaviyo_core.accounts import ENV_ACCOUNT_NAME
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.e2e.conftest import ROOT, click_until, open_app, running_streamlit, wait_for_idle

CSV = "Email Address,First Name\nana@example.com,Ana\nchen@example.com,Chen\n"


@pytest.fixture
def app_with_live_account(sandbox: SandboxServer, tmp_path: Path) -> Iterator[str]:
    env = {
        "PYTHONPATH": str(ROOT),
        "KLAVIYO_WORKBENCH_HOME": str(tmp_path / "home"),
        "KLAVIYO_WORKBENCH_NO_DEMO": "1",
        "KLAVIYO_API_KEY": FULL_KEY,
        "KLAVIYO_BASE_URL": sandbox.url,
        "KLAVIYO_LIVE": "1",
    }
    with running_streamlit("app.py", env, tmp_path) as url:
        yield url


def writes(sandbox: SandboxServer) -> list[str]:
    return [r["path"] for r in sandbox.app.log if r["method"] == "POST"]


def test_import_now_on_live_asks_for_the_account_name_first(  # type: ignore[no-untyped-def]
    page, app_with_live_account: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "customers.csv"
    source.write_text(CSV)
    open_app(page, app_with_live_account)
    page.locator("[data-testid=stSidebarNav]").get_by_text("Profile upload").click()
    page.get_by_text("Customer CSV").first.wait_for()
    wait_for_idle(page)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(source))
    page.get_by_text("Map columns").first.wait_for()
    wait_for_idle(page)
    import_now = page.get_by_role("button", name="Import now").and_(page.locator(":not([disabled])"))
    click_until(page, page.get_by_role("button", name="Validate (dry run: nothing is sent)"), import_now)
    wait_for_idle(page)

    sidebar = page.locator("[data-testid=stSidebar]")
    live_option = page.get_by_role("option", name=f"{ENV_ACCOUNT_NAME} (LIVE)", exact=False)
    click_until(page, sidebar.locator("[data-testid=stSelectbox]").first, live_option)
    live_option.click()
    sidebar.get_by_text("LIVE account: changes reach real customers.").wait_for()
    wait_for_idle(page)

    asked = page.get_by_text(f"Type the account name '{ENV_ACCOUNT_NAME}' to confirm", exact=False).first
    click_until(page, page.get_by_role("button", name="Import now"), asked)
    wait_for_idle(page)
    main = page.locator("[data-testid=stMain]").inner_text()
    assert "import 2 profiles from" in main and sandbox.config.account_id in main
    assert page.get_by_role("button", name=f"Import to LIVE account '{ENV_ACCOUNT_NAME}'").is_disabled()
    assert writes(sandbox) == []  # nothing sent before the name is typed
    page.screenshot(path=str(tmp_path / "live-confirm.png"), full_page=True)
