"""Hostile input gets a 400 with a pointer, never a 500 (issue 14.9); non-standard JSON is refused both ways;
a chunked body is refused, not run as a second request; an idle connection is closed.

Every API answer here goes through the conftest observer, so the 400s are checked against the spec too.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.sandbox.engine.helpers import call, headers

EVENT = {
    "properties": {"ItemNames": ["Tote"]},
    "metric": {"data": {"type": "metric", "attributes": {"name": "Placed Order"}}},
    "profile": {"data": {"type": "profile", "attributes": {"email": "sarah@example.com"}}},
}


def post_raw(sb: SandboxServer, path: str, raw: bytes) -> requests.Response:
    hdrs = {**headers(), "Content-Type": "application/vnd.api+json"}
    return requests.post(sb.url + path, data=raw, headers=hdrs, timeout=30)


def error(resp: requests.Response) -> dict[str, Any]:
    assert resp.status_code == 400, (resp.status_code, resp.text[:300])
    first: dict[str, Any] = resp.json()["errors"][0]
    assert first["code"] == "invalid" and first["source"], first
    return first


def test_deeply_nested_json_is_a_400(sandbox: SandboxServer) -> None:
    raw = b'{"data":{"type":"list","attributes":{"name":' + b"[" * 100_000 + b"]" * 100_000 + b"}}}"
    assert "pointer" in error(post_raw(sandbox, "/api/lists", raw))["source"]


def test_nested_but_parseable_json_past_the_depth_limit_names_where(sandbox: SandboxServer) -> None:
    deep: Any = 1
    for _ in range(100):
        deep = {"x": deep}
    body = {"data": {"type": "event", "attributes": {**EVENT, "properties": {"deep": deep}}}}
    first = error(call(sandbox.url, "POST", "/api/events", body))
    assert first["source"]["pointer"].startswith("/data/attributes/properties/deep/x/x")


@pytest.mark.parametrize("number", ["9" * 400, "-" + "9" * 400, "1e999", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_numbers_json_cannot_hold_are_a_400_with_a_pointer(sandbox: SandboxServer, number: str) -> None:
    raw = json.dumps({"data": {"type": "event", "attributes": {**EVENT, "value": "N"}}}).replace('"N"', number)
    first = error(post_raw(sandbox, "/api/events", raw.encode()))
    assert first["source"]["pointer"] in ("/data/attributes/value", "/data")


def test_three_thousand_nested_ands_are_a_400(sandbox: SandboxServer) -> None:
    text = "and(" * 3000 + 'equals(email,"a@b.co")' + ")" * 3000
    resp = call(sandbox.url, "GET", "/api/profiles", params={"filter": text})
    assert error(resp)["source"] == {"parameter": "filter"}


@pytest.mark.parametrize("offset", [2**63, 2**64 + 5, 10**400, -1])
def test_a_cursor_offset_out_of_range_is_a_400(sandbox: SandboxServer, offset: int) -> None:
    cursor = base64.urlsafe_b64encode(f"next::offset::{offset}".encode()).decode().rstrip("=")
    resp = call(sandbox.url, "GET", "/api/profiles", params={"page[cursor]": cursor})
    assert error(resp)["source"]


def test_the_sandbox_never_emits_infinity(sandbox: SandboxServer) -> None:
    from klaviyo_sandbox.engine.http import Response

    assert b"Infinity" not in Response(200, {"x": 1.5}).encode()
    with pytest.raises(ValueError):
        Response(200, {"x": float("inf")}).encode()


def _raw_exchange(sb: SandboxServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", sb.port), timeout=10) as sock:
        sock.sendall(request)
        chunks: list[bytes] = []
        while True:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


def test_a_chunked_body_is_refused_and_never_run_as_a_request(sandbox: SandboxServer) -> None:
    smuggled = b"DELETE /api/lists/XYZ HTTP/1.1\r\nHost: x\r\n\r\n"
    body = f"{len(smuggled):x}\r\n".encode() + smuggled + b"\r\n0\r\n\r\n"
    request = (
        b"POST /api/lists HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Klaviyo-API-Key {FULL_KEY}\r\nrevision: 2026-07-15\r\n".encode()
        + b"Content-Type: application/vnd.api+json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + body
    )
    answer = _raw_exchange(sandbox, request)
    assert answer.startswith((b"HTTP/1.1 501", b"HTTP/1.1 400")), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1  # one answer: the chunk was not read as a second request
    assert b"Transfer-Encoding" in answer or b"chunked" in answer


def test_idle_connections_are_closed(sandbox_factory: Callable[..., SandboxServer]) -> None:
    sb = sandbox_factory(idle_timeout=0.3)
    with socket.create_connection(("127.0.0.1", sb.port), timeout=10) as sock:
        deadline = time.monotonic() + 10
        assert sock.recv(1) == b""  # the server hangs up on its own
        assert time.monotonic() < deadline
