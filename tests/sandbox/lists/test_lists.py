from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import call, error_code


def _create(base: str, name: str) -> dict:
    resp = call(base, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def test_list_crud(sandbox: SandboxServer) -> None:
    created = _create(sandbox.url, "Newsletter")
    assert len(created["id"]) == 6 and created["attributes"]["opt_in_process"] == "single_opt_in"
    got = call(sandbox.url, "GET", f"/api/lists/{created['id']}")
    assert got.json()["data"]["attributes"]["name"] == "Newsletter"
    patched = call(
        sandbox.url,
        "PATCH",
        f"/api/lists/{created['id']}",
        {"data": {"type": "list", "id": created["id"], "attributes": {"name": "VIP"}}},
    )
    assert patched.status_code == 200 and patched.json()["data"]["attributes"]["name"] == "VIP"
    assert call(sandbox.url, "DELETE", f"/api/lists/{created['id']}").status_code == 204
    missing = call(sandbox.url, "GET", f"/api/lists/{created['id']}")
    assert missing.status_code == 404 and error_code(missing) == "not_found"


def test_list_pagination_and_filter(sandbox: SandboxServer) -> None:
    for i in range(13):
        _create(sandbox.url, f"List {i:02d}")
    first = call(sandbox.url, "GET", "/api/lists", params={"sort": "name"}).json()
    assert len(first["data"]) == 10 and first["links"]["next"]
    second = call(sandbox.url, "GET", first["links"]["next"].split(sandbox.url, 1)[1]).json()
    assert [d["attributes"]["name"] for d in second["data"]] == ["List 10", "List 11", "List 12"]
    assert second["links"]["next"] is None
    only = call(sandbox.url, "GET", "/api/lists", params={"filter": 'equals(name,["List 03"])'}).json()
    assert [d["attributes"]["name"] for d in only["data"]] == ["List 03"]


def test_list_validation(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": ""}}})
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    assert resp.json()["errors"][0]["source"]["pointer"] == "/data/attributes/name"
    bad_filter = call(sandbox.url, "GET", "/api/lists", params={"filter": "equals(nmae,'x')"})
    assert bad_filter.status_code == 400 and bad_filter.json()["errors"][0]["source"] == {"parameter": "filter"}
    bad_sort = call(sandbox.url, "GET", "/api/lists", params={"sort": "color"})
    assert bad_sort.status_code == 400
    bad_size = call(sandbox.url, "GET", "/api/lists", params={"page[size]": "50"})
    assert bad_size.status_code == 400


def test_lists_persist_across_restart(sandbox_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "sb.sqlite3"
    first = sandbox_factory(db_path=db)
    created = _create(first.url, "Persistent")
    first.stop()
    second = sandbox_factory(db_path=db)
    assert call(second.url, "GET", f"/api/lists/{created['id']}").status_code == 200


def test_lists_include_their_tags(sandbox: SandboxServer) -> None:
    created = _create(sandbox.url, "Tagged")
    tag = call(sandbox.url, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "Summer"}}})
    assert tag.status_code == 201, tag.text
    tag_id = tag.json()["data"]["id"]
    linked = call(
        sandbox.url,
        "POST",
        f"/api/tags/{tag_id}/relationships/lists",
        {"data": [{"type": "list", "id": created["id"]}]},
    )
    assert linked.status_code == 204
    doc = call(sandbox.url, "GET", "/api/lists", params={"include": "tags"}).json()
    item = next(d for d in doc["data"] if d["id"] == created["id"])
    assert item["relationships"]["tags"]["data"] == [{"type": "tag", "id": tag_id}]
    assert [i["attributes"]["name"] for i in doc["included"]] == ["Summer"]
    one = call(sandbox.url, "GET", f"/api/lists/{created['id']}", params={"include": "tags"}).json()
    assert one["included"][0]["id"] == tag_id
    bad = call(sandbox.url, "GET", "/api/lists", params={"include": "profiles"})
    assert bad.status_code == 400 and error_code(bad) == "invalid"
