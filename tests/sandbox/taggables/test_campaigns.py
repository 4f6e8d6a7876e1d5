from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code

EMAIL = {"filter": "equals(messages.channel,'email')"}


def test_campaigns_need_a_channel_filter(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "GET", "/api/campaigns")
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    assert resp.json()["errors"][0]["source"] == {"parameter": "filter"}


def test_seeded_campaigns_by_channel_with_tags(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    doc = call(sandbox.url, "GET", "/api/campaigns", params={**EMAIL, "include": "tags", "sort": "name"}).json()
    names = [c["attributes"]["name"] for c in doc["data"]]
    assert "Summer Sale Launch" in names and "Black Friday SMS Blast" not in names
    launch = next(c for c in doc["data"] if c["attributes"]["name"] == "Summer Sale Launch")
    tag_ids = {t["id"] for t in launch["relationships"]["tags"]["data"]}
    included = {t["id"]: t["attributes"]["name"] for t in doc["included"]}
    assert {included[t] for t in tag_ids} == {"Summer", "Promotional"}
    sms = call(sandbox.url, "GET", "/api/campaigns", params={"filter": "equals(messages.channel,'sms')"}).json()
    assert {c["attributes"]["name"] for c in sms["data"]} == {"Black Friday SMS Blast", "Flash Sale Alert"}
    one = call(sandbox.url, "GET", f"/api/campaigns/{launch['id']}").json()["data"]
    assert one["attributes"]["status"] == "Sent" and "data" not in one["relationships"]["tags"]
    missing = call(sandbox.url, "GET", "/api/campaigns/nope")
    assert missing.status_code == 404 and error_code(missing) == "not_found"


def test_seeding_twice_adds_nothing(sandbox: SandboxServer) -> None:
    from klaviyo_sandbox.taggables.store import seed_campaigns

    seed_demo(sandbox.app.store)
    assert seed_campaigns(sandbox.app.store) == {"campaigns": 0}
