"""/api/templates lists demo templates, which connectors read by default (issue 16 gap 9)."""

from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def test_demo_templates_are_listed_and_fetched(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=5)
    doc = call(sandbox.url, "GET", "/api/templates", params={"sort": "name"}).json()
    names = [t["attributes"]["name"] for t in doc["data"]]
    assert names == sorted(names) and "Welcome Email" in names and doc["links"]["next"] is None
    welcome = next(t for t in doc["data"] if t["attributes"]["name"] == "Welcome Email")
    assert "<html>" in welcome["attributes"]["html"] and welcome["attributes"]["editor_type"] == "CODE"
    one = call(sandbox.url, "GET", f"/api/templates/{welcome['id']}").json()["data"]
    assert one["id"] == welcome["id"]
    found = call(sandbox.url, "GET", "/api/templates", params={"filter": "contains(name,'Sale')"}).json()["data"]
    assert [t["attributes"]["name"] for t in found] == ["Summer Sale"]
    missing = call(sandbox.url, "GET", "/api/templates/nope")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
