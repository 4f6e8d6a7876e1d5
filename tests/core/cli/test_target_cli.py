"""Where the CLI may send a key: https off loopback, look-alike hosts only with --allow-host (issue 14.6).

Every refusal here happens before any connection: the addresses are documentation ranges or names that do
not resolve, and the refusal must come first (exit 2, the message says why).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from klaviyo_core.accounts.store import AccountStore
from klaviyo_core.cli import app
from klaviyo_core.http import ClientConfig, UnsafeTarget, check_target, host_warning
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.memory_keyring import MemoryKeyring, memory_keyring, wb_home

__all__ = ["memory_keyring", "wb_home"]

KEY = "pk_test_target_rule_000000000000abcd"
runner = CliRunner()


@pytest.fixture
def env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", KEY)
    monkeypatch.delenv("KLAVIYO_BASE_URL", raising=False)


@pytest.mark.parametrize("url", ["http://198.51.100.7", "http://a.klaviyo.com", "http://example.invalid:8080/x"])
def test_cleartext_off_loopback_is_refused_with_exit_2(env_key: None, url: str) -> None:
    result = runner.invoke(app, ["--base-url", url, "--allow-host", "ping"])
    assert result.exit_code == 2, result.output
    assert "https is required" in result.output and KEY not in result.output
    assert "Traceback" not in result.output


def test_klaviyo_base_url_is_validated_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", "http://198.51.100.7")
    result = runner.invoke(app, ["ping"])
    assert result.exit_code == 2, result.output
    assert "KLAVIYO_BASE_URL" in result.output and "https is required" in result.output


@pytest.mark.parametrize("url", ["https://a.klaviyo.com.evil.example", "https://klaviyo.com-api.invalid"])
def test_look_alike_host_needs_allow_host(env_key: None, url: str) -> None:
    result = runner.invoke(app, ["--base-url", url, "ping"])
    assert result.exit_code == 2, result.output
    assert "not a Klaviyo address" in result.output and "--allow-host" in result.output


def test_loopback_http_is_fine(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    result = runner.invoke(app, ["--base-url", sandbox.url, "ping"])
    assert result.exit_code == 0, result.output


def test_allow_host_is_remembered_on_a_saved_account(memory_keyring: MemoryKeyring) -> None:
    url = "https://proxy.example.invalid"
    refused = runner.invoke(app, ["accounts", "add", "Proxy", "--base-url", url, "--no-test"], input=KEY + "\n")
    assert refused.exit_code == 2 and "--allow-host" in refused.output and memory_keyring.entries == {}
    added = runner.invoke(
        app, ["--allow-host", "accounts", "add", "Proxy", "--base-url", url, "--no-test"], input=KEY + "\n"
    )
    assert added.exit_code == 0, added.output
    assert AccountStore().get("Proxy").allow_host
    # the saved account's host needs no flag again; another --base-url does
    import typer

    from klaviyo_core.cli.common import GlobalOptions, client_from

    ctx = typer.Context(typer.main.get_command(app))
    ctx.obj = GlobalOptions(account="Proxy")
    assert client_from(ctx).config.base_url == url
    ctx.obj = GlobalOptions(account="Proxy", base_url="https://other.example.invalid")
    with pytest.raises(typer.Exit) as caught:
        client_from(ctx)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("https://a.klaviyo.com", False),
        ("https://klaviyo.com", False),
        ("http://127.0.0.1:8765", False),
        ("http://localhost:1", False),
        ("http://[::1]:8765", False),
        ("https://a.klaviyo.com.evil.example", True),
        ("https://evilklaviyo.com", True),
    ],
)
def test_the_rule_in_the_core(url: str, warned: bool) -> None:
    assert (host_warning(url) is not None) == warned
    if warned:
        with pytest.raises(UnsafeTarget):
            check_target(url)
        check_target(url, allow_host=True)
    else:
        check_target(url)


def test_client_config_refuses_cleartext_before_connecting() -> None:
    with pytest.raises(UnsafeTarget, match="https is required"):
        ClientConfig(api_key=KEY, base_url="http://198.51.100.7")


def test_accounts_test_refuses_an_old_cleartext_account(memory_keyring: MemoryKeyring) -> None:
    store = AccountStore()
    store.add("Old", KEY, base_url="https://a.klaviyo.com")
    data = json.loads(store.path.read_text(encoding="utf-8"))
    data["accounts"][0]["base_url"] = "http://198.51.100.7"
    store.path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["accounts", "test", "Old"])
    assert result.exit_code == 2, result.output
    assert "https is required" in result.output and "Traceback" not in result.output
    ping = runner.invoke(app, ["--account", "Old", "ping"])
    assert ping.exit_code == 2 and "https is required" in ping.output
