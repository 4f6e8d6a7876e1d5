"""`python -m klaviyo_core accounts ...` against a real sandbox, with an in-memory keyring."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.accounts.store import SANDBOX, AccountStore
from klaviyo_core.cli import accounts as cli_accounts
from klaviyo_core.cli import app
from klaviyo_sandbox import KeySpec, SandboxServer
from tests.memory_keyring import MemoryKeyring, memory_keyring, no_keyring, wb_home

__all__ = ["memory_keyring", "no_keyring", "wb_home"]

KEY = "pk_test_cli_full_access_00000000000e5f6"
SCOPED = "pk_test_cli_profiles_only_0000000000a9b8"
runner = CliRunner()


@pytest.fixture
def server(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_factory(keys=(KeySpec(KEY), KeySpec(SCOPED, frozenset({"accounts:read", "profiles:read"}))))


def _run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["accounts", *args], input=input)


def test_add_from_stdin_tests_and_saves(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    result = _run("add", "Acme US", "--base-url", server.url, "--use", input=KEY + "\n")
    assert result.exit_code == 0, result.output
    assert "The key works: connected to Sandbox Store" in result.output and "pk_...e5f6" in result.output
    assert KEY not in result.output
    store = AccountStore()
    assert store.active_name() == "Acme US" and store.get("Acme US").status == "ok"
    listed = _run("list")
    assert listed.exit_code == 0 and "* Acme US" in listed.output and "LIVE" not in listed.output
    assert SANDBOX in listed.output and "OK" in listed.output


def test_add_with_hidden_prompt(
    server: SandboxServer, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_accounts, "_stdin_is_tty", lambda: True)
    result = _run("add", "Acme", "--base-url", server.url, input=KEY + "\n")
    assert result.exit_code == 0, result.output
    assert "input hidden" in result.output and KEY not in result.output


def test_add_never_takes_the_key_as_an_argument(memory_keyring: MemoryKeyring) -> None:
    result = _run("add", "Acme", KEY, input="")
    assert result.exit_code == 2 and AccountStore().names() == [SANDBOX]


def test_add_refuses_public_key_and_bad_key(memory_keyring: MemoryKeyring) -> None:
    public = _run("add", "Acme", "--no-test", input="AbC123\n")
    assert public.exit_code == 2 and "public key" in public.output
    bad = _run("add", "Acme", "--no-test", input="hello\n")
    assert bad.exit_code == 2 and "pk_" in bad.output
    assert AccountStore().names() == [SANDBOX] and memory_keyring.entries == {}


def test_add_refuses_a_key_klaviyo_rejects(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    unknown = "pk_test_cli_unknown_key_0000000000000c0"
    result = _run("add", "Acme", "--base-url", server.url, input=unknown + "\n")
    assert result.exit_code == 3 and "not saved" in result.output and unknown not in result.output
    assert memory_keyring.entries == {}


def test_test_reports_missing_scopes_and_exits_partial(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    assert _run("add", "Scoped", "--base-url", server.url, "--no-test", input=SCOPED + "\n").exit_code == 0
    result = _run("test", "Scoped")
    assert result.exit_code == 1, result.output
    assert "This key cannot: " in result.output and "upload profiles (lists:write, profiles:write)" in result.output
    assert AccountStore().get("Scoped").last_test is not None


def test_use_rename_replace_remove(server: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    assert _run("add", "Acme", "--base-url", server.url, "--no-test", input=SCOPED + "\n").exit_code == 0
    assert _run("use", "acme").exit_code == 0 and AccountStore().active_name() == "Acme"
    assert _run("rename", "Acme", "Acme EU").exit_code == 0
    replaced = _run("replace-key", "Acme EU", input=KEY + "\n")
    assert replaced.exit_code == 0 and "pk_...e5f6" in replaced.output
    assert _run("test", "Acme EU").exit_code == 0
    assert _run("remove", "Acme EU", input="n\n").exit_code == 2
    removed = _run("remove", "Acme EU", input="y\n")
    assert removed.exit_code == 0 and memory_keyring.entries == {}
    assert AccountStore().active_name() == SANDBOX
    missing = _run("remove", "Acme EU", "--yes")
    assert missing.exit_code == 2 and "no saved account" in missing.output


def test_sandbox_needs_no_test(memory_keyring: MemoryKeyring) -> None:
    result = _run("test", "Sandbox")
    assert result.exit_code == 0 and "needs no key" in result.output


def test_no_keyring_backend_is_explained(no_keyring: None, wb_home: Path) -> None:
    result = _run("add", "Acme", "--no-test", input=KEY + "\n")
    assert result.exit_code == 3
    assert "no keyring" in result.output and "KLAVIYO_API_KEY" in result.output
    assert "browser session only" in result.output and KEY not in result.output
    assert "Traceback" not in result.output
    assert not wb_home.exists() or not any(p.is_file() for p in wb_home.rglob("*"))


def test_add_refuses_a_bad_base_url_before_calling_it(memory_keyring: MemoryKeyring) -> None:
    result = _run("add", "Acme", "--base-url", "a.klaviyo.com", input=KEY + "\n")
    assert result.exit_code == 2 and "not a web address" in result.output and memory_keyring.entries == {}
    result = _run("add", "Acme", "--revision", "latest", input=KEY + "\n")
    assert result.exit_code == 2 and "not an API revision" in result.output
