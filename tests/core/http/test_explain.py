"""Every failure a user can cause is explained: what happened and what to do, never a key."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.http.errors import ApiError, RequestInfo
from klaviyo_core.http.explain import explain
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY


def api_error(status: int, code: str | None = None, **extra: object) -> ApiError:
    errors = [{"code": code, "title": "t", "detail": f"detail for {code}", **extra}] if code else []
    info = RequestInfo(
        "GET", "https://a.klaviyo.com/api/lists", {"Authorization": "Klaviyo-API-Key pk_...abcd"}, "get_lists"
    )
    return ApiError(status, errors, request=info, body_excerpt="" if code else "<html>Blocked</html>")


@pytest.mark.parametrize(
    ("status", "code", "needle"),
    [
        (400, "invalid", "invalid"),
        (401, "authentication_failed", "did not accept this API key"),
        (401, "not_authenticated", "No usable API key"),
        (403, "permission_denied", "lists:read"),
        (404, "not_found", "could not find"),
        (405, "method_not_allowed", "does not accept"),
        (409, "duplicate_profile", "already exists"),
        (410, "gone", "retired"),
        (413, "request_too_large", "too large"),
        (415, "unsupported_media_type", "content type"),
        (429, "throttled", "rate-limiting"),
        (500, "error", "server problem"),
        (503, "error", "server problem"),
    ],
)
def test_every_status_has_words(status: int, code: str, needle: str) -> None:
    explanation = explain(api_error(status, code))
    assert needle in explanation.what
    assert explanation.todo


def test_duplicate_profile_names_the_existing_id() -> None:
    exc = api_error(409, "duplicate_profile", meta={"duplicate_profile_id": "01ABC"})
    assert "01ABC" in explain(exc).what


def test_revision_problem() -> None:
    exc = api_error(400, "invalid", source={"parameter": "revision"})
    assert "revision" in explain(exc).what.lower()


def test_non_json_html_body() -> None:
    explanation = explain(api_error(502))
    assert "web page" in explanation.what


class _HtmlProxy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body><h1>403 Forbidden</h1>Access denied by proxy</body></html>"
        self.send_response(403)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def html_proxy() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _HtmlProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_html_403_from_a_proxy_is_survived(html_proxy: str) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=html_proxy, pace=False))
    with pytest.raises(ApiError) as info:
        client.get("/api/accounts")
    assert info.value.status == 403 and not info.value.is_json
    assert "proxy or firewall" in explain(info.value).what
    assert "Access denied" in info.value.body_excerpt


def test_malformed_revision_from_the_sandbox(sandbox: SandboxServer) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, revision="2026-13-45", pace=False))
    with pytest.raises(ApiError) as info:
        client.get("/api/accounts")
    assert info.value.status == 400 and info.value.code == "invalid"
    assert "revision" in explain(info.value).what.lower()


def test_sandbox_unmodelled_route_is_explained(sandbox: SandboxServer) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, pace=False, max_retries=0))
    with pytest.raises(ApiError) as info:
        client.get("/api/coupons")
    assert info.value.status == 501
    assert "sandbox does not model" in explain(info.value).what


def test_unexpected_exception_gets_words() -> None:
    assert "ZeroDivisionError" in explain(ZeroDivisionError("x")).what
