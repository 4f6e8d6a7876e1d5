"""Shared fixtures: a real sandbox on a free loopback port whose every answer is checked against the spec."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.engine.http import Request, Response
from tests.spec_validation import response_errors, spec_available

FULL_KEY = "pk_test_full_access_0000000000000001"
READ_ONLY_KEY = "pk_test_read_only_00000000000000002"
ADMIN_TOKEN = "test-admin-token-not-secret"  # every test sandbox's admin token (admin routes need it)
ADMIN_HEADERS = {"X-Sandbox-Admin-Token": ADMIN_TOKEN}
KEYS = (
    KeySpec(FULL_KEY),
    KeySpec(READ_ONLY_KEY, frozenset({"accounts:read", "profiles:read", "lists:read", "metrics:read", "events:read"})),
)


@pytest.fixture(autouse=True)
def _no_real_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the developer's real data dir: the CLI and the app tighten it at start (issue 14 item 7).
    Tests that set KLAVIYO_WORKBENCH_HOME themselves (wb_home, the app's fixtures) override this."""
    if not os.environ.get("KLAVIYO_WORKBENCH_HOME"):
        monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path_factory.getbasetemp() / "default-home"))


def _spec_observer(problems: list[str]) -> Callable[[Request, str, Response], None]:
    def observe(req: Request, op_id: str, resp: Response) -> None:
        if op_id == "-" or not spec_available():
            return
        body = json.loads(resp.encode()) if resp.body is not None else None
        problems.extend(response_errors(req.method, req.path, resp.status, body))

    return observe


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes with custom settings: `sandbox_factory(window_scale=0.1, db_path=...)`."""
    servers: list[SandboxServer] = []
    problems: list[str] = []

    def start(**overrides: object) -> SandboxServer:
        defaults = SandboxConfig(
            keys=KEYS, admin=True, admin_token=ADMIN_TOKEN, rate_limits=False, job_step_seconds=0.02
        )
        config = replace(defaults, **overrides)  # type: ignore[arg-type]
        server = SandboxServer(config)
        server.app.observers.append(_spec_observer(problems))
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()
    assert not problems, "sandbox answers that do not match the OpenAPI spec:\n" + "\n".join(problems[:20])


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    """A fresh in-memory sandbox: admin routes on, rate limits off (tests of limits turn them on)."""
    return sandbox_factory()


@pytest.fixture
def client(sandbox: SandboxServer) -> KlaviyoClient:
    """A client with every scope on that sandbox, as most core tests need (a module may define its own)."""
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
