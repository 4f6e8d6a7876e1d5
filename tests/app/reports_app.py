"""The Campaigns & flows page's AppTest start, shared by its campaigns, flows and segments tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from klaviyo_core.http.ratelimit import forget_limiters
from klaviyo_sandbox.seed import seed_demo
from tests.app.conftest import APP_PATH

PAGE = "klaviyo_app/app_pages/campaigns.py"


def reports_page(*, seed: bool = False) -> AppTest:
    """A new session on the page; with `seed`, the demo data first and fresh rate windows on both sides.

    Reports allow 2 calls a minute and the tests share the app's one sandbox, so each test starts with fresh
    windows (else the third call of a module waits out a minute, longer than AppTest's timeout)."""
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    if seed:
        from klaviyo_app.ui.sandbox import embedded_sandbox  # the cached one the app just started

        server = embedded_sandbox().server
        seed_demo(server.app.store)
        server.app.limiter.reset()
        forget_limiters()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at
