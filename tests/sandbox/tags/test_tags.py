from __future__ import annotations

from typing import Any

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def _group(base: str, name: str, exclusive: bool | None = None) -> dict[str, Any]:
    attrs: dict[str, Any] = {"name": name}
    if exclusive is not None:
        attrs["exclusive"] = exclusive
    resp = call(base, "POST", "/api/tag-groups", {"data": {"type": "tag-group", "attributes": attrs}})
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def _tag(base: str, name: str, group_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": {"type": "tag", "attributes": {"name": name}}}
    if group_id:
        body["data"]["relationships"] = {"tag-group": {"data": {"type": "tag-group", "id": group_id}}}
    resp = call(base, "POST", "/api/tags", body)
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def _list(base: str, name: str) -> str:
    resp = call(base, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})
    return resp.json()["data"]["id"]


def _link(base: str, tag_id: str, type_: str, *ids: str, method: str = "POST") -> Any:
    body = {"data": [{"type": type_, "id": i} for i in ids]}
    return call(base, method, f"/api/tags/{tag_id}/relationships/{type_}s", body)


def test_default_group_exists_and_cannot_be_deleted(sandbox: SandboxServer) -> None:
    groups = call(sandbox.url, "GET", "/api/tag-groups").json()["data"]
    assert [(g["attributes"]["name"], g["attributes"]["default"]) for g in groups] == [("Default", True)]
    resp = call(sandbox.url, "DELETE", f"/api/tag-groups/{groups[0]['id']}")
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    tag = _tag(sandbox.url, "Loose")  # no group given: the default group
    assert tag["relationships"]["tag-group"]["data"]["id"] == groups[0]["id"]
    only_default = call(sandbox.url, "GET", "/api/tag-groups", params={"filter": "equals(default,true)"}).json()
    assert len(only_default["data"]) == 1


def test_tag_group_crud_and_immutable_exclusive(sandbox: SandboxServer) -> None:
    group = _group(sandbox.url, "Season", exclusive=True)
    assert group["attributes"] == {"name": "Season", "exclusive": True, "default": False}
    gid = group["id"]
    renamed = call(
        sandbox.url,
        "PATCH",
        f"/api/tag-groups/{gid}",
        {"data": {"type": "tag-group", "id": gid, "attributes": {"name": "Seasons"}}},
    )
    assert renamed.status_code == 204
    flip = call(
        sandbox.url,
        "PATCH",
        f"/api/tag-groups/{gid}",
        {"data": {"type": "tag-group", "id": gid, "attributes": {"name": "Seasons", "exclusive": False}}},
    )
    assert flip.status_code == 400 and error_code(flip) == "invalid"
    tag = _tag(sandbox.url, "Summer", gid)
    listed = call(sandbox.url, "GET", f"/api/tag-groups/{gid}/tags").json()["data"]
    assert [t["attributes"]["name"] for t in listed] == ["Summer"]
    assert call(sandbox.url, "DELETE", f"/api/tag-groups/{gid}").status_code == 204
    gone = call(sandbox.url, "GET", f"/api/tags/{tag['id']}")
    assert gone.status_code == 404 and error_code(gone) == "not_found"


def test_names_and_duplicates(sandbox: SandboxServer) -> None:
    group = _group(sandbox.url, "Channel")
    _tag(sandbox.url, "Promo", group["id"])
    dup = call(
        sandbox.url,
        "POST",
        "/api/tags",
        {
            "data": {
                "type": "tag",
                "attributes": {"name": "  promo "},
                "relationships": {"tag-group": {"data": {"type": "tag-group", "id": group["id"]}}},
            }
        },
    )
    assert dup.status_code == 409 and error_code(dup) == "duplicate_tag"
    assert dup.json()["errors"][0]["meta"]["duplicate_tag_id"]
    dup_group = call(
        sandbox.url, "POST", "/api/tag-groups", {"data": {"type": "tag-group", "attributes": {"name": "CHANNEL"}}}
    )
    assert dup_group.status_code == 409 and error_code(dup_group) == "duplicate_tag_group"
    blank = call(sandbox.url, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "  "}}})
    assert blank.status_code == 400 and error_code(blank) == "invalid"
    too_long = call(sandbox.url, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "x" * 101}}})
    assert too_long.status_code == 400 and error_code(too_long) == "invalid"
    missing_group = call(
        sandbox.url,
        "POST",
        "/api/tags",
        {
            "data": {
                "type": "tag",
                "attributes": {"name": "Orphan"},
                "relationships": {"tag-group": {"data": {"type": "tag-group", "id": "nope"}}},
            }
        },
    )
    assert missing_group.status_code == 404 and error_code(missing_group) == "not_found"


