"""`python -m klaviyo_core profiles get EMAIL|PHONE|ID` against a real sandbox (CliRunner, in process)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.cli.profile_get import plain
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.sandbox.engine.helpers import call


@pytest.fixture
def run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--base-url", sandbox.url, "profiles", "get", *args])

    return invoke


def _profile(sandbox: SandboxServer, attributes: dict[str, Any]) -> str:
    body = {"data": {"type": "profile", "attributes": attributes}}
    resp = call(sandbox.url, "POST", "/api/profiles", body)
    return str(resp.json()["data"]["id"])


def test_get_prints_identifiers_properties_consent_lists(sandbox: SandboxServer, run) -> None:  # type: ignore[no-untyped-def]
    pid = _profile(sandbox, {"email": "sarah@example.com", "first_name": "Sarah", "properties": {"tier": "gold"}})
    lid = call(sandbox.url, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": "Newsletter"}}})
    list_id = lid.json()["data"]["id"]
    rel = {"data": [{"type": "profile", "id": pid}]}
    call(sandbox.url, "POST", f"/api/lists/{list_id}/relationships/profiles", rel)
    result = run("sarah@example.com")
    assert result.exit_code == 0, result.output
    assert f"Profile {pid} (Sarah)" in result.output and "  email: sarah@example.com" in result.output
    assert "  tier: gold" in result.output
    assert "  email marketing: NEVER_SUBSCRIBED, cannot receive" in result.output
    assert f"Lists: Newsletter ({list_id})" in result.output and "Latest events: none" in result.output
    assert FULL_KEY not in result.output


def test_get_unknown_profile_exits_1_with_a_hint(run) -> None:  # type: ignore[no-untyped-def]
    result = run("+15555550199")
    assert result.exit_code == 1
    assert "No profile has '+15555550199'" in result.output and "+country code" in result.output


def test_get_refuses_an_identifier_it_cannot_send(run) -> None:  # type: ignore[no-untyped-def]
    result = run('x"@example.com')
    assert result.exit_code == 2 and "double quote" in result.output


def test_get_escapes_control_characters_from_the_account(sandbox: SandboxServer, run) -> None:  # type: ignore[no-untyped-def]
    _profile(sandbox, {"email": "evil@example.com", "properties": {"note": "a\x1b[2Jb"}})
    result = run("evil@example.com")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "a\\u001b[2Jb" in result.output


def test_plain_escapes_format_characters() -> None:
    assert plain("ok\u202etxt") == "ok\\u202etxt" and plain({"n": 1}) == '{"n": 1}'
