"""The client against a sandbox with faults switched on: real sockets, real 429s, real 5xx, dropped links."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.http.errors import RateLimited, ServerError
from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY


def faults(sandbox: SandboxServer, **settings: Any) -> None:
    resp = requests.put(sandbox.url + "/__sandbox/faults", json=settings, headers=ADMIN_HEADERS, timeout=5)
    assert resp.status_code == 200, resp.text


def log(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return [
        e
        for e in requests.get(sandbox.url + "/__sandbox/requests", headers=ADMIN_HEADERS, timeout=5).json()["requests"]
        if e["path"].startswith("/api")
    ]


def client(sandbox: SandboxServer, **kw: Any) -> KlaviyoClient:
    # Pacing off: these sandboxes answer without rate limits, and the spec's 15/min for accounts would crawl.
    settings: dict[str, Any] = {"backoff_base_seconds": 0.01, "max_retries": 12, "pace": False}
    settings.update(kw)
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, **settings))


@pytest.mark.slow
def test_200_gets_survive_503s_and_a_429_storm(sandbox: SandboxServer) -> None:
    faults(sandbox, error_rate=0.3, error_statuses=[502, 503, 504], throttle_rate=0.025, retry_after=1, seed=42)
    c = client(sandbox)
    for _ in range(200):
        assert c.get("/api/accounts")["data"]
    entries = log(sandbox)
    assert sum(1 for e in entries if e["status"] == 200) == 200
    throttled = [i for i, e in enumerate(entries) if e["status"] == 429]
    assert throttled, "the storm should have produced 429s"
    for i in throttled:  # the next attempt never starts before Retry-After has passed
        if i + 1 < len(entries):
            assert entries[i + 1]["time"] - entries[i]["time"] >= entries[i]["retry_after"] - 0.01
    assert c.stats.retries == len(entries) - 200
    assert c.stats.retry_wait < 200  # bounded: every wait is capped


def test_dropped_connections_are_retried_for_gets(sandbox: SandboxServer) -> None:
    faults(sandbox, drop_rate=0.3, seed=7)
    c = client(sandbox)
    for _ in range(30):
        assert c.get("/api/lists")["data"] == []


def test_retry_after_beyond_the_cap_is_reported_not_slept(sandbox: SandboxServer) -> None:
    faults(sandbox, throttle_rate=1.0, retry_after=120)
    c = client(sandbox, max_wait_seconds=2)
    with pytest.raises(RateLimited) as info:
        c.get("/api/accounts")
    assert info.value.retry_after == 120
    assert c.stats.retry_wait == 0


def test_total_wait_is_capped(sandbox: SandboxServer) -> None:
    faults(sandbox, error_rate=1.0, error_statuses=[503])
    c = client(sandbox, backoff_base_seconds=0.05, max_retries=50, max_total_wait_seconds=0.5)
    with pytest.raises(ServerError):
        c.get("/api/accounts")
    assert c.stats.retry_wait <= 0.5


def test_plain_post_is_not_retried_on_5xx(sandbox: SandboxServer) -> None:
    faults(sandbox, error_rate=1.0, error_statuses=[503])
    c = client(sandbox)
    with pytest.raises(ServerError):
        c.post("/api/lists", {"data": {"type": "list", "attributes": {"name": "Once"}}})
    assert c.stats.requests == 1


def test_idempotent_post_is_retried_on_5xx(sandbox: SandboxServer) -> None:
    faults(sandbox, error_rate=0.5, error_statuses=[503], seed=3, paths=["/api/lists"])
    c = client(sandbox)
    for i in range(10):
        c.post("/api/lists", {"data": {"type": "list", "attributes": {"name": f"L{i}"}}}, idempotent=True)
    assert len(list(c.iter_resources("/api/lists"))) == 10


def test_429_is_retried_even_for_plain_posts(sandbox: SandboxServer) -> None:
    faults(sandbox, throttle_rate=1.0, retry_after=1, paths=["/api/lists"])
    c = client(sandbox, max_retries=1)
    with pytest.raises(RateLimited):
        c.post("/api/lists", {"data": {"type": "list", "attributes": {"name": "x"}}})
    assert c.stats.requests == 2  # 429 means "not processed": always safe to retry


def test_client_pacing_avoids_429s(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    # GET /api/accounts scaled by 0.1: 1 per 100 ms, 15 per 6 s. 100 ms windows keep scheduling jitter on a
    # loaded 2-core box from bunching two paced calls into one server window.
    sb = sandbox_factory(rate_limits=True, window_scale=0.1)
    c = client(sb, rate_limit_scale=0.1, pace=True)
    for _ in range(12):
        assert c.get("/api/accounts")["data"]
    assert c.stats.throttled <= 1  # scheduling jitter on a loaded 2-core box may cost one
    assert c.stats.pacing_wait > 0
    assert c.rate_limit_status()["get_accounts"].limit == 15
