"""The one LIVE rule, the target's identity (account id, cached), the binding check and the one-write token."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from klaviyo_core.accounts import (
    AccountStore,
    LiveWriteNotConfirmed,
    Target,
    TargetMismatch,
    check_same_target,
    confirm_live,
    env_account,
    forget_cached_ids,
    identify,
    require_live_confirmation,
)
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY
from tests.memory_keyring import MemoryKeyring, memory_keyring, wb_home

__all__ = ["memory_keyring", "wb_home"]  # fixtures used by name below

KEY = "pk_test_acme_us_key_000000000000a1b2"


def _client(server: SandboxServer, key: str = FULL_KEY) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=key, base_url=server.url, pace=False))


def _account_gets(server: SandboxServer) -> int:
    log = requests.get(server.url + "/__sandbox/requests", headers=ADMIN_HEADERS, timeout=10).json()
    entries = log.get("requests", log) if isinstance(log, dict) else log
    return sum(1 for e in entries if e.get("path") == "/api/accounts")


def test_a_saved_account_marked_live_is_live_on_loopback(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Tunnel", KEY, base_url="http://127.0.0.1:9999")
    assert not store.get("Tunnel").live and not store.resolve("Tunnel").live
    store.edit("Tunnel", live=True)
    assert store.get("Tunnel").live and store.resolve("Tunnel").live
    saved = json.loads((store.path).read_text())["accounts"][0]
    assert saved["live"] is True  # the setting is called "live" in the settings file
    store.edit("Tunnel", live=False)
    assert not store.get("Tunnel").live


def test_klaviyo_live_marks_the_environment_account(wb_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", "http://localhost:8765")
    account = env_account()
    assert account is not None and not account.live
    monkeypatch.setenv("KLAVIYO_LIVE", "1")
    account = env_account()
    assert account is not None and account.live


def test_two_sandboxes_are_two_targets(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> None:
    one, two = sandbox_factory(db_path=tmp_path / "1.db"), sandbox_factory(db_path=tmp_path / "2.db")
    first, second = identify(_client(one), "One"), identify(_client(two), "Two")
    assert first.account_id == one.config.account_id and second.account_id == two.config.account_id
    assert not first.same_account(second) and not first.live
    assert first.key_fingerprint == "pk_...0001" and FULL_KEY not in repr(first)
    with pytest.raises(TargetMismatch) as caught:
        check_same_target("checkpoint", first, second)
    assert "'One'" in str(caught.value) and "'Two'" in str(caught.value)
    assert one.config.account_id in str(caught.value) and two.config.account_id in str(caught.value)
    check_same_target("checkpoint", first, identify(_client(one), "One"))


def test_the_account_id_is_asked_once_per_url_and_key(sandbox: SandboxServer) -> None:
    forget_cached_ids()
    client = _client(sandbox)
    for _ in range(5):
        identify(client, "Sandbox")
    assert _account_gets(sandbox) == 1
    identify(client, "Sandbox", refresh=True)
    assert _account_gets(sandbox) == 2


def test_live_ids_are_cached_on_disk_without_the_key(
    sandbox: SandboxServer, wb_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids of hosts off loopback are kept on disk (the sandbox stands in for such a host here)."""
    import klaviyo_core.accounts.target as target_module

    monkeypatch.setattr(target_module, "is_loopback_url", lambda url: False)
    forget_cached_ids()
    identify(_client(sandbox), "Acme")
    cache = wb_home / "targets.json"
    text = cache.read_text()
    assert sandbox.config.account_id in text and FULL_KEY not in text
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    forget_cached_ids()  # a new process: the disk answers, no GET
    before = _account_gets(sandbox)
    identify(_client(sandbox), "Acme")
    assert _account_gets(sandbox) == before


def _target(name: str = "Acme", account_id: str = "ABC123", live: bool = True) -> Target:
    return Target(name, "https://a.klaviyo.com", account_id, "pk_...a1b2", live)


def test_a_live_confirmation_is_consumed_by_one_write() -> None:
    target = _target()
    with pytest.raises(LiveWriteNotConfirmed, match="needs a confirmation"):
        require_live_confirmation(target, None)
    with pytest.raises(LiveWriteNotConfirmed, match="does not match"):
        confirm_live(target, "import 3 profiles", "Acme Store")
    token = confirm_live(target, "import 3 profiles", " Acme ")
    require_live_confirmation(target, token)
    with pytest.raises(LiveWriteNotConfirmed, match="used by an earlier write"):
        require_live_confirmation(target, token)


def test_a_confirmation_for_another_account_confirms_nothing() -> None:
    token = confirm_live(_target("Sandbox copy", "SBX001"), "import", "Sandbox copy")
    with pytest.raises(LiveWriteNotConfirmed, match="given for"):
        require_live_confirmation(_target(), token)


def test_writes_off_live_need_no_confirmation() -> None:
    require_live_confirmation(_target(live=False), None)