def test_tag_and_untag_all_four_resource_types(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    tag = _tag(sandbox.url, "Q3")
    list_id = _list(sandbox.url, "Newsletter")
    email = call(sandbox.url, "GET", "/api/campaigns", params={"filter": "equals(messages.channel,'email')"}).json()
    flows = call(sandbox.url, "GET", "/api/flows").json()["data"]
    segments = call(sandbox.url, "GET", "/api/segments").json()["data"]
    targets = {
        "list": list_id,
        "campaign": email["data"][0]["id"],
        "flow": flows[0]["id"],
        "segment": segments[0]["id"],
    }
    for type_, rid in targets.items():
        assert _link(sandbox.url, tag["id"], type_, rid).status_code == 204
        assert _link(sandbox.url, tag["id"], type_, rid).status_code == 204  # linking twice is a no-op
        ids = call(sandbox.url, "GET", f"/api/tags/{tag['id']}/relationships/{type_}s").json()["data"]
        assert ids == [{"type": type_, "id": rid}]
        on_resource = call(sandbox.url, "GET", f"/api/{type_}s/{rid}/tags").json()["data"]
        assert tag["id"] in [t["id"] for t in on_resource]  # seeded resources may carry demo tags too
        rel = call(sandbox.url, "GET", f"/api/{type_}s/{rid}/relationships/tags").json()["data"]
        assert {"type": "tag", "id": tag["id"]} in rel and len(rel) == len(on_resource)
        assert _link(sandbox.url, tag["id"], type_, rid, method="DELETE").status_code == 204
        after = call(sandbox.url, "GET", f"/api/{type_}s/{rid}/tags").json()["data"]
        assert tag["id"] not in [t["id"] for t in after]


def test_link_errors(sandbox: SandboxServer) -> None:
    tag = _tag(sandbox.url, "Q4")
    unknown = _link(sandbox.url, tag["id"], "list", "nolist")
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"
    wrong_type = call(
        sandbox.url, "POST", f"/api/tags/{tag['id']}/relationships/lists", {"data": [{"type": "flow", "id": "x"}]}
    )
    assert wrong_type.status_code == 400 and error_code(wrong_type) == "invalid"
    no_tag = _link(sandbox.url, "00000000-0000-0000-0000-000000000000", "list", _list(sandbox.url, "A"))
    assert no_tag.status_code == 404 and error_code(no_tag) == "not_found"
    resource_missing = call(sandbox.url, "GET", "/api/lists/nolist/tags")
    assert resource_missing.status_code == 404 and error_code(resource_missing) == "not_found"


def test_exclusive_group_allows_one_tag_per_resource(sandbox: SandboxServer) -> None:
    season = _group(sandbox.url, "Season", exclusive=True)
    summer = _tag(sandbox.url, "Summer", season["id"])
    winter = _tag(sandbox.url, "Winter", season["id"])
    list_id = _list(sandbox.url, "Buyers")
    assert _link(sandbox.url, summer["id"], "list", list_id).status_code == 204
    clash = _link(sandbox.url, winter["id"], "list", list_id)
    assert clash.status_code == 409 and error_code(clash) == "conflict"
    assert clash.json()["errors"][0]["meta"]["existing_tag_id"] == summer["id"]
    assert _link(sandbox.url, summer["id"], "list", list_id, method="DELETE").status_code == 204
    assert _link(sandbox.url, winter["id"], "list", list_id).status_code == 204
    other = _group(sandbox.url, "Strategy")  # non-exclusive: many tags on one resource
    for name in ("A", "B"):
        assert _link(sandbox.url, _tag(sandbox.url, name, other["id"])["id"], "list", list_id).status_code == 204
    assert len(call(sandbox.url, "GET", f"/api/lists/{list_id}/tags").json()["data"]) == 3


def test_account_limits(sandbox: SandboxServer) -> None:
    for i in range(49):  # plus the default group: 50
        _group(sandbox.url, f"Group {i:02d}")
    over = call(
        sandbox.url, "POST", "/api/tag-groups", {"data": {"type": "tag-group", "attributes": {"name": "One more"}}}
    )
    assert over.status_code == 400 and error_code(over) == "invalid"
    assert over.json()["errors"][0]["meta"] == {"limit": "tag_groups_per_account", "max": 50}
    list_id = _list(sandbox.url, "Heavily tagged")
    tags = [_tag(sandbox.url, f"T{i:03d}") for i in range(101)]
    for tag in tags[:100]:
        assert _link(sandbox.url, tag["id"], "list", list_id).status_code == 204
    per_resource = _link(sandbox.url, tags[100]["id"], "list", list_id)
    assert per_resource.status_code == 400 and error_code(per_resource) == "invalid"
    assert per_resource.json()["errors"][0]["meta"]["limit"] == "tags_per_resource"
    for i in range(101, 500):
        _tag(sandbox.url, f"T{i:03d}")
    over_tags = call(sandbox.url, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "T500"}}})
    assert over_tags.status_code == 400 and error_code(over_tags) == "invalid"
    assert over_tags.json()["errors"][0]["meta"]["limit"] == "tags_per_account"


