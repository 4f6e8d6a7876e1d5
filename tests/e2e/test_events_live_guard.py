"""In a real browser: a LIVE send stays impossible until the account name is typed exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.e2e.conftest import ROOT, click_until, running_streamlit, wait_for_idle


@pytest.fixture
def live_app(sandbox: SandboxServer, tmp_path: Path) -> Iterator[str]:
    env = {
        "PYTHONPATH": str(ROOT),
        "KLAVIYO_WORKBENCH_HOME": str(tmp_path),
        "EVENTS_E2E_URL": sandbox.url,
        "EVENTS_E2E_KEY": FULL_KEY,
    }
    with running_streamlit(str(Path(__file__).with_name("events_live_app.py")), env, tmp_path) as url:
        yield url


def posts(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.app.log if r["path"] == "/api/events" and r["method"] == "POST")


def type_into(page, label: str, text: str, expected=None) -> None:  # type: ignore[no-untyped-def]
    """Type and commit; when `expected` (a locator) is given, retype until it shows (a keystroke landing
    during a rerun Streamlit started itself is occasionally dropped, as tests/e2e/conftest.py notes)."""
    for attempt in range(3):
        box = page.get_by_label(label, exact=True)
        box.fill(text)
        box.press("Enter")
        wait_for_idle(page)
        if expected is None:
            return
        try:
            expected.wait_for(timeout=15_000)
            return
        except Exception:
            if attempt == 2:
                raise


def test_live_send_needs_the_typed_account_name(page, live_app: str, sandbox: SandboxServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_app)
    page.get_by_text("Request preview").first.wait_for()
    wait_for_idle(page)
    type_into(
        page, "Profile", "customer@acme.com", page.get_by_text("will run for customer@acme.com", exact=False).first
    )
    assert page.get_by_text("customer+klaviyo-test@acme.com", exact=False).count() >= 1
    send = page.get_by_role("button", name="Send to LIVE account 'Acme Store'")
    assert send.is_disabled()
    confirm_box = page.get_by_label("Type the account name to confirm", exact=True).bounding_box()
    button_box, preview_box = send.bounding_box(), page.get_by_text("Request preview").first.bounding_box()
    assert confirm_box and button_box and preview_box
    assert 0 < button_box["y"] - confirm_box["y"] < 150  # the box sits right above its button...
    assert button_box["y"] < preview_box["y"]  # ...both above the tall JSON preview, not 1,800 px down
    type_into(page, "Type the account name to confirm", "acme store")
    assert send.is_disabled()
    assert posts(sandbox) == 0
    enabled = page.locator("button:not([disabled])", has_text="Send to LIVE account 'Acme Store'")
    type_into(page, "Type the account name to confirm", "Acme Store", enabled)
    click_until(page, enabled, page.get_by_text("Accepted", exact=False).first)
    assert posts(sandbox) == 1
