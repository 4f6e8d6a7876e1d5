"""The key goes to the configured origin only: pagination links and redirects elsewhere are refused (issue 14.5).

Two loopback servers on different ports: "home" (the configured base URL) and "elsewhere", which records every
request it gets. Nothing the client does may make "elsewhere" see the key, and a write is never re-sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.http.errors import ForeignOrigin, RedirectNotFollowed
from klaviyo_core.http.explain import explain

KEY = "pk_test_origin_0123456789abcdef"


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str, bytes]]  # (method, path, authorization, body)
    routes: dict[str, tuple[int, dict[str, str], bytes]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append((self.command, self.path, self.headers.get("Authorization", ""), body))
        status, headers, payload = self.routes.get(self.path.split("?")[0], (404, {}, b'{"errors": []}'))
        self.send_response(status)
        for name, value in {"Content-Type": "application/vnd.api+json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(host: str) -> tuple[ThreadingHTTPServer, type[_Recorder]]:
    handler = type("Handler", (_Recorder,), {"seen": [], "routes": {}})
    server = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


@pytest.fixture
def servers() -> Iterator[tuple[str, type[_Recorder], str, type[_Recorder]]]:
    home, home_h = _serve("127.0.0.1")
    other, other_h = _serve("127.0.0.1")
    try:
        yield f"http://127.0.0.1:{home.server_port}", home_h, f"http://127.0.0.1:{other.server_port}", other_h
    finally:
        for server in (home, other):
            server.shutdown()
            server.server_close()


def _client(base: str) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=KEY, base_url=base, pace=False, max_retries=0))


def _page(next_url: str | None) -> bytes:
    return json.dumps({"data": [{"type": "list", "id": "L1"}], "links": {"next": next_url}}).encode()


def test_links_next_to_another_origin_is_refused(servers: tuple[str, type[_Recorder], str, type[_Recorder]]) -> None:
    base, home, other_base, other = servers
    home.routes["/api/lists"] = (200, {}, _page(f"{other_base}/api/lists?page[cursor]=x"))
    client = _client(base)
    with pytest.raises(ForeignOrigin) as caught:
        list(client.iter_resources("/api/lists"))
    assert other.seen == []
    assert KEY not in str(caught.value)
    assert "nothing was sent there" in explain(caught.value).what


def test_links_next_on_the_same_origin_is_followed(servers: tuple[str, type[_Recorder], str, type[_Recorder]]) -> None:
    base, home, _, other = servers
    home.routes["/api/lists"] = (200, {}, _page(f"{base}/api/lists2"))
    home.routes["/api/lists2"] = (200, {}, _page(None))
    assert len(list(_client(base).iter_resources("/api/lists"))) == 2
    assert other.seen == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_read_redirect_to_another_origin_is_refused(
    servers: tuple[str, type[_Recorder], str, type[_Recorder]], status: int
) -> None:
    base, home, other_base, other = servers
    home.routes["/api/lists"] = (status, {"Location": f"{other_base}/api/lists"}, b"")
    with pytest.raises(ForeignOrigin):
        _client(base).get("/api/lists")
    assert other.seen == []


def test_read_redirect_on_the_same_origin_is_followed(
    servers: tuple[str, type[_Recorder], str, type[_Recorder]],
) -> None:
    base, home, _, _ = servers
    home.routes["/api/lists"] = (302, {"Location": "/api/lists-moved"}, b"")
    home.routes["/api/lists-moved"] = (200, {}, _page(None))
    assert _client(base).get("/api/lists")["data"][0]["id"] == "L1"


@pytest.mark.parametrize("status", [302, 307, 308])
def test_write_redirect_is_not_followed_and_the_body_is_not_resent(
    servers: tuple[str, type[_Recorder], str, type[_Recorder]], status: int
) -> None:
    base, home, _, other = servers
    home.routes["/api/profiles"] = (status, {"Location": f"{base}/api/profiles-moved"}, b"")
    with pytest.raises(RedirectNotFollowed) as caught:
        _client(base).post("/api/profiles", {"data": {"type": "profile", "attributes": {"email": "a@example.com"}}})
    assert [m for m, *_ in home.seen] == ["POST"]  # sent once, never re-sent
    assert other.seen == []
    assert "does not follow redirects on writes" in explain(caught.value).what


def test_an_absolute_url_on_another_origin_is_refused_before_connecting(
    servers: tuple[str, type[_Recorder], str, type[_Recorder]],
) -> None:
    base, _, other_base, other = servers
    with pytest.raises(ForeignOrigin):
        _client(base).get(f"{other_base}/api/lists")
    assert other.seen == []
