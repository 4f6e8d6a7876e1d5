"""What the client accepts as an answer (issues 14.9, 14.10): standard JSON:API only, both ways.

A proxy's `200 text/html` is an explained error, not an empty success; NaN/Infinity are never sent and never
accepted; the key is masked anywhere in an error object. Servers are real loopback servers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.cli import app
from klaviyo_core.http.errors import ApiError
from klaviyo_core.http.explain import explain
from tests.core.http.test_origin import _Recorder, _serve

KEY = "pk_test_answers_0123456789abcdef"
HTML = b"<html><body><h1>Please sign in</h1>to continue to the corporate network</body></html>"


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Recorder]]]:
    httpd, handler = _serve("127.0.0.1")
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _client(base: str) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=KEY, base_url=base, pace=False, max_retries=0))


@pytest.mark.parametrize(
    ("content_type", "payload"),
    [("text/html", HTML), ("application/json", b'{"hello": "proxy"}'), ("application/json", b'{"data": NaN}')],
)
def test_a_success_that_is_not_jsonapi_is_an_explained_error(
    server: tuple[str, type[_Recorder]], content_type: str, payload: bytes
) -> None:
    base, handler = server
    handler.routes["/api/metrics"] = (200, {"Content-Type": content_type}, payload)
    with pytest.raises(ApiError) as caught:
        _client(base).get("/api/metrics")
    explanation = explain(caught.value)
    assert "instead of an API answer" in explanation.what and "HTTP 200" in explanation.what
    assert "base URL" in explanation.todo


def test_metrics_list_does_not_say_no_metrics_for_a_proxy_page(
    server: tuple[str, type[_Recorder]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, handler = server
    handler.routes["/api/metrics"] = (200, {"Content-Type": "text/html"}, HTML)
    monkeypatch.setenv("KLAVIYO_API_KEY", KEY)
    result = CliRunner().invoke(app, ["--base-url", base, "metrics", "list"])
    assert result.exit_code == 3, result.output
    assert "No metrics yet" not in result.output and "web page" in result.output and "Please sign in" in result.output


def test_nan_is_never_sent(server: tuple[str, type[_Recorder]]) -> None:
    base, handler = server
    with pytest.raises(ValueError, match="not a finite number"):
        _client(base).post("/api/events", {"data": {"type": "event", "attributes": {"value": float("nan")}}})
    assert handler.seen == []


def test_the_key_is_masked_anywhere_in_an_error_object(server: tuple[str, type[_Recorder]]) -> None:
    base, handler = server
    item = {
        "id": KEY,
        "code": f"bad_{KEY}",
        "title": f"Key {KEY} refused",
        "detail": f"detail {KEY}",
        "source": {"pointer": f"/data/{KEY}"},
        "meta": {"echo": [KEY, {KEY: KEY}]},
    }
    handler.routes["/api/lists"] = (400, {}, json.dumps({"errors": [item]}).encode())
    with pytest.raises(ApiError) as caught:
        _client(base).get("/api/lists")
    exc = caught.value
    for text in (str(exc), repr(exc.errors), str(explain(exc)), exc.code, exc.title, repr(exc.meta)):
        assert KEY not in str(text)
    assert "pk_...cdef" in str(exc.errors)
