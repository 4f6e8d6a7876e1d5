"""Demo segments have real members, evaluated from a rule on every read (issue 16 gap 5)."""

from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def _segment_id(sandbox: SandboxServer, name: str) -> str:
    segments = call(sandbox.url, "GET", "/api/segments").json()["data"]
    return next(s["id"] for s in segments if s["attributes"]["name"] == name)


def test_segment_profiles_follow_the_rule(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=60)
    sid = _segment_id(sandbox, "VIP customers")
    doc = call(sandbox.url, "GET", f"/api/segments/{sid}/profiles", params={"page[size]": "100"}).json()
    members = doc["data"]
    assert members and all(m["attributes"]["properties"]["lifetime_value"] >= 400 for m in members)
    assert all(m["attributes"]["joined_group_at"] for m in members)
    ids = call(sandbox.url, "GET", f"/api/segments/{sid}/relationships/profiles", params={"page[size]": "100"})
    assert [i["id"] for i in ids.json()["data"]] == [m["id"] for m in members]
    one = members[0]
    by_email = call(
        sandbox.url,
        "GET",
        f"/api/segments/{sid}/profiles",
        params={"filter": f"equals(email,'{one['attributes']['email']}')"},
    ).json()["data"]
    assert [p["id"] for p in by_email] == [one["id"]]


def test_profile_segments_are_the_segments_whose_rule_it_meets(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=60)
    sid = _segment_id(sandbox, "Newsletter openers")
    member = call(sandbox.url, "GET", f"/api/segments/{sid}/profiles").json()["data"][0]["id"]
    segments = call(sandbox.url, "GET", f"/api/profiles/{member}/segments").json()["data"]
    assert sid in {s["id"] for s in segments}
    rel = call(sandbox.url, "GET", f"/api/profiles/{member}/relationships/segments").json()["data"]
    assert {r["id"] for r in rel} == {s["id"] for s in segments}


def test_segment_without_a_rule_has_no_members_and_unknown_is_404(sandbox: SandboxServer) -> None:
    from klaviyo_sandbox.taggables.store import insert_segment

    sid = insert_segment(sandbox.app.store, "Hand made")
    assert call(sandbox.url, "GET", f"/api/segments/{sid}/profiles").json()["data"] == []
    missing = call(sandbox.url, "GET", "/api/segments/nope/profiles")
    assert missing.status_code == 404 and error_code(missing) == "not_found"


def test_profile_include_segments_carries_them(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=60)
    sid = _segment_id(sandbox, "Newsletter openers")
    member = call(sandbox.url, "GET", f"/api/segments/{sid}/profiles").json()["data"][0]["id"]
    doc = call(sandbox.url, "GET", f"/api/profiles/{member}", params={"include": "segments"}).json()
    assert sid in {i["id"] for i in doc["included"] if i["type"] == "segment"}


def test_profile_count_on_a_segment_and_a_list(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=60)
    sid = _segment_id(sandbox, "VIP customers")
    counted = call(sandbox.url, "GET", f"/api/segments/{sid}", params={"additional-fields[segment]": "profile_count"})
    members = call(sandbox.url, "GET", f"/api/segments/{sid}/profiles", params={"page[size]": "100"}).json()["data"]
    assert counted.json()["data"]["attributes"]["profile_count"] == len(members)
    list_id = call(sandbox.url, "GET", "/api/lists").json()["data"][0]["id"]
    one = call(sandbox.url, "GET", f"/api/lists/{list_id}", params={"additional-fields[list]": "profile_count"}).json()
    ids = call(sandbox.url, "GET", f"/api/lists/{list_id}/relationships/profiles", params={"page[size]": "100"}).json()
    assert one["data"]["attributes"]["profile_count"] == len(ids["data"])
