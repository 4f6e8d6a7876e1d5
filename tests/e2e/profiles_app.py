"""A one-page app for the browser test of Stop and resume: the profile upload page on the test's own sandbox.

The target is the sandbox the test started (PROFILES_E2E_URL / PROFILES_E2E_KEY, not LIVE), so the test can
slow its bulk-import route down (admin faults) and press Stop while a job is in flight. Run by
tests/e2e/test_profiles_browser.py only.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import klaviyo_app.ui.accounts
import klaviyo_app.ui.client
from klaviyo_core import ClientConfig, KlaviyoClient

target = klaviyo_app.ui.accounts.Target("Test sandbox", os.environ["PROFILES_E2E_URL"], os.environ["PROFILES_E2E_KEY"])
client = KlaviyoClient(ClientConfig(api_key=target.api_key, base_url=target.base_url))
klaviyo_app.ui.accounts.active_target = lambda: target  # type: ignore[assignment]
klaviyo_app.ui.client.get_client = lambda: client  # type: ignore[assignment]
runpy.run_path(
    str(Path(__file__).resolve().parents[2] / "klaviyo_app" / "app_pages" / "profiles_upload.py"), run_name="__main__"
)
