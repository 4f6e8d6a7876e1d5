"""A one-page app for the browser test of the LIVE guard: the test-events page with a fake LIVE target.

The target is LIVE by its flag but points at the test's own sandbox (EVENTS_E2E_URL / EVENTS_E2E_KEY), so
the test can count exactly which requests arrived. Run by tests/e2e/test_events_live_guard.py only.
"""

from __future__ import annotations

import os
import runpy
from dataclasses import dataclass
from pathlib import Path

import klaviyo_app.ui.accounts
import klaviyo_app.ui.client
from klaviyo_core import ClientConfig, KlaviyoClient


@dataclass(frozen=True)
class LiveTarget:
    name: str
    base_url: str
    api_key: str
    live: bool = True


target = LiveTarget("Acme Store", os.environ["EVENTS_E2E_URL"], os.environ["EVENTS_E2E_KEY"])
client = KlaviyoClient(ClientConfig(api_key=target.api_key, base_url=target.base_url))
klaviyo_app.ui.accounts.active_target = lambda: target  # type: ignore[assignment, return-value]
klaviyo_app.ui.client.get_client = lambda: client  # type: ignore[assignment]
runpy.run_path(
    str(Path(__file__).resolve().parents[2] / "klaviyo_app" / "app_pages" / "test_events.py"), run_name="__main__"
)
