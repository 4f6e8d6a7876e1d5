from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def test_segments_pages_of_ten_and_filters(sandbox: SandboxServer) -> None:
    from klaviyo_sandbox.taggables.store import insert_segment

    seed_demo(sandbox.app.store)
    for i in range(8):
        insert_segment(sandbox.app.store, f"Extra {i}")
    first = call(sandbox.url, "GET", "/api/segments", params={"sort": "name", "include": "tags"}).json()
    assert len(first["data"]) == 10 and first["links"]["next"]
    second = call(sandbox.url, "GET", first["links"]["next"].split(sandbox.url, 1)[1]).json()
    assert len(second["data"]) == 3 and "next" not in second["links"]
    vip = call(sandbox.url, "GET", "/api/segments", params={"filter": "equals(name,['VIP customers'])"}).json()["data"]
    assert len(vip) == 1 and vip[0]["attributes"]["is_active"] is True
    tags = call(sandbox.url, "GET", f"/api/segments/{vip[0]['id']}/tags").json()["data"]
    assert [t["attributes"]["name"] for t in tags] == ["Retention"]
    missing = call(sandbox.url, "GET", "/api/segments/nope")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
