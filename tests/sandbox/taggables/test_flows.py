from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def test_flows_list_filter_sort_and_tags(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    doc = call(sandbox.url, "GET", "/api/flows", params={"sort": "-name", "include": "tags"}).json()
    names = [f["attributes"]["name"] for f in doc["data"]]
    assert names == sorted(names, reverse=True) and len(names) == 6
    welcome = next(f for f in doc["data"] if f["attributes"]["name"] == "Welcome Series")
    assert [
        t["attributes"]["name"]
        for t in doc["included"]
        if t["id"] in {r["id"] for r in welcome["relationships"]["tags"]["data"]}
    ] == ["Onboarding"]
    live = call(sandbox.url, "GET", "/api/flows", params={"filter": "equals(status,'live')"}).json()["data"]
    assert {f["attributes"]["status"] for f in live} == {"live"}
    bad = call(sandbox.url, "GET", "/api/flows", params={"include": "flow-actions"})
    assert bad.status_code == 400 and error_code(bad) == "invalid"
    missing = call(sandbox.url, "GET", "/api/flows/nope/relationships/tags")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
