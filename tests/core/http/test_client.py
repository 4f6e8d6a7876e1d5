"""The client against a real sandbox on loopback: headers, errors, pagination, secrets."""

from __future__ import annotations

import logging

import pytest
import requests

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.http.errors import (
    ApiError,
    AuthenticationError,
    BadRequest,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
)
from klaviyo_core.http.explain import explain
from klaviyo_sandbox import KeySpec, SandboxServer
from klaviyo_spec import SPEC_REVISION
from tests.conftest import ADMIN_HEADERS, FULL_KEY

SECRET = "pk_test_DISTINCTIVE_secret_9f8e7d6c5b4a"


def make(sandbox: SandboxServer, key: str = FULL_KEY, **kw: object) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=key, base_url=sandbox.url, **kw))  # type: ignore[arg-type]


def test_config_defaults_and_repr_hide_the_key() -> None:
    config = ClientConfig(api_key=SECRET)
    assert config.revision == SPEC_REVISION
    assert config.connect_timeout > 0 and config.read_timeout > 0
    assert SECRET not in repr(config)
    assert SECRET not in repr(KlaviyoClient(config))
    assert config.key_fingerprint == "pk_...5b4a"


def test_get_accounts_sends_klaviyo_headers(sandbox: SandboxServer) -> None:
    seen: list[dict[str, str]] = []
    sandbox.app.observers.append(lambda req, op, resp: seen.append(req.headers))
    doc = make(sandbox).get("/api/accounts")
    assert doc["data"][0]["type"] == "account"
    assert seen[0]["authorization"] == f"Klaviyo-API-Key {FULL_KEY}"
    assert seen[0]["revision"] == SPEC_REVISION
    assert seen[0]["accept"] == "application/vnd.api+json"


def test_oauth_token_uses_bearer(sandbox: SandboxServer) -> None:
    client = KlaviyoClient(ClientConfig(oauth_token=FULL_KEY, base_url=sandbox.url))
    assert client.get("/api/accounts")["data"]


def test_post_sends_jsonapi_content_type(sandbox: SandboxServer) -> None:
    doc = make(sandbox).post("/api/lists", {"data": {"type": "list", "attributes": {"name": "VIP"}}})
    assert doc["data"]["attributes"]["name"] == "VIP"


def test_post_encoded_sends_the_bytes_as_jsonapi(sandbox: SandboxServer) -> None:
    seen: list[dict[str, str]] = []
    sandbox.app.observers.append(lambda req, op, resp: seen.append(req.headers))
    body = b'{"data":{"type":"list","attributes":{"name":"Z\\u00f6e VIP"}}}'
    doc = make(sandbox).post_encoded("/api/lists", body)
    assert doc["data"]["attributes"]["name"] == "Zöe VIP"
    assert seen[0]["content-type"] == "application/vnd.api+json"
    assert seen[0]["authorization"] == f"Klaviyo-API-Key {FULL_KEY}"


def test_post_encoded_errors_and_429_retries_match_json_path(sandbox: SandboxServer) -> None:
    client = make(sandbox, backoff_base_seconds=0.01)
    with pytest.raises(BadRequest) as info:
        client.post_encoded("/api/lists", b'{"data":{"type":"list","attributes":{"name":""}}}')
    assert info.value.status == 400 and info.value.source == {"pointer": "/data/attributes/name"}
    requests.put(
        sandbox.url + "/__sandbox/faults",
        json={"throttle_rate": 1.0, "retry_after": 0},
        headers=ADMIN_HEADERS,
        timeout=5,
    )
    sent: list[int] = []
    sandbox.app.observers.append(lambda req, op, resp: sent.append(resp.status))
    with pytest.raises(RateLimited) as throttled:
        make(sandbox, max_retries=2, backoff_base_seconds=0.01).post_encoded("/api/lists", b'{"data":{}}')
    assert throttled.value.status == 429 and throttled.value.code == "throttled"
    assert len(sent) == 3, "429 is retried for an encoded body exactly as for json="


def test_post_takes_json_or_content_not_both(sandbox: SandboxServer) -> None:
    with pytest.raises(ValueError, match="not both"):
        make(sandbox).request("POST", "/api/lists", json={"data": {}}, content=b"{}")


@pytest.mark.parametrize(
    ("key", "exc_type", "code"),
    [("pk_test_unknown_000000000000000000", AuthenticationError, "authentication_failed")],
)
def test_status_table(sandbox: SandboxServer, key: str, exc_type: type[ApiError], code: str) -> None:
    with pytest.raises(exc_type) as info:
        make(sandbox, key).get("/api/accounts")
    assert info.value.status == 401 and info.value.code == code


def test_permission_denied_names_scope(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(keys=(KeySpec("pk_test_profiles_only_0000000000", frozenset({"profiles:read"})),))
    with pytest.raises(PermissionDenied) as info:
        make(sb, "pk_test_profiles_only_0000000000").get("/api/accounts")
    assert info.value.code == "permission_denied"
    assert "accounts:read" in explain(info.value).what


def test_not_found_and_bad_request(sandbox: SandboxServer) -> None:
    client = make(sandbox)
    with pytest.raises(NotFound):
        client.get("/api/lists/nope00")
    with pytest.raises(BadRequest) as info:
        client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": ""}}})
    assert info.value.source == {"pointer": "/data/attributes/name"}
    assert "name" in explain(info.value).what


def test_iter_resources_follows_next_links(sandbox: SandboxServer) -> None:
    client = make(sandbox)
    for i in range(25):
        client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": f"L{i:02d}"}}})
    names = [item["attributes"]["name"] for item in client.iter_resources("/api/lists", {"sort": "name"})]
    assert names == [f"L{i:02d}" for i in range(25)]


def test_key_never_in_exception_or_log(sandbox_factory, caplog) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(keys=(KeySpec("pk_test_other_000000000000000000"),))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as info:
        make(sb, SECRET).get("/api/accounts")
    exc = info.value
    texts = [str(exc), repr(exc), str(explain(exc)), repr(exc.request), caplog.text]
    assert all(SECRET not in t for t in texts)
    assert exc.request is not None and "5b4a" in exc.request.headers["Authorization"]


def test_public_key_is_explained(sandbox: SandboxServer) -> None:
    with pytest.raises(AuthenticationError) as info:
        make(sandbox, "AbC123").get("/api/accounts")
    assert "public key" in explain(info.value).what


def test_connection_refused_is_explained() -> None:
    sock_port = _free_port()
    client = KlaviyoClient(
        ClientConfig(api_key=SECRET, base_url=f"http://127.0.0.1:{sock_port}", max_retries=1, backoff_base_seconds=0.01)
    )
    with pytest.raises(ConnectionFailed) as info:
        client.get("/api/accounts")
    assert "Could not connect" in explain(info.value).what
    assert SECRET not in str(info.value)


def test_read_timeout_is_explained(sandbox: SandboxServer) -> None:
    requests.put(sandbox.url + "/__sandbox/faults", json={"latency_ms": 400}, headers=ADMIN_HEADERS, timeout=5)
    client = make(sandbox, read_timeout=0.1, max_retries=0)
    with pytest.raises(RequestTimeout) as info:
        client.get("/api/accounts")
    assert "did not answer in time" in explain(info.value).what


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
