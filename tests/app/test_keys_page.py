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
BADGES = {
    "ok": ":green[:material/check_circle: OK]",
    "failed": ":red[:material/cancel: Failed]",
    "not tested": ":gray[:material/help: Not tested]",
}
ACTIVE_MARK = ":material/star: **Active** · "
LIVE_MARK = ":red[:material/public: **LIVE**] · "
TEST_MARK = ":material/science: test server · "


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


def _scopes(at: AppTest):  # type: ignore[no-untyped-def]
    """The Keys page's per-page table of what a key can do (the one dataframe with a "page" column)."""
    return next(d.value for d in at.dataframe if "page" in d.value.columns)


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
    assert BADGES["ok"] in text and "pk_...a1b2" in text and "Sandbox Store" in text and KEY not in text

    at.button(key=f"keys.test.{record.id}").click().run()
    assert "The key works" in at.success[0].value

    at.text_input(key=f"keys.edit.{record.id}.name").input("Acme EU")
    at.text_input(key=f"keys.edit.{record.id}.key").input(SCOPED)
    at.button(key=f"FormSubmitter:keys.edit.{record.id}-Save changes").click().run()
    assert "Saved changes to 'Acme EU'" in at.success[0].value
    assert AccountStore().get("Acme EU").fingerprint == "pk_...c3d4"
    assert BADGES["not tested"] in _texts(at)
    at.button(key=f"keys.test.{record.id}").click().run()
    assert "page by page" in at.warning[0].value  # no paragraph of scopes: a table per page
    assert "cannot:" not in _texts(at)
    scopes = _scopes(at)
    upload = scopes[scopes["page"] == "Profile upload"].iloc[0]
    assert upload["usable"] == "partly" and "upload profiles (lists:write, profiles:write)" in upload["cannot"]
    assert scopes[scopes["page"] == "Keys"].iloc[0]["usable"] == "yes"

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
    assert ACTIVE_MARK + "**Sandbox**" in _texts(at)
    at.button(key=f"keys.use.{record.id}").click().run()
    text = _texts(at)
    assert ACTIVE_MARK + "**Acme Live** · " + LIVE_MARK in text
    assert at.session_state[accounts.ACTIVE] == "Acme Live" and AccountStore().active_name() == "Acme Live"
    assert at.warning[0].value == "Every page now works on Acme Live (LIVE)."
    at.button(key="keys.use.sandbox").click().run()
    assert at.success[0].value == "Every page now works on Sandbox." and AccountStore().active_name() == SANDBOX


def test_no_keyring_offers_session_key_and_env(server: SandboxServer, no_keyring: None, wb_home: Path) -> None:
    at = _page()
    warning = at.warning[0].value
    assert "no keyring" in warning and "Nothing will be written to a file" in warning
    assert "KLAVIYO_API_KEY" in _texts(at) and "browser tab only" in _texts(at)
    at.text_input(key="keys.session.name").input("Acme")
    at.text_input(key="keys.session.key").input(KEY)
    at.text_input(key="keys.session.base_url").input(server.url)
    at.button(key="FormSubmitter:keys.session-Test and use for this session").click().run()
    assert not at.exception, at.exception
    assert "in this browser tab only" in at.success[0].value
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
    assert box.options == [SANDBOX, "Acme Live (LIVE)"] and box.value == SANDBOX
    assert any(":material/science: Sandbox" in m.value for m in at.sidebar.markdown)
    box.select("Acme Live").run()
    assert not at.exception, at.exception
    assert at.session_state[accounts.ACTIVE] == "Acme Live" and AccountStore().active_name() == "Acme Live"
    at.switch_page("klaviyo_app/app_pages/keys.py").run()
    assert ACTIVE_MARK + "**Acme Live** · " + LIVE_MARK in _texts(at)
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
    assert any(":material/science: Sandbox" in m.value for m in at.sidebar.markdown)


def test_environment_key_is_offered_and_testable(
    server: SandboxServer, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", SCOPED)
    monkeypatch.setenv("KLAVIYO_BASE_URL", server.url)
    at = _page()
    assert "**KLAVIYO_API_KEY (environment)** · " + TEST_MARK + "`pk_...c3d4`" in _texts(at)
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
    assert "**Tunnel** · " + TEST_MARK in _texts(at)
    at.checkbox(key=f"keys.edit.{record.id}.live").check()
    at.button(key=f"FormSubmitter:keys.edit.{record.id}-Save changes").click().run()
    assert not at.exception, at.exception
    assert AccountStore().get("Tunnel").live and "**Tunnel** · " + LIVE_MARK in _texts(at)
    app = _app()
    assert app.sidebar.selectbox(key=accounts.SWITCHER).options == [SANDBOX, "Tunnel (LIVE)"]


def test_a_failed_test_keeps_what_was_typed(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    bad = "pk_test_page_unknown_000000000000000"
    at = _add(_page(), "Acme", bad, server.url)
    assert at.error[0].value.startswith("Not saved.") and bad not in _texts(at)
    assert at.text_input(key="keys.add.name").value == "Acme"  # fix the key, do not retype everything
    assert at.text_input(key="keys.add.key").value == bad
    at.text_input(key="keys.add.key").input(KEY)
    at.button(key="FormSubmitter:keys.add-Test and save").click().run()
    assert "Saved 'Acme'" in at.success[0].value
    assert at.text_input(key="keys.add.name").value == "" and at.text_input(key="keys.add.key").value == ""


def test_the_caption_matches_the_keyring(no_keyring: None, wb_home: Path) -> None:
    at = _page()
    assert not any("keyring;" in c.value or "live only in" in c.value for c in at.caption)
    assert any("no keyring" in c.value for c in at.caption)
    assert "Reloading the page" in _texts(at) and "close the tab" not in _texts(at)


def test_a_session_key_keeps_typing_on_failure_and_pages_name_it_as_given(
    server: SandboxServer, no_keyring: None, wb_home: Path
) -> None:
    """The switcher says "Acme (this session only)"; every page's target, and so a LIVE confirmation's
    "type the account name", is "Acme" as the person typed it."""
    at = _app()
    at.switch_page("klaviyo_app/app_pages/keys.py").run()
    at.text_input(key="keys.session.name").input("Acme")
    at.text_input(key="keys.session.key").input("pk_test_page_unknown_000000000000000")
    at.text_input(key="keys.session.base_url").input(server.url)
    at.button(key="FormSubmitter:keys.session-Test and use for this session").click().run()
    assert at.error[0].value.startswith("Not used.")
    assert at.text_input(key="keys.session.name").value == "Acme"
    at.text_input(key="keys.session.key").input(KEY)
    at.button(key="FormSubmitter:keys.session-Test and use for this session").click().run()
    assert at.session_state[accounts.ACTIVE] == "Acme (this session only)"
    assert _scopes(at)["usable"].tolist() == ["yes"] * 5  # the per-page table
    at.switch_page("klaviyo_app/app_pages/test_events.py").run()
    assert not at.exception, at.exception
    assert any("Target: sandbox (Acme)." in c.value for c in at.caption), [c.value for c in at.caption]
