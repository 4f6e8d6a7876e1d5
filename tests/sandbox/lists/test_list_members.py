from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import call, error_code
from tests.sandbox.profiles.bulk_helpers import all_pages, create_list


def _profiles(base: str, count: int) -> list[str]:
    out = []
    for i in range(count):
        body = {"data": {"type": "profile", "attributes": {"email": f"m{i:02d}@example.com"}}}
        resp = call(base, "POST", "/api/profiles", body)
        assert resp.status_code == 201, resp.text
        out.append(resp.json()["data"]["id"])
    return out


def _members(ids: list[str]) -> dict:
    return {"data": [{"type": "profile", "id": i} for i in ids]}


def test_add_list_and_remove_members(sandbox: SandboxServer) -> None:
    list_id = create_list(sandbox.url, "VIP")
    ids = _profiles(sandbox.url, 23)
    path = f"/api/lists/{list_id}/relationships/profiles"
    added = call(sandbox.url, "POST", path, _members(ids))
    assert added.status_code == 204 and added.content == b""
    assert call(sandbox.url, "POST", path, _members(ids[:3])).status_code == 204  # adding twice is harmless
    related = all_pages(sandbox.url, path)
    assert sorted(r["id"] for r in related) == sorted(ids) and len(related) == 23
    members = all_pages(sandbox.url, f"/api/lists/{list_id}/profiles", **{"page[size]": "10"})
    assert len(members) == 23 and all(m["attributes"]["joined_group_at"] for m in members)
    one = call(
        sandbox.url, "GET", f"/api/lists/{list_id}/profiles", params={"filter": 'equals(email,"m05@example.com")'}
    ).json()["data"]
    assert [m["id"] for m in one] == [ids[5]]
    removed = call(sandbox.url, "DELETE", path, _members(ids[:20]))
    assert removed.status_code == 204
    left = all_pages(sandbox.url, path)
    assert sorted(r["id"] for r in left) == sorted(ids[20:])
    on_profile = call(sandbox.url, "GET", f"/api/profiles/{ids[21]}/lists").json()["data"]
    assert [x["id"] for x in on_profile] == [list_id]
    assert call(sandbox.url, "GET", f"/api/profiles/{ids[0]}/relationships/lists").json()["data"] == []


def test_membership_never_changes_consent(sandbox: SandboxServer) -> None:
    list_id = create_list(sandbox.url, "Newsletter")
    (pid,) = _profiles(sandbox.url, 1)
    call(sandbox.url, "POST", f"/api/lists/{list_id}/relationships/profiles", _members([pid]))
    got = call(sandbox.url, "GET", f"/api/profiles/{pid}", params={"additional-fields[profile]": "subscriptions"})
    assert got.json()["data"]["attributes"]["subscriptions"]["email"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"


def test_membership_validation(sandbox: SandboxServer) -> None:
    list_id = create_list(sandbox.url, "Checks")
    path = f"/api/lists/{list_id}/relationships/profiles"
    too_many = call(sandbox.url, "POST", path, _members([f"id{i}" for i in range(1001)]))
    assert too_many.status_code == 400 and error_code(too_many) == "invalid"
    unknown = call(sandbox.url, "POST", path, _members(["01UNKNOWNPROFILE0000000000"]))
    assert unknown.status_code == 400 and error_code(unknown) == "invalid"
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/data/0/id"
    wrong = call(sandbox.url, "POST", path, {"data": [{"type": "list", "id": "x"}]})
    assert wrong.status_code == 400 and error_code(wrong) == "invalid"
    no_list = call(sandbox.url, "POST", "/api/lists/nope00/relationships/profiles", _members(["x"]))
    assert no_list.status_code == 404 and error_code(no_list) == "not_found"
    bad_sort = call(sandbox.url, "GET", f"/api/lists/{list_id}/profiles", params={"sort": "email"})
    assert bad_sort.status_code == 400 and error_code(bad_sort) == "invalid"
