"""The whole app in a real headless Chromium: `streamlit run` on a free port, driven by Playwright.

Debian's /usr/bin/chromium is used (Playwright's own browser download is impossible here). Tests in this
folder share one app server per worker (xdist_group "e2e") and skip with a reason where chromium is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.xdist_group("e2e"))
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def running_streamlit(script: str, env: dict[str, str], log_dir: Path) -> Iterator[str]:
    """`streamlit run SCRIPT` on a free port until the block ends; yields its URL once it answers."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    port = _free_port()
    log_path = log_dir / "streamlit.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return requests.get(f"{url}/_stcore/health", timeout=1).status_code == 200
        except requests.RequestException:
            return proc.poll() is not None  # stop waiting if it died

    try:
        wait_until(healthy, 60, "streamlit to answer /_stcore/health")
        assert proc.poll() is None, log_path.read_text()
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("e2e-home")
    env = {"KLAVIYO_WORKBENCH_HOME": str(home), "KLAVIYO_WORKBENCH_NO_DEMO": "0"}
    with running_streamlit("app.py", env, home) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def wait_for_idle(page) -> None:  # type: ignore[no-untyped-def]
    """Streamlit has finished running the script (the page is fully rendered)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)


def open_app(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Load a page and wait until Streamlit has rendered it and settled (its first runs are over)."""
    page.goto(url)
    page.get_by_text("Target:").first.wait_for()
    wait_for_idle(page)


def click_until(page, locator, expected, attempts: int = 3, timeout_ms: int = 15_000) -> None:  # type: ignore[no-untyped-def]
    """Click and wait for `expected` (a locator) to appear.

    Right after a page loads, Streamlit may still be finishing a rerun it started itself, and a click landing
    then is occasionally dropped by the frontend; clicking again is what a person would do too.
    """
    for attempt in range(attempts):
        locator.click()
        try:
            expected.wait_for(timeout=timeout_ms)
            return
        except Exception:
            if attempt == attempts - 1:
                raise


def go_to(page, link: str, landmark: str) -> None:  # type: ignore[no-untyped-def]
    """Click the sidebar's link to a page until its `landmark` text shows, then let the page settle."""
    sidebar = page.locator("[data-testid=stSidebar]")
    click_until(page, sidebar.get_by_role("link", name=link), page.get_by_text(landmark).first)
    wait_for_idle(page)


def drop_csv(page, path: Path, text: str) -> None:  # type: ignore[no-untyped-def]
    """Write `text` to `path` and give that file to the page's first file uploader, as a person drops it (the
    Catalog page has a second one, for an optional variants file)."""
    path.write_text(text, encoding="utf-8")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path))


def validate_then_import(page) -> None:  # type: ignore[no-untyped-def]
    """On Profile upload with a file mapped: validate (which unlocks Import now), then import until it is done."""
    click_until(
        page,
        page.get_by_role("button", name="Validate (dry run: nothing is sent)"),
        page.get_by_role("button", name="Import now").and_(page.locator(":not([disabled])")),
    )
    wait_for_idle(page)
    click_until(page, page.get_by_role("button", name="Import now"), page.get_by_text("Done:", exact=False).first)