def test_tags_pagination_filter_and_include(sandbox: SandboxServer) -> None:
    group = _group(sandbox.url, "Many")
    for i in range(53):
        _tag(sandbox.url, f"Tag {i:02d}", group["id"])
    first = call(sandbox.url, "GET", "/api/tags", params={"sort": "name", "include": "tag-group"}).json()
    assert len(first["data"]) == 50 and first["links"]["next"]
    assert [g["id"] for g in first["included"]] == [group["id"]]
    second = call(sandbox.url, "GET", first["links"]["next"].split(sandbox.url, 1)[1]).json()
    assert [t["attributes"]["name"] for t in second["data"]] == ["Tag 50", "Tag 51", "Tag 52"]
    hits = call(sandbox.url, "GET", "/api/tags", params={"filter": "starts-with(name,'Tag 1')"}).json()["data"]
    assert len(hits) == 10
    bad = call(sandbox.url, "GET", "/api/tags", params={"filter": "equals(color,'red')"})
    assert bad.status_code == 400 and error_code(bad) == "invalid"


def test_delete_tag_removes_its_links(sandbox: SandboxServer) -> None:
    tag = _tag(sandbox.url, "Temp")
    list_id = _list(sandbox.url, "L")
    _link(sandbox.url, tag["id"], "list", list_id)
    renamed = call(
        sandbox.url,
        "PATCH",
        f"/api/tags/{tag['id']}",
        {"data": {"type": "tag", "id": tag["id"], "attributes": {"name": "Tmp"}}},
    )
    assert renamed.status_code == 204
    assert call(sandbox.url, "GET", f"/api/tags/{tag['id']}").json()["data"]["attributes"]["name"] == "Tmp"
    assert call(sandbox.url, "DELETE", f"/api/tags/{tag['id']}").status_code == 204
    assert call(sandbox.url, "GET", f"/api/lists/{list_id}/tags").json()["data"] == []


def test_tag_writes_need_tag_scope(sandbox: SandboxServer) -> None:
    from tests.conftest import READ_ONLY_KEY

    resp = call(
        sandbox.url, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "x"}}}, key=READ_ONLY_KEY
    )
    assert resp.status_code == 403 and error_code(resp) == "permission_denied"


def test_demo_tags_seed_once(sandbox: SandboxServer) -> None:
    from klaviyo_sandbox.tags.links import seed_tags

    first = seed_tags(sandbox.app.store)
    assert first["tags"] == 6 and first["tag_links"] == 8 and first["campaigns"] == 8
    again = seed_tags(sandbox.app.store)
    assert again == {"segments": 0, "campaigns": 0, "flows": 0, "tags": 0, "tag_links": 0}
