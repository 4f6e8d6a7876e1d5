"""The request pipeline every route shares: auth, revision, scopes, media type, sizes, routing."""

from __future__ import annotations

from datetime import date, timedelta

import requests

from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY, READ_ONLY_KEY
from tests.sandbox.engine.helpers import call, error_code, headers


def test_accounts_answers_with_spec_shape(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "GET", "/api/accounts")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/vnd.api+json"
    account = resp.json()["data"][0]
    assert account["type"] == "account"
    assert account["attributes"]["public_api_key"] == sandbox.config.public_key
    one = call(sandbox.url, "GET", f"/api/accounts/{account['id']}")
    assert one.status_code == 200 and one.json()["data"]["id"] == account["id"]


def test_missing_authorization_is_not_authenticated(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "GET", "/api/accounts", key=None)
    assert resp.status_code == 401 and error_code(resp) == "not_authenticated"


def test_wrong_scheme_is_not_authenticated(sandbox: SandboxServer) -> None:
    resp = requests.get(sandbox.url + "/api/accounts", headers={**headers(None), "Authorization": FULL_KEY}, timeout=5)
    assert resp.status_code == 401 and error_code(resp) == "not_authenticated"


def test_unknown_key_is_authentication_failed(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "GET", "/api/accounts", key="pk_test_unknown_key_0000000000000")
    assert resp.status_code == 401 and error_code(resp) == "authentication_failed"


def test_missing_scope_is_permission_denied(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    from klaviyo_sandbox import KeySpec

    sb = sandbox_factory(keys=(KeySpec("pk_test_noacct", frozenset({"profiles:read"})),))
    resp = call(sb.url, "GET", "/api/accounts", key="pk_test_noacct")
    assert resp.status_code == 403 and error_code(resp) == "permission_denied"


def test_read_only_key_reads(sandbox: SandboxServer) -> None:
    assert call(sandbox.url, "GET", "/api/accounts", key=READ_ONLY_KEY).status_code == 200


def test_revision_rules(sandbox: SandboxServer) -> None:
    missing = requests.get(sandbox.url + "/api/accounts", headers=headers(revision=None), timeout=5)
    assert missing.status_code == 400 and error_code(missing) == "invalid"
    assert missing.json()["errors"][0]["source"] == {"parameter": "revision"}
    bad = requests.get(sandbox.url + "/api/accounts", headers=headers(revision="July 2026"), timeout=5)
    assert bad.status_code == 400 and error_code(bad) == "invalid"
    future = (date.today() + timedelta(days=2)).isoformat()
    fut = requests.get(sandbox.url + "/api/accounts", headers=headers(revision=future), timeout=5)
    assert fut.status_code == 400 and "future" in fut.json()["errors"][0]["detail"]
    newer = requests.get(sandbox.url + "/api/accounts", headers=headers(revision=date.today().isoformat()), timeout=5)
    assert newer.status_code == 200
    pre = requests.get(sandbox.url + "/api/accounts", headers=headers(revision="2026-01-15.pre"), timeout=5)
    assert pre.status_code == 200


def test_unknown_route_404_and_wrong_method_405(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "GET", "/api/no-such-thing")
    assert resp.status_code == 404 and error_code(resp) == "not_found"
    resp = call(sandbox.url, "DELETE", "/api/accounts")
    assert resp.status_code == 405 and error_code(resp) == "method_not_allowed"


def test_wrong_content_type_is_415(sandbox: SandboxServer) -> None:
    resp = requests.post(
        sandbox.url + "/api/events",
        data=b"a=b",
        headers={**headers(), "Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert resp.status_code == 415 and error_code(resp) == "unsupported_media_type"


def test_oversized_body_is_413(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(max_body_bytes=1024)
    resp = requests.post(
        sb.url + "/api/events",
        data=b"x" * 2048,
        headers={**headers(), "Content-Type": "application/vnd.api+json"},
        timeout=5,
    )
    assert resp.status_code == 413 and error_code(resp) == "request_too_large"


def test_rate_limit_headers_and_429(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(rate_limits=True, window_scale=10.0)  # 10 s "second": the burst of 1 is certainly exhausted
    first = call(sb.url, "GET", "/api/accounts")
    assert first.status_code == 200
    assert first.headers["RateLimit-Limit"] == "15"
    assert first.headers["RateLimit-Remaining"] == "14"
    assert int(first.headers["RateLimit-Reset"]) > 0
    second = call(sb.url, "GET", "/api/accounts")
    assert second.status_code == 429 and error_code(second) == "throttled"
    assert int(second.headers["Retry-After"]) >= 1
    assert "RateLimit-Limit" not in second.headers
    assert "Expected available in" in second.json()["errors"][0]["detail"]


def test_admin_routes_are_off_by_default(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(admin=False)
    assert requests.post(sb.url + "/__sandbox/reset", headers=ADMIN_HEADERS, timeout=5).status_code == 404


def test_injected_faults_then_clear(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(rate_limits=False)
    set_ = requests.put(
        sb.url + "/__sandbox/faults",
        json={"error_rate": 1.0, "error_statuses": [503]},
        headers=ADMIN_HEADERS,
        timeout=5,
    )
    assert set_.status_code == 200
    assert call(sb.url, "GET", "/api/accounts").status_code == 503
    requests.delete(sb.url + "/__sandbox/faults", headers=ADMIN_HEADERS, timeout=5)
    assert call(sb.url, "GET", "/api/accounts").status_code == 200


def test_dropped_connection_fault(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    sb = sandbox_factory(rate_limits=False)
    requests.put(sb.url + "/__sandbox/faults", json={"drop_rate": 1.0}, headers=ADMIN_HEADERS, timeout=5)
    try:
        call(sb.url, "GET", "/api/accounts")
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the connection should have been dropped")


def test_bad_fault_settings_are_explained(sandbox: SandboxServer) -> None:
    resp = requests.put(sandbox.url + "/__sandbox/faults", json={"eror_rate": 1}, headers=ADMIN_HEADERS, timeout=5)
    assert resp.status_code == 400 and "Unknown fault settings" in resp.json()["errors"][0]["detail"]
