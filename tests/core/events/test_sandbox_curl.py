"""The app's sandbox key is exempt from masking on loopback and nowhere else, so the Test events curl runs as
shown against the app's sandbox (issue 18 item 4)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from klaviyo_core.events.model import build_event, preview
from klaviyo_core.http.redaction import redact_text, shown_key
from klaviyo_sandbox import KeySpec, SandboxServer

SANDBOX_KEY = "pk_sandbox_0123456789abcdef01234567"
REAL_SHAPED = "pk_test_full_access_0000000000000001"


def _target(key: str, base_url: str) -> SimpleNamespace:
    return SimpleNamespace(base_url=base_url, revision="2026-07-15", api_key=key, oauth_token=None)


@pytest.mark.parametrize(
    ("key", "base_url", "shown"),
    [
        (SANDBOX_KEY, "http://127.0.0.1:8765", True),
        (SANDBOX_KEY, "http://localhost:8765", True),
        (SANDBOX_KEY, "https://a.klaviyo.com", False),
        (SANDBOX_KEY, "https://127.0.0.1.example.com", False),
        (REAL_SHAPED, "http://127.0.0.1:8765", False),
    ],
)
def test_only_a_sandbox_key_on_loopback_is_shown(key: str, base_url: str, shown: bool) -> None:
    assert (shown_key(key, base_url) == key) is shown
    event = build_event("Checked Out", email="me@example.com")
    text = preview(event, _target(key, base_url)).curl()
    assert (key in text) is shown
    assert key not in redact_text(f"sent with {key}")  # logs and errors mask it everywhere


def test_the_curl_runs_as_shown(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=(KeySpec(SANDBOX_KEY),))
    event = build_event("Checked Out", email="curl.runs@example.com", unique_id="curl-as-shown-1")
    shown = preview(event, _target(SANDBOX_KEY, server.url))
    assert shown.inline_credential and shown.headers["Authorization"] == f"Klaviyo-API-Key {SANDBOX_KEY}"
    command = shown.curl() + " \\\n  -s -o /dev/null -w '%{http_code}'"
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"}
    )
    assert done.stdout == "202", done.stderr
