"""An event's metric and profile (issue 16 gap 5)."""

from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def test_event_metric_and_profile(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=20)
    event = call(sandbox.url, "GET", "/api/events", params={"page[size]": "1"}).json()["data"][0]
    eid = event["id"]
    metric_id = event["relationships"]["metric"]["data"]["id"]
    profile_id = event["relationships"]["profile"]["data"]["id"]
    metric = call(sandbox.url, "GET", f"/api/events/{eid}/metric").json()["data"]
    assert metric["type"] == "metric" and metric["id"] == metric_id and metric["attributes"]["name"]
    assert call(sandbox.url, "GET", f"/api/events/{eid}/relationships/metric").json()["data"]["id"] == metric_id
    profile = call(sandbox.url, "GET", f"/api/events/{eid}/profile").json()["data"]
    assert profile["type"] == "profile" and profile["id"] == profile_id
    assert call(sandbox.url, "GET", f"/api/events/{eid}/relationships/profile").json()["data"]["id"] == profile_id
    missing = call(sandbox.url, "GET", "/api/events/nope/metric")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
