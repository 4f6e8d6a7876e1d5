"""A distinctive fake key goes through every path; it must never come out anywhere it could be seen.

Paths: the account store (add, replace, test, switch, remove), the scope probe, failing calls (401, 403,
connection refused) and their explanations, the CLI, and the Keys page in AppTest. Places checked: log
records at DEBUG, exception texts and reprs, CLI output, every element and session-state value of the page,
the settings file and every file written under the data dirs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from klaviyo_core.accounts.probe import check_key
from klaviyo_core.accounts.store import AccountStore
from klaviyo_core.cli import app as cli_app
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.http.errors import KlaviyoError
from klaviyo_core.http.explain import explain
from klaviyo_sandbox import KeySpec, SandboxServer
from tests.memory_keyring import MemoryKeyring, memory_keyring, no_keyring, wb_home

__all__ = ["memory_keyring", "no_keyring", "wb_home"]

CANARY = "LEAKCANARY7f3e9d1c5b2a40x"
LEAK_KEY = f"pk_test_{CANARY}"  # accepted by the sandbox below
UNKNOWN_KEY = f"pk_test_{CANARY[::-1]}"  # a key the sandbox does not know: 401
SCOPED_KEY = f"pk_test_scoped_{CANARY}"
SECRETS = (CANARY, CANARY[::-1])
PAGE = str(Path(__file__).resolve().parents[3] / "klaviyo_app" / "app_pages" / "keys.py")


def assert_clean(where: str, texts: Iterable[Any]) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), f"key leaked in {where}: {str(text)[:200]}"


def assert_files_clean(*roots: Path) -> None:
    for root in roots:
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file():
                data = path.read_bytes()
                for secret in SECRETS:
                    assert secret.encode() not in data, f"key leaked into {path}"


@pytest.fixture
def server(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> SandboxServer:
    keys = (KeySpec(LEAK_KEY), KeySpec(SCOPED_KEY, frozenset({"accounts:read"})))
    return sandbox_factory(keys=keys, db_path=tmp_path / "data" / "sandbox.sqlite3")


def _failures(server: SandboxServer) -> list[KlaviyoError]:
    errors: list[KlaviyoError] = []
    for key, base in ((UNKNOWN_KEY, server.url), (SCOPED_KEY, server.url), (LEAK_KEY, "http://127.0.0.1:9")):
        client = KlaviyoClient(ClientConfig(api_key=key, base_url=base, max_retries=0))
        try:
            client.get("/api/profiles" if key == SCOPED_KEY else "/api/accounts")
        except KlaviyoError as exc:
            errors.append(exc)
        assert_clean("client repr", [repr(client), repr(client.config)])
    assert len(errors) == 3
    return errors


def test_core_paths_never_leak(
    server: SandboxServer, memory_keyring: MemoryKeyring, wb_home: Path, tmp_path: Path, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    store = AccountStore()
    record = store.add("Canary", SCOPED_KEY, base_url=server.url)
    store.replace_key("Canary", LEAK_KEY)
    report = check_key(KlaviyoClient(ClientConfig(api_key=LEAK_KEY, base_url=server.url)))
    store.record_test("Canary", report.to_result(), report.account)
    store.set_active("Canary")
    resolved = store.resolve("Canary")
    assert resolved.api_key == LEAK_KEY  # the one place the key is meant to be
    assert_clean("records", [repr(record), repr(store.get("Canary")), repr(resolved), repr(report)])
    errors = _failures(server)
    texts: list[Any] = []
    for exc in errors:
        why = explain(exc)
        texts += [str(exc), repr(exc), exc.args, getattr(exc, "request", None), why.what, why.todo]
    assert_clean("exceptions and explanations", texts)
    assert_files_clean(wb_home, tmp_path / "data")
    store.remove("Canary")
    assert memory_keyring.entries == {}
    assert_clean("logs", [r.getMessage() for r in caplog.records] + [caplog.text])
    assert_clean("sandbox request log", list(server.app.log))


def test_cli_never_leaks(server: SandboxServer, memory_keyring: MemoryKeyring, wb_home: Path, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs = []
    for args, stdin in (
        (["accounts", "add", "Canary", "--base-url", server.url], LEAK_KEY + "\n"),
        (["accounts", "add", "Bad", "--base-url", server.url], UNKNOWN_KEY + "\n"),
        (["accounts", "test", "Canary"], None),
        (["accounts", "use", "Canary"], None),
        (["accounts", "list"], None),
        (["--account", "Canary", "ping"], None),
        (["accounts", "replace-key", "Canary"], f"Klaviyo-API-Key {LEAK_KEY}\n"),  # refused: header pasted
        (["accounts", "remove", "Canary", "--yes"], None),
    ):
        result = runner.invoke(cli_app, args, input=stdin)
        outputs += [result.output, repr(result.exception)]
    assert_clean("CLI output", outputs)
    assert_clean("logs", [caplog.text])
    assert_files_clean(wb_home)


def _element_texts(node: Any) -> list[str]:
    out = [str(getattr(node, "proto", ""))]
    for child in getattr(node, "children", {}).values():
        out += _element_texts(child)
    return out


def test_keys_page_never_leaks(
    server: SandboxServer, memory_keyring: MemoryKeyring, wb_home: Path, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    seen: list[str] = []

    def step() -> None:
        at.run()
        assert not at.exception, at.exception
        seen.extend(_element_texts(at._tree))
        # The password box itself keeps what was typed after a failed test (to be fixed, not retyped): that is
        # the browser's own field; the key must reach nothing else (no other state, text, log or file).
        seen.extend(f"{k}={v!r}" for k, v in at.session_state.to_dict().items() if k != "keys.add.key")

    for key in (UNKNOWN_KEY, LEAK_KEY):  # a failing add, then a good one
        at.text_input(key="keys.add.name").input("Canary")
        at.text_input(key="keys.add.key").input(key)
        at.text_input(key="keys.add.base_url").input(server.url)
        at.button(key="FormSubmitter:keys.add-Test and save").click()
        step()
    record = AccountStore().get("Canary")
    at.button(key=f"keys.test.{record.id}").click()
    step()
    at.button(key=f"keys.use.{record.id}").click()
    step()
    at.text_input(key=f"keys.edit.{record.id}.key").input(f"Klaviyo-API-Key {LEAK_KEY}")  # refused
    at.button(key=f"FormSubmitter:keys.edit.{record.id}-Save changes").click()
    step()
    at.checkbox(key=f"keys.confirm.{record.id}").check()
    step()
    at.button(key=f"keys.remove.{record.id}").click()
    step()
    assert AccountStore().names() == ["Sandbox"]
    assert_clean("the page and its session state", seen)
    assert_clean("logs", [caplog.text])
    assert_files_clean(wb_home)


def test_session_only_key_never_leaks(server: SandboxServer, no_keyring: None, wb_home: Path) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="keys.session.name").input("Canary")
    at.text_input(key="keys.session.key").input(LEAK_KEY)
    at.text_input(key="keys.session.base_url").input(server.url)
    at.button(key="FormSubmitter:keys.session-Test and use for this session").click().run()
    assert not at.exception, at.exception
    shown = _element_texts(at._tree) + [f"{k}={v!r}" for k, v in at.session_state.to_dict().items()]
    assert_clean("the page and its session state", shown)
    assert_files_clean(wb_home)


def test_switching_and_failing_connection_never_leak(
    server: SandboxServer, memory_keyring: MemoryKeyring, wb_home: Path, caplog: Any
) -> None:
    """Through the whole app: switch to the canary account in the sidebar, then a good and a failing call."""
    caplog.set_level(logging.DEBUG)
    store = AccountStore()
    store.add("Canary", LEAK_KEY, base_url=server.url)
    store.add("Revoked", UNKNOWN_KEY, base_url=server.url)
    seen: list[str] = []
    for name, expected in (("Canary", "Connected to"), ("Revoked", "")):
        # a fresh session each time: AppTest drops the app's sidebar elements after switch_page
        at = AppTest.from_file(str(Path(PAGE).parents[2] / "app.py"), default_timeout=60).run()
        at.sidebar.selectbox(key="accounts.switcher").select(name).run()
        at.switch_page("klaviyo_app/app_pages/home.py").run()
        at.sidebar.button(key="sidebar_test_connection").click().run()
        assert not at.exception, at.exception
        shown = [*(s.value for s in at.success), *(e.value for e in at.error)]
        assert any(expected in text for text in shown), shown
        seen += _element_texts(at._tree) + [f"{k}={v!r}" for k, v in at.session_state.to_dict().items()]
    assert any("authentication" in text.lower() or "key" in text.lower() for text in (e.value for e in at.error))
    assert_clean("the app, its sidebar and session state", seen)
    assert_clean("logs", [caplog.text])
    assert_files_clean(wb_home)
