"""A list's opt-in setting is readable and settable as the spec has it; `profile_count` reads have their own,
stricter rate limit (1/s, 15/m, stated in get_list's and get_segment's descriptions) (issue 18 item 1)."""

from __future__ import annotations

from collections.abc import Callable

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def _patch(base: str, list_id: str, attributes: dict[str, object]) -> dict[str, object]:
    resp = call(
        base, "PATCH", f"/api/lists/{list_id}", {"data": {"type": "list", "id": list_id, "attributes": attributes}}
    )
    return {"status": resp.status_code, "body": resp.json()}


def test_opt_in_process_is_read_and_set(sandbox: SandboxServer) -> None:
    body = {"data": {"type": "list", "attributes": {"name": "Double", "opt_in_process": "double_opt_in"}}}
    created = call(sandbox.url, "POST", "/api/lists", body).json()["data"]
    assert created["attributes"]["opt_in_process"] == "double_opt_in"
    changed = _patch(sandbox.url, created["id"], {"opt_in_process": "single_opt_in"})
    assert changed["status"] == 200
    got = call(sandbox.url, "GET", f"/api/lists/{created['id']}").json()["data"]["attributes"]
    assert got == {**got, "opt_in_process": "single_opt_in", "name": "Double"}
    bad = call(
        sandbox.url,
        "PATCH",
        f"/api/lists/{created['id']}",
        {"data": {"type": "list", "id": created["id"], "attributes": {"opt_in_process": "triple"}}},
    )
    assert bad.status_code == 400 and error_code(bad) == "invalid"
    assert bad.json()["errors"][0]["source"]["pointer"] == "/data/attributes/opt_in_process"


def test_profile_count_has_its_own_stricter_limit(sandbox_factory: Callable[..., SandboxServer]) -> None:
    sb = sandbox_factory(rate_limits=True, window_scale=10.0)  # a 10 s "second": the burst of 1 stays spent
    seed_demo(sb.app.store, profiles=20)
    list_id = call(sb.url, "GET", "/api/lists").json()["data"][0]["id"]
    count = {"additional-fields[list]": "profile_count"}
    first = call(sb.url, "GET", f"/api/lists/{list_id}", params=count)
    assert first.status_code == 200 and first.headers["RateLimit-Limit"] == "15"
    assert isinstance(first.json()["data"]["attributes"]["profile_count"], int)
    second = call(sb.url, "GET", f"/api/lists/{list_id}", params=count)
    assert second.status_code == 429 and error_code(second) == "throttled"
    plain = call(sb.url, "GET", f"/api/lists/{list_id}")  # plain reads keep 75/s, 750/m
    assert plain.status_code == 200 and plain.headers["RateLimit-Limit"] == "750"
    segment_id = call(sb.url, "GET", "/api/segments").json()["data"][0]["id"]
    seg = {"additional-fields[segment]": "profile_count"}
    assert call(sb.url, "GET", f"/api/segments/{segment_id}", params=seg).status_code == 200
    assert call(sb.url, "GET", f"/api/segments/{segment_id}", params=seg).status_code == 429


def test_members_searched_by_email_server_side(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=30)
    list_id = call(sandbox.url, "GET", "/api/lists").json()["data"][0]["id"]
    members = call(sandbox.url, "GET", f"/api/lists/{list_id}/profiles", params={"page[size]": "100"}).json()["data"]
    emails = [m["attributes"]["email"] for m in members[:2]]
    found = call(
        sandbox.url,
        "GET",
        f"/api/lists/{list_id}/profiles",
        params={"filter": f'any(email,["{emails[0]}","{emails[1].upper()}"])'},
    ).json()["data"]
    assert sorted(m["attributes"]["email"] for m in found) == sorted(emails)
