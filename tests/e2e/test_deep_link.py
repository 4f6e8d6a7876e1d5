"""A page opened by its URL runs inside the router (sidebar target and switcher), not on its own."""

from __future__ import annotations

from tests.e2e.conftest import wait_for_idle


def test_deep_link_keeps_the_shell(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/keys")
    page.get_by_text("Target:").first.wait_for()
    wait_for_idle(page)
    nav = page.locator("[data-testid=stSidebarNav]").inner_text()
    assert "Profile upload" in nav and "profiles upload" not in nav  # our titles, not auto-discovered names
