"""Read-only campaign messages beside the demo campaigns (issue 16 gap 1)."""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code


def _campaign(sandbox: SandboxServer, channel: str, name: str, **params: str) -> dict[str, Any]:
    query = {"filter": f"equals(messages.channel,'{channel}')", **params}
    doc = call(sandbox.url, "GET", "/api/campaigns", params=query).json()
    campaign = next(c for c in doc["data"] if c["attributes"]["name"] == name)
    return {"doc": doc, "campaign": campaign}


def test_include_campaign_messages_on_the_list_carries_email_content(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    found = _campaign(sandbox, "email", "Summer Sale Launch", include="campaign-messages,tags")
    rel = found["campaign"]["relationships"]["campaign-messages"]
    assert len(rel["data"]) == 1 and rel["links"]["related"].endswith("/campaign-messages")
    message = next(i for i in found["doc"]["included"] if i["id"] == rel["data"][0]["id"])
    definition = message["attributes"]["definition"]
    assert definition["channel"] == "email" and definition["content"]["subject"] == "Summer Sale Launch"
    sent = found["campaign"]["attributes"]["send_time"]
    assert message["attributes"]["send_times"] == [{"datetime": sent, "is_local": False}]
    assert message["relationships"]["campaign"]["data"] == {"type": "campaign", "id": found["campaign"]["id"]}


def test_sms_message_and_campaign_routes(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    campaign = _campaign(sandbox, "sms", "Flash Sale Alert")["campaign"]
    cid = campaign["id"]
    one = call(sandbox.url, "GET", f"/api/campaigns/{cid}", params={"include": "campaign-messages"}).json()
    assert one["included"][0]["attributes"]["definition"]["content"]["body"].startswith("Sandbox Store")
    messages = call(sandbox.url, "GET", f"/api/campaigns/{cid}/campaign-messages").json()["data"]
    ids = call(sandbox.url, "GET", f"/api/campaigns/{cid}/relationships/campaign-messages").json()["data"]
    assert [m["id"] for m in messages] == [i["id"] for i in ids] and len(ids) == 1
    mid = ids[0]["id"]
    message = call(sandbox.url, "GET", f"/api/campaign-messages/{mid}", params={"include": "campaign"}).json()
    assert message["included"][0]["id"] == cid
    assert call(sandbox.url, "GET", f"/api/campaign-messages/{mid}/campaign").json()["data"]["id"] == cid
    rel = call(sandbox.url, "GET", f"/api/campaign-messages/{mid}/relationships/campaign").json()
    assert rel["data"] == {"type": "campaign", "id": cid}
    missing = call(sandbox.url, "GET", "/api/campaign-messages/nope")
    assert missing.status_code == 404 and error_code(missing) == "not_found"


def test_scheduled_campaign_message_has_its_send_time(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    campaign = _campaign(sandbox, "email", "Welcome Back Offer", include="campaign-messages")
    scheduled = campaign["campaign"]["attributes"]["scheduled_at"]
    mid = campaign["campaign"]["relationships"]["campaign-messages"]["data"][0]["id"]
    message = next(i for i in campaign["doc"]["included"] if i["id"] == mid)
    assert scheduled and [t["datetime"] for t in message["attributes"]["send_times"]] == [scheduled]


def test_recipient_estimation_counts_subscribed_profiles(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store)
    cid = _campaign(sandbox, "email", "Summer Sale Launch")["campaign"]["id"]
    doc = call(sandbox.url, "GET", f"/api/campaign-recipient-estimations/{cid}").json()["data"]
    assert doc["type"] == "campaign-recipient-estimation" and doc["id"] == cid
    assert isinstance(doc["attributes"]["estimated_recipient_count"], int)
    assert doc["attributes"]["estimated_recipient_count"] > 0
