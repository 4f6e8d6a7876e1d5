"""Each sandbox database is its own account: a lasting id made on first start, kept across restarts and resets.

Why: the workbench binds checkpoints and plans to the account id from GET /api/accounts, so two sandboxes
must not answer the same id, and one sandbox must keep its id when it restarts (on another port)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import requests

from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS
from tests.sandbox.engine.helpers import call


def _account_id(server: SandboxServer) -> str:
    return str(call(server.url, "GET", "/api/accounts").json()["data"][0]["id"])


def test_two_databases_are_two_accounts(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> None:
    first = sandbox_factory(db_path=tmp_path / "a.sqlite3")
    second = sandbox_factory(db_path=tmp_path / "b.sqlite3")
    assert _account_id(first) != _account_id(second)
    assert len(_account_id(first)) == 6 and _account_id(first).isalnum()


def test_the_id_lasts_across_restart_and_reset(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> None:
    db = tmp_path / "one.sqlite3"
    first = sandbox_factory(db_path=db)
    before = _account_id(first)
    assert requests.post(first.url + "/__sandbox/reset", headers=ADMIN_HEADERS, timeout=10).status_code in (200, 204)
    assert _account_id(first) == before
    first.stop()
    again = sandbox_factory(db_path=db)
    assert _account_id(again) == before


def test_an_explicit_public_key_wins(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(public_key="AbC123")
    assert _account_id(server) == "AbC123" == server.config.account_id
