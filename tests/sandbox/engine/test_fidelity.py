"""What independent Klaviyo clients rely on beyond the spec's letter (issue 16 gaps 2, 3, 6, 8, 9)."""

from __future__ import annotations

import re
import socket
import struct
from typing import Any

import pytest

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY
from tests.sandbox.engine.helpers import call


def test_links_next_and_prev_are_always_present(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=30)
    first = call(sandbox.url, "GET", "/api/profiles", params={"page[size]": "20"}).json()["links"]
    assert first["next"] and first["prev"] is None
    last = first
    for _ in range(50):  # a bounded walk to the last page
        if last["next"] is None:
            break
        last = call(sandbox.url, "GET", last["next"].removeprefix(sandbox.url)).json()["links"]
    assert last["next"] is None and last["prev"]
    one_page = call(sandbox.url, "GET", "/api/tags").json()["links"]
    assert one_page["next"] is None and one_page["prev"] is None


WHOLE_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
STAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _stamps(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _stamps(v)]
    if isinstance(node, list):
        return [s for v in node for s in _stamps(v)]
    return [node] if isinstance(node, str) and STAMP_LIKE.match(node) else []


def test_resource_timestamps_are_whole_seconds_like_the_spec_examples(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=20)
    email = {"filter": "equals(messages.channel,'email')", "include": "campaign-messages"}
    reads = [
        ("/api/profiles", {"additional-fields[profile]": "subscriptions"}),
        ("/api/events", {}),
        ("/api/lists", {}),
        ("/api/segments", {}),
        ("/api/flows", {}),
        ("/api/metrics", {}),
        ("/api/campaigns", email),
    ]
    found: list[str] = []
    for path, params in reads:
        found += _stamps(call(sandbox.url, "GET", path, params=params).json())
    assert len(found) > 20
    assert [s for s in found if not WHOLE_SECONDS.match(s)] == []


def test_server_header_has_no_trailing_space(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "GET", "/api/accounts")
    assert resp.headers["Server"] == "KlaviyoSandbox/1.0"


def test_a_client_resetting_a_keep_alive_connection_is_no_traceback(
    sandbox: SandboxServer, capfd: pytest.CaptureFixture[str]
) -> None:
    request = (
        f"GET /api/accounts HTTP/1.1\r\nHost: 127.0.0.1:{sandbox.port}\r\n"
        f"Authorization: Klaviyo-API-Key {FULL_KEY}\r\nrevision: 2026-07-15\r\n\r\n"
    ).encode()
    for send in (request, request[:20], request * 3):  # after an answer, mid-request, mid-pipeline
        conn = socket.create_connection(("127.0.0.1", sandbox.port))
        conn.sendall(send)
        if send is request:
            conn.recv(65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a RST
        conn.close()
    assert call(sandbox.url, "GET", "/api/accounts").status_code == 200  # the server still answers
    assert "Traceback" not in capfd.readouterr().err


def test_page_cursor_may_be_the_whole_next_link(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=30)
    first = call(sandbox.url, "GET", "/api/profiles", params={"page[size]": "10"}).json()
    by_link = call(
        sandbox.url, "GET", "/api/profiles", params={"page[size]": "10", "page[cursor]": first["links"]["next"]}
    )
    assert by_link.status_code == 200
    by_cursor = call(sandbox.url, "GET", first["links"]["next"].removeprefix(sandbox.url)).json()
    assert [p["id"] for p in by_link.json()["data"]] == [p["id"] for p in by_cursor["data"]]
    assert not {p["id"] for p in first["data"]} & {p["id"] for p in by_cursor["data"]}
    bad = call(
        sandbox.url, "GET", "/api/profiles", params={"page[cursor]": "http://x/api/profiles?page%5Bcursor%5D=zz"}
    )
    assert bad.status_code == 400


def test_unmodelled_operation_is_a_501_without_retry_after(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "GET", "/api/coupons")
    assert resp.status_code == 501 and "Retry-After" not in resp.headers


def test_user_properties_that_look_like_timestamps_are_answered_as_sent(sandbox: SandboxServer) -> None:
    stamp = "2024-09-27T00:00:00.123456+00:00"
    doc = {"data": {"type": "profile", "attributes": {"email": "p@example.com", "properties": {"seen": stamp}}}}
    created = call(sandbox.url, "POST", "/api/profiles", doc).json()["data"]
    assert created["attributes"]["properties"] == {"seen": stamp}
    assert WHOLE_SECONDS.match(created["attributes"]["created"])
