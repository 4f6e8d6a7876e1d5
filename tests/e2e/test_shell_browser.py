"""Open the app in headless Chromium and see it connected to its sandbox."""

from __future__ import annotations

from tests.e2e.conftest import click_until, open_app


def test_app_opens_on_the_sandbox_and_connects(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    open_app(page, app_url)
    sidebar = page.locator("[data-testid=stSidebar]")
    assert "Sandbox" in sidebar.inner_text()
    click_until(
        page,
        sidebar.get_by_role("button", name="Test connection"),
        sidebar.get_by_text("Connected to", exact=False).first,
    )
    assert "Sandbox Store" in sidebar.inner_text()
    page.screenshot(path=str(tmp_path / "shell.png"), full_page=True)
