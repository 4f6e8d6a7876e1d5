"""Bench the profile upload page against the CLI on the same file and print both figures; asserts nothing.

    python bench/profiles_page.py                 # 200,000 rows
    python bench/profiles_page.py --rows 50000

Why: the page calls the same core as the CLI, so it should cost about what the CLI costs (issue 13: within 2x).
The page runs in a real `streamlit run` driven by headless Chromium (Playwright, Debian's /usr/bin/chromium);
both sides import into their own embedded sandbox (the page's lives in the Streamlit process, the CLI's
`--sandbox` in the CLI's), so each pays for the sandbox the same way. Times are from the click to the result
on screen (the upload itself is not counted); the CLI is timed from start to exit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_profiles import generate  # the same 9-column file as the core bench

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, running_streamlit

RESULT = "[data-testid=stMetric]"


def cli_seconds(path: Path, home: Path, dry_run: bool) -> float:
    """`python -m klaviyo_core --sandbox profiles import FILE` from start to exit."""
    cmd = [sys.executable, "-m", "klaviyo_core", "--sandbox", "profiles", "import", str(path), "--quiet"]
    cmd += ["--dry-run"] if dry_run else []
    env = {**os.environ, "KLAVIYO_WORKBENCH_HOME": str(home)}
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"the CLI failed ({done.returncode}): {done.stderr[-2000:]}")
    return took


def _idle(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=900_000)


def page_seconds(path: Path, home: Path) -> tuple[float, float]:
    """(validate, import) seconds in the browser, each from the click to its result on screen."""
    from playwright.sync_api import sync_playwright

    home.mkdir(parents=True, exist_ok=True)
    env = {"KLAVIYO_WORKBENCH_HOME": str(home), "KLAVIYO_WORKBENCH_NO_DEMO": "1"}
    with running_streamlit("app.py", env, home) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(900_000)
        page.goto(url)
        page.get_by_text("Target:").first.wait_for()
        _idle(page)
        page.locator("[data-testid=stSidebarNav]").get_by_text("Profile upload").click()
        page.get_by_text("Customer CSV").first.wait_for()
        _idle(page)
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
        page.get_by_text("Map columns").first.wait_for()
        _idle(page)
        started = time.perf_counter()
        page.get_by_role("button", name="Validate (dry run: nothing is sent)").click()
        page.locator(RESULT).first.wait_for()
        _idle(page)
        validated = time.perf_counter() - started
        started = time.perf_counter()
        page.get_by_role("button", name="Import now").click()
        page.get_by_text("Done:", exact=False).first.wait_for()
        _idle(page)
        imported = time.perf_counter() - started
        browser.close()
    return validated, imported


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / f"customers_{args.rows}.csv"
        generate(path, args.rows)
        cli_dry = cli_seconds(path, work / "cli-home", dry_run=True)
        cli_import = cli_seconds(path, work / "cli-home", dry_run=False)
        page_dry, page_import = page_seconds(path, work / "page-home")
    print(f"{args.rows:,} rows x 9 columns, each side with its own embedded sandbox:")
    print(f"  validate (dry run): page {page_dry:6.2f} s, CLI {cli_dry:6.2f} s  -> {page_dry / cli_dry:.1f}x")
    ratio = page_import / cli_import
    print(f"  import:             page {page_import:6.2f} s, CLI {cli_import:6.2f} s  -> {ratio:.1f}x")


if __name__ == "__main__":
    main()
