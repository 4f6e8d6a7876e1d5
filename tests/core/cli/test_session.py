"""`CliSession`: one invocation's options, with the client and target built once by methods of the session.

Why: `GlobalOptions` used to carry `_client`/`_sandbox_server`/`_target` fields that helper functions filled
and read from outside; the options are now plain and frozen, and the session owns what it builds.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer

from klaviyo_core.accounts import SANDBOX, fetch_account
from klaviyo_core.cli import app
from klaviyo_core.cli.common import CliSession, GlobalOptions, client_from, session, target_from
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY


def test_the_options_are_plain_and_frozen() -> None:
    assert all(not f.name.startswith("_") for f in dataclasses.fields(GlobalOptions))
    with pytest.raises(dataclasses.FrozenInstanceError):
        GlobalOptions().sandbox = True  # type: ignore[misc]


def test_a_sandbox_session_builds_one_client_and_stops_its_server_on_close() -> None:
    closers: list[Callable[[], Any]] = []
    cli = CliSession(GlobalOptions(sandbox=True), closers.append)
    client = cli.client()
    assert cli.client() is client and len(closers) == 1  # one server, one client
    assert cli.target() is cli.target() and cli.target().name == SANDBOX
    assert fetch_account(client).name
    closers[0]()
    address = urlsplit(client.config.base_url)
    with pytest.raises(OSError):  # the throwaway server no longer listens
        socket.create_connection((address.hostname, address.port), timeout=5).close()


def test_the_context_helpers_share_the_root_session(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    ctx = typer.Context(typer.main.get_command(app))
    ctx.obj = GlobalOptions(base_url=sandbox.url)
    assert isinstance(session(ctx), CliSession) and session(ctx) is session(ctx)
    assert client_from(ctx) is session(ctx).client()
    assert target_from(ctx) is session(ctx).target()
    assert client_from(ctx).config.base_url == sandbox.url
