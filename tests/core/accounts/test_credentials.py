"""The account store: keys only in the keyring, non-secret parts in the settings file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from klaviyo_core.accounts import is_live
from klaviyo_core.accounts.store import (
    SANDBOX,
    SERVICE,
    AccountExists,
    AccountNotFound,
    AccountStore,
    AccountUnusable,
    InvalidKey,
    InvalidName,
    KeyMissing,
    KeyringUnavailable,
    TestResult,
    keyring_available,
    resolve_account,
)
from klaviyo_core.paths import config_dir
from tests.memory_keyring import MemoryKeyring, memory_keyring, no_keyring, wb_home

__all__ = ["memory_keyring", "no_keyring", "wb_home"]  # fixtures used by name below

KEY_US = "pk_test_acme_us_key_000000000000a1b2"
KEY_EU = "pk_test_acme_eu_key_000000000000c3d4"


def test_home_comes_from_env(wb_home: Path) -> None:
    assert config_dir() == wb_home


def test_sandbox_is_always_there(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    assert store.names() == [SANDBOX] and store.active_name() == SANDBOX
    assert store.set_active("sandbox") == SANDBOX
    with pytest.raises(AccountNotFound, match="needs no key"):
        store.resolve(SANDBOX)


def test_add_keeps_key_only_in_keyring(memory_keyring: MemoryKeyring, wb_home: Path) -> None:
    store = AccountStore()
    record = store.add("Acme US", KEY_US)
    assert record.fingerprint == "pk_...a1b2" and record.live and record.status == "not tested"
    assert memory_keyring.entries == {(SERVICE, record.id): KEY_US}
    text = (wb_home / "accounts.json").read_text()
    assert KEY_US not in text and "pk_...a1b2" in text
    assert stat.S_IMODE(os.stat(wb_home / "accounts.json").st_mode) == 0o600
    assert store.key_for("acme us") == KEY_US
    assert store.names() == [SANDBOX, "Acme US"]


def test_add_refuses_bad_keys_and_names(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    with pytest.raises(InvalidKey) as public:
        store.add("Acme", "AbC123")
    assert public.value.kind == "public"
    with pytest.raises(InvalidKey):
        store.add("Acme", "hello")
    for bad in ("", "Sandbox", "x" * 61, KEY_US):
        with pytest.raises(InvalidName):
            store.add(bad, KEY_EU)
    store.add("Acme", KEY_US)
    with pytest.raises(AccountExists):
        store.add("ACME", KEY_EU)
    assert memory_keyring.entries.__len__() == 1 and store.names() == [SANDBOX, "Acme"]


def test_rename_keeps_the_key_and_active_choice(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Acme", KEY_US)
    store.add("Acme EU", KEY_EU)
    store.set_active("Acme")
    renamed = store.rename("Acme", "Acme US")
    assert store.active_name() == "Acme US" and store.key_for("Acme US") == KEY_US
    assert len(memory_keyring.entries) == 2 and renamed.id == store.get("Acme US").id
    with pytest.raises(AccountExists):
        store.rename("Acme US", "acme eu")
    with pytest.raises(AccountNotFound):
        store.rename("Nope", "Other")


def test_replace_key_clears_the_old_test(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Acme", KEY_US)
    store.record_test("Acme", TestResult(True, "2026-11-27T20:00:00Z", "OK"))
    assert store.get("Acme").status == "ok"
    updated = store.replace_key("Acme", KEY_EU)
    assert updated.fingerprint == "pk_...c3d4" and updated.status == "not tested"
    assert store.key_for("Acme") == KEY_EU and len(memory_keyring.entries) == 1


def test_remove_deletes_the_keyring_entry(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Acme", KEY_US)
    store.set_active("Acme")
    store.remove("Acme")
    assert memory_keyring.entries == {} and store.names() == [SANDBOX] and store.active_name() == SANDBOX
    with pytest.raises(AccountNotFound):
        store.remove("Acme")


def test_key_removed_outside_the_app_is_explained(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Acme", KEY_US)
    memory_keyring.entries.clear()
    with pytest.raises(KeyMissing, match="Replace key"):
        store.key_for("Acme")
    store.remove("Acme")  # still removable
    assert store.names() == [SANDBOX]


def test_test_results_and_account_info_persist(memory_keyring: MemoryKeyring, wb_home: Path) -> None:
    from klaviyo_core.accounts.store import KlaviyoAccountInfo

    store = AccountStore()
    store.add("Acme", KEY_US, base_url="http://127.0.0.1:9999/")
    result = TestResult(False, "2026-11-27T20:00:00Z", "failed", cannot=("upload profiles (profiles:write)",))
    store.record_test("Acme", result, KlaviyoAccountInfo("AbC123", "Acme Inc", "Europe/Berlin", "EUR"))
    again = AccountStore().get("Acme")
    assert again.last_test == result and again.klaviyo.currency == "EUR" and again.status == "failed"
    assert again.base_url == "http://127.0.0.1:9999" and not again.live
    data = json.loads((wb_home / "accounts.json").read_text())
    assert data["accounts"][0]["klaviyo"]["name"] == "Acme Inc"


def test_resolve_account_order(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    store = AccountStore()
    with pytest.raises(AccountNotFound, match="--sandbox"):
        resolve_account(None)
    store.add("Acme", KEY_US)
    store.set_active("Acme")
    assert resolve_account(None).api_key == KEY_US
    monkeypatch.setenv("KLAVIYO_API_KEY", KEY_EU)
    env = resolve_account(None)
    assert env.api_key == KEY_EU and env.live and "KLAVIYO_API_KEY" in env.name
    assert resolve_account("Acme").api_key == KEY_US  # an explicit name wins over the environment
    assert KEY_EU not in repr(env)
    monkeypatch.setenv("KLAVIYO_API_KEY", "AbC123")
    with pytest.raises(AccountUnusable, match="public key"):
        resolve_account(None)
    with pytest.raises(AccountNotFound, match="no saved account"):
        resolve_account("Nope")


def test_resolve_without_keyring_is_a_plain_account_error(no_keyring: None, wb_home: Path) -> None:
    wb_home.mkdir(parents=True)
    (wb_home / "accounts.json").write_text(
        '{"active": "Acme", "accounts": [{"name": "Acme", "id": "abc", "fingerprint": "pk_...a1b2"}]}'
    )
    with pytest.raises(AccountUnusable, match="no keyring"):
        resolve_account(None)


def test_no_keyring_backend_is_said_plainly(no_keyring: None, wb_home: Path) -> None:
    assert not keyring_available()
    store = AccountStore()
    with pytest.raises(KeyringUnavailable) as exc:
        store.add("Acme", KEY_US)
    text = str(exc.value)
    assert "no keyring" in text and "browser session only" in text and "KLAVIYO_API_KEY" in text
    assert KEY_US not in text
    assert store.names() == [SANDBOX]
    # never a silent fallback: nothing at all was written
    assert not wb_home.exists() or not any(p.is_file() for p in wb_home.rglob("*"))


def test_memory_keyring_counts_as_available(memory_keyring: MemoryKeyring) -> None:
    assert keyring_available()


def test_corrupt_settings_file_is_reported(memory_keyring: MemoryKeyring, wb_home: Path) -> None:
    from klaviyo_core.accounts.store import CredentialsError

    wb_home.mkdir(parents=True)
    (wb_home / "accounts.json").write_text("{not json")
    with pytest.raises(CredentialsError, match="cannot be read"):
        AccountStore().saved()


@pytest.mark.parametrize(
    ("url", "live"),
    [
        ("https://a.klaviyo.com", True),
        ("https://proxy.example.com/klaviyo", True),
        ("http://127.0.0.1:8765", False),
        ("http://localhost:1", False),
        ("http://[::1]:80", False),
        ("http://127.0.0.2:8765", False),
        ("http://LOCALHOST:1", False),
        ("http://127.evil.example", True),
        ("", True),
    ],
)
def test_the_one_live_rule(url: str, live: bool) -> None:
    assert is_live(url) is live
    assert is_live(url, marked_live=True)


def test_concurrent_changes_are_not_lost(memory_keyring: MemoryKeyring) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = AccountStore()
    keys = [f"pk_test_thread_{i:02d}_000000000000000000" for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda i: store.add(f"Shop {i:02d}", keys[i]), range(12)))
    assert sorted(store.names()[1:]) == [f"Shop {i:02d}" for i in range(12)]
    assert len(store.saved()) == 12 and len(memory_keyring.entries) == 12


def test_failed_settings_write_leaves_no_orphan_key(
    memory_keyring: MemoryKeyring, wb_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = AccountStore()

    def refuse(data: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store, "_save", refuse)
    with pytest.raises(OSError):
        store.add("Acme", KEY_US)
    assert memory_keyring.entries == {}


def test_base_url_and_revision_are_checked(memory_keyring: MemoryKeyring) -> None:
    from klaviyo_core.accounts.store import InvalidSetting

    store = AccountStore()
    for bad in ("a.klaviyo.com", "ftp://x", "https://", "https://a.klaviyo .com"):
        with pytest.raises(InvalidSetting):
            store.add("Acme", KEY_US, base_url=bad)
    with pytest.raises(InvalidSetting, match="revision"):
        store.add("Acme", KEY_US, revision="July")
    assert memory_keyring.entries == {}
    record = store.add("Acme", KEY_US, base_url="  ", revision="2026-01-15.pre")
    assert record.base_url == "https://a.klaviyo.com" and record.revision == "2026-01-15.pre"
    with pytest.raises(InvalidSetting):
        store.edit("Acme", base_url="nope")
    assert store.edit("Acme", base_url="http://127.0.0.1:8765/").base_url == "http://127.0.0.1:8765"


def test_damaged_settings_shapes_are_reported(memory_keyring: MemoryKeyring, wb_home: Path) -> None:
    from klaviyo_core.accounts.store import CredentialsError

    wb_home.mkdir(parents=True)
    for text in ('["a"]', '{"accounts": {}}', '{"accounts": [{"nom": "x"}]}', '{"accounts": [1]}'):
        (wb_home / "accounts.json").write_text(text)
        with pytest.raises(CredentialsError, match="damaged"):
            AccountStore().saved()


def test_locked_keyring_is_explained(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.errors

    def locked(*args: object) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    with pytest.raises(KeyringUnavailable, match="may be locked") as exc:
        AccountStore().add("Acme", KEY_US)
    assert "KLAVIYO_API_KEY" in str(exc.value) and KEY_US not in str(exc.value)
