"""The Keys page flows in AppTest: add, test, edit, switch, remove, and the no-keyring path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_app.ui import accounts
from klaviyo_core.accounts.store import SANDBOX, AccountStore
from klaviyo_sandbox import KeySpec, SandboxServer
from tests.memory_keyring import MemoryKeyring, memory_keyring, no_keyring, wb_home

__all__ = ["memory_keyring", "no_keyring", "wb_home"]

KEY = "pk_test_page_full_access_0000000000a1b2"
SCOPED = "pk_test_page_profiles_only_00000000c3d4"
PAGE = str(Path(__file__).resolve().parents[2] / "klaviyo_app" / "app_pages" / "keys.py")


@pytest.fixture
def server(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_factory(keys=(KeySpec(KEY), KeySpec(SCOPED, frozenset({"accounts:read", "profiles:read"}))))


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def _add(at: AppTest, name: str, key: str, base_url: str) -> AppTest:
    at.text_input(key="keys.add.name").input(name)
    at.text_input(key="keys.add.key").input(key)
    at.text_input(key="keys.add.base_url").input(base_url)
    at.button(key="FormSubmitter:keys.add-Test and save").click()
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.success, *at.error, *at.warning, *at.info)]
    return "\n".join(str(p) for p in parts)


def test_add_test_edit_remove(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    at = _add(_page(), "Acme US", KEY, server.url)
    assert "Saved 'Acme US' (pk_...a1b2)" in at.success[0].value
    assert at.text_input(key="keys.add.key").value == ""  # the key field is cleared, never echoed back
    record = AccountStore().get("Acme US")
    text = _texts(at)
    assert "🟢 OK" in text and "pk_...a1b2" in text and "Sandbox Store" in text and KEY not in text

    at.button(key=f"keys.test.{record.id}").click().run()
    assert "The key works" in at.success[0].value

    at.text_input(key=f"keys.edit.{record.id}.name").input("Acme EU")
    at.text_input(key=f"keys.edit.{record.id}.key").input(SCOPED)
    at.button(key=f"FormSubmitter:keys.edit.{record.id}-Save changes").click().run()
    assert "Saved changes to 'Acme EU'" in at.success[0].value
    assert AccountStore().get("Acme EU").fingerprint == "pk_...c3d4"
    assert "⚪ Not tested" in _texts(at)
    at.button(key=f"keys.test.{record.id}").click().run()
    assert "This key cannot: upload profiles (lists:write, profiles:write)" in at.warning[0].value

    assert at.button(key=f"keys.remove.{record.id}").disabled  # confirmation first
    at.checkbox(key=f"keys.confirm.{record.id}").check().run()
    at.button(key=f"keys.remove.{record.id}").click().run()
    assert "Removed 'Acme EU'" in at.success[0].value
    assert AccountStore().names() == [SANDBOX] and memory_keyring.entries == {}


def test_public_key_is_refused_with_the_difference(memory_keyring: MemoryKeyring) -> None:
    at = _add(_page(), "Acme", "AbC123", "https://a.klaviyo.com")
    assert "public key" in at.error[0].value and "pk_" in at.error[0].value
    assert AccountStore().names() == [SANDBOX]


def test_rejected_key_is_not_saved(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    at = _add(_page(), "Acme", "pk_test_page_unknown_000000000000000", server.url)
    assert at.error[0].value.startswith("Not saved. Klaviyo refused the key")
    assert memory_keyring.entries == {}


def test_use_marks_active_and_live(memory_keyring: MemoryKeyring) -> None:
    AccountStore().add("Acme Live", KEY)  # the real Klaviyo URL: never called in this test
    at = _page()
    record = AccountStore().get("Acme Live")
    assert "⭐ **Active** · **Sandbox**" in _texts(at)
    at.button(key=f"keys.use.{record.id}").click().run()
    text = _texts(at)
    assert "⭐ **Active** · **Acme Live** · 🔴 **LIVE**" in text
    assert at.session_state[accounts.ACTIVE] == "Acme Live" and AccountStore().active_name() == "Acme Live"
    assert at.warning[0].value == "Every page now works on Acme Live (LIVE)."
    at.button(key="keys.use.sandbox").click().run()
    assert at.success[0].value == "Every page now works on Sandbox." and AccountStore().active_name() == SANDBOX


def test_no_keyring_offers_session_key_and_env(server: SandboxServer, no_keyring: None, wb_home: Path) -> None:
    at = _page()
    warning = at.warning[0].value
    assert "no keyring" in warning and "Nothing will be written to a file" in warning
    assert "KLAVIYO_API_KEY" in _texts(at) and "browser session only" in _texts(at)
    at.text_input(key="keys.session.name").input("Acme")
    at.text_input(key="keys.session.key").input(KEY)
    at.text_input(key="keys.session.base_url").input(server.url)
    at.button(key="FormSubmitter:keys.session-Test and use for this session").click().run()
    assert not at.exception, at.exception
    assert "for this browser session only" in at.success[0].value
    assert at.session_state[accounts.ACTIVE] == "Acme (this session only)"
    assert KEY not in repr(at.session_state[accounts.SESSION_ACCOUNT])
    assert not wb_home.exists() or not any(p.is_file() for p in wb_home.rglob("*"))
    at.button(key="keys.session.forget").click().run()
    assert at.session_state[accounts.ACTIVE] == SANDBOX


def _app() -> AppTest:
    at = AppTest.from_file(str(Path(PAGE).parents[2] / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_sidebar_switcher_lists_accounts_and_marks_live(memory_keyring: MemoryKeyring) -> None:
    AccountStore().add("Acme Live", KEY)  # the real Klaviyo URL: never called in this test
    at = _app()
    box = at.sidebar.selectbox(key=accounts.SWITCHER)
    assert box.options == [SANDBOX, "🔴 Acme Live (LIVE)"] and box.value == SANDBOX
    assert any("🧪 Sandbox" in m.value for m in at.sidebar.markdown)
    box.select("Acme Live").run()
    assert not at.exception, at.exception
    assert at.session_state[accounts.ACTIVE] == "Acme Live" and AccountStore().active_name() == "Acme Live"
    at.switch_page("klaviyo_app/app_pages/keys.py").run()
    assert "⭐ **Active** · **Acme Live** · 🔴 **LIVE**" in _texts(at)
    fresh = _app()  # a new session starts on the remembered account, marked LIVE in the sidebar
    assert fresh.sidebar.selectbox(key=accounts.SWITCHER).value == "Acme Live"
    assert any("LIVE" in m.value for m in fresh.sidebar.markdown)
    assert any("real customers" in e.value for e in fresh.sidebar.error)


def test_a_removed_key_falls_back_to_the_sandbox(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Acme Live", KEY)
    store.set_active("Acme Live")
    memory_keyring.entries.clear()  # someone deleted it in the OS keychain app
    at = _app()
    assert at.session_state[accounts.ACTIVE] == SANDBOX
    assert any("🧪 Sandbox" in m.value for m in at.sidebar.markdown)


def test_environment_key_is_offered_and_testable(
    server: SandboxServer, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", SCOPED)
    monkeypatch.setenv("KLAVIYO_BASE_URL", server.url)
    at = _page()
    assert "**KLAVIYO_API_KEY (environment)** · 🧪 test server · `pk_...c3d4`" in _texts(at)
    at.button(key="keys.test.env").click().run()
    assert "This key cannot: upload profiles" in at.warning[0].value
    at.button(key="keys.use.env").click().run()
    assert at.session_state[accounts.ACTIVE] == "KLAVIYO_API_KEY (environment)"
    assert AccountStore().active_name() == SANDBOX  # never written to the settings file
    assert SCOPED not in _texts(at)


def test_malformed_environment_key_is_explained(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", "AbC123")
    at = _page()
    assert "KLAVIYO_API_KEY is set but is not a private key" in at.error[0].value and "public key" in at.error[0].value


def test_bad_base_url_is_refused(memory_keyring: MemoryKeyring) -> None:
    at = _add(_page(), "Acme", KEY, "klaviyo")
    assert "not a web address" in at.error[0].value and memory_keyring.entries == {}


def test_home_names_a_non_live_account_plainly(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Staging", KEY, base_url=server.url)  # a loopback account: neither the sandbox nor LIVE
    store.set_active("Staging")
    at = _app()
    assert any("**Staging**" in i.value and "not Klaviyo's live API" in i.value for i in at.info)
    assert not any("local sandbox" in s.value for s in at.success)


def test_a_loopback_account_marked_live_is_live_everywhere(
    server: SandboxServer, memory_keyring: MemoryKeyring
) -> None:
    """The one LIVE rule: a local address is a test server unless the user marks it LIVE (a tunnel)."""
    record = AccountStore().add("Tunnel", KEY, base_url=server.url)
    at = _page()
    assert "**Tunnel** · 🧪 test server" in _texts(at)
    at.checkbox(key=f"keys.edit.{record.id}.live").check()
    at.button(key=f"FormSubmitter:keys.edit.{record.id}-Save changes").click().run()
    assert not at.exception, at.exception
    assert AccountStore().get("Tunnel").live and "**Tunnel** · 🔴 **LIVE**" in _texts(at)
    app = _app()
    assert app.sidebar.selectbox(key=accounts.SWITCHER).options == [SANDBOX, "🔴 Tunnel (LIVE)"]
