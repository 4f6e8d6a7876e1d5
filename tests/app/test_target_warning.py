"""The page side of the target rule (issue 14.6): http off loopback is refused, a look-alike host is warned about."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.accounts.store import SANDBOX, AccountStore
from tests.app.conftest import APP_PATH
from tests.memory_keyring import MemoryKeyring, memory_keyring, wb_home

__all__ = ["memory_keyring", "wb_home"]

KEY = "pk_test_page_target_rule_000000000a1b2"
PAGE = str(Path(__file__).resolve().parents[2] / "klaviyo_app" / "app_pages" / "keys.py")


def test_cleartext_base_url_is_refused_before_any_call(memory_keyring: MemoryKeyring) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.run()
    at.text_input(key="keys.add.name").input("Acme")
    at.text_input(key="keys.add.key").input(KEY)
    at.text_input(key="keys.add.base_url").input("http://198.51.100.7")
    at.button(key="FormSubmitter:keys.add-Test and save").click().run()
    assert not at.exception, at.exception
    assert "https is required" in at.error[0].value
    assert AccountStore().names() == [SANDBOX] and memory_keyring.entries == {}


def test_look_alike_host_is_warned_in_the_sidebar(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Acme", KEY, base_url="https://a.klaviyo.com.evil.example")
    store.set_active("Acme")
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.sidebar.warning]
    assert any("a.klaviyo.com.evil.example is not a Klaviyo address" in w for w in warnings), warnings


def test_cleartext_klaviyo_base_url_is_explained_not_a_crash(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", "http://198.51.100.7")
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("klaviyo_app/app_pages/keys.py").run()
    assert not at.exception, at.exception
    assert any("KLAVIYO_BASE_URL" in e.value and "https is required" in e.value for e in at.error)


def test_an_account_saved_with_http_before_the_rule_falls_back_to_the_sandbox(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Old", KEY, base_url="https://a.klaviyo.com")
    store.set_active("Old")
    data = json.loads(store.path.read_text(encoding="utf-8"))
    for record in data["accounts"]:
        record["base_url"] = "http://198.51.100.7"
    store.path.write_text(json.dumps(data), encoding="utf-8")
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert any("Sandbox" in m.value for m in at.sidebar.markdown)  # the old account is not used
    assert "https is required" in str(at.session_state["accounts.flash"])
