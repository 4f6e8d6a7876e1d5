"""Admin routes: off in the app's embedded sandbox; when on, a token and a loopback Host/Origin (issue 14.8)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, ADMIN_TOKEN
from tests.sandbox.engine.helpers import call

ROOT = Path(__file__).resolve().parents[3]


def _list_count(sb: SandboxServer) -> int:
    return len(call(sb.url, "GET", "/api/lists").json()["data"])


def _make_list(sb: SandboxServer) -> None:
    body = {"data": {"type": "list", "attributes": {"name": "Keep me"}}}
    assert call(sb.url, "POST", "/api/lists", body).status_code == 201


@pytest.mark.parametrize("headers", [{}, {"X-Sandbox-Admin-Token": "wrong"}, {"X-Sandbox-Admin-Token": ""}])
def test_admin_needs_the_token(sandbox: SandboxServer, headers: dict[str, str]) -> None:
    _make_list(sandbox)
    resp = requests.post(sandbox.url + "/__sandbox/reset", headers=headers, timeout=5)
    assert resp.status_code == 403 and "admin token" in resp.json()["errors"][0]["detail"]
    assert _list_count(sandbox) == 1


def test_admin_with_the_token_works(sandbox: SandboxServer) -> None:
    _make_list(sandbox)
    assert requests.post(sandbox.url + "/__sandbox/reset", headers=ADMIN_HEADERS, timeout=5).status_code == 200
    assert _list_count(sandbox) == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"Host": "evil.example"},
        {"Host": "sandbox.attacker.example:8765"},
        {"Origin": "http://evil.example"},
        {"Origin": "https://a.klaviyo.com.evil.example"},
    ],
)
def test_a_cross_site_simple_post_is_refused(sandbox: SandboxServer, extra: dict[str, str]) -> None:
    """What a hostile page (or a DNS-rebound name) can send: a text/plain POST; even with the token it fails."""
    _make_list(sandbox)
    headers = {"Content-Type": "text/plain", **ADMIN_HEADERS, **extra}
    resp = requests.post(sandbox.url + "/__sandbox/reset", data="x", headers=headers, timeout=5)
    assert resp.status_code == 403
    assert _list_count(sandbox) == 1


def test_loopback_origin_is_fine(sandbox: SandboxServer) -> None:
    headers = {**ADMIN_HEADERS, "Origin": "http://localhost:8501"}
    assert requests.get(sandbox.url + "/__sandbox/faults", headers=headers, timeout=5).status_code == 200


def test_a_generated_token_when_none_is_given(sandbox_factory: Callable[..., SandboxServer]) -> None:
    sb = sandbox_factory(admin_token=None)
    assert sb.admin_token and sb.admin_token != ADMIN_TOKEN and len(sb.admin_token) >= 24
    assert requests.get(sb.url + "/__sandbox/faults", headers=ADMIN_HEADERS, timeout=5).status_code == 403
    assert requests.get(sb.url + "/__sandbox/faults", headers=sb.admin_headers, timeout=5).status_code == 200
    assert sb.admin_token not in repr(sb.config)


def test_the_embedded_sandbox_has_no_admin_routes(tmp_path: Path) -> None:
    code = (
        "import requests\n"
        "from klaviyo_app.ui.sandbox import embedded_sandbox\n"
        "sb = embedded_sandbox()\n"
        "r = requests.post(sb.url + '/__sandbox/reset', headers=sb.server.admin_headers, timeout=5)\n"
        "print(r.status_code, sb.server.admin_token)\n"
        "sb.server.stop()\n"
    )
    env = {"KLAVIYO_WORKBENCH_HOME": str(tmp_path), "KLAVIYO_WORKBENCH_NO_DEMO": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split()[-2:] == ["404", "None"], out.stdout + out.stderr
