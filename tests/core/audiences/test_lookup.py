"""Profile lookup against a real sandbox: by email, phone and id, with consent, lists, segments and events."""

from __future__ import annotations

from typing import Any

import pytest

from klaviyo_core.audiences import ProfileView, consent_rows, find_profile, identifier_kind
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY


def _client(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def _vip(client: KlaviyoClient) -> dict[str, Any]:
    segments = client.get("/api/segments")["data"]
    sid = next(s["id"] for s in segments if s["attributes"]["name"] == "VIP customers")
    member: dict[str, Any] = client.get(f"/api/segments/{sid}/profiles")["data"][0]
    return {"segment": sid, **member}


def test_lookup_by_email_shows_lists_segments_and_latest_events(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=40)
    client = _client(sandbox)
    vip = _vip(client)
    view = find_profile(client, f"  {vip['attributes']['email']} ")
    assert isinstance(view, ProfileView) and view.id == vip["id"]
    assert view.identifiers["email"] == vip["attributes"]["email"]
    assert vip["segment"] in {sid for sid, _ in view.segments} and "VIP customers" in {n for _, n in view.segments}
    lists = {item["id"] for item in client.get(f"/api/profiles/{vip['id']}/lists")["data"]}
    assert {lid for lid, _ in view.lists} == lists
    assert view.properties["lifetime_value"] >= 400
    assert {(c.channel, c.kind) for c in view.consent} >= {("email", "marketing"), ("sms", "marketing")}


def _event(client: KlaviyoClient, profile_id: str, metric: str, time: str, value: float | None = None) -> None:
    attrs: dict[str, Any] = {
        "properties": {},
        "time": time,
        "metric": {"data": {"type": "metric", "attributes": {"name": metric}}},
        "profile": {"data": {"type": "profile", "id": profile_id, "attributes": {}}},
    }
    if value is not None:
        attrs["value"] = value
    client.post("/api/events", {"data": {"type": "event", "attributes": attrs}})


def test_latest_events_are_newest_first_with_metric_names(sandbox: SandboxServer) -> None:
    client = _client(sandbox)
    body = {"data": {"type": "profile", "attributes": {"email": "ada@example.com"}}}
    pid = client.post("/api/profiles", body)["data"]["id"]
    _event(client, pid, "Viewed Product", "2026-11-01T10:00:00+00:00")
    _event(client, pid, "Placed Order", "2026-11-02T10:00:00+00:00", 52.2)
    view = find_profile(client, "ada@example.com")
    assert view is not None
    assert [(e.metric, e.value) for e in view.events] == [("Placed Order", 52.2), ("Viewed Product", None)]
    assert view.events[0].datetime.startswith("2026-11-02")


def test_lookup_by_phone_and_by_id_and_nobody(sandbox: SandboxServer) -> None:
    client = _client(sandbox)
    body = {"data": {"type": "profile", "attributes": {"phone_number": "+15555550123", "first_name": "Ada"}}}
    created = client.post("/api/profiles", body)["data"]
    by_phone = find_profile(client, "+15555550123")
    assert by_phone is not None and by_phone.id == created["id"] and by_phone.name == "Ada"
    assert by_phone.lists == () and by_phone.events == ()
    by_id = find_profile(client, created["id"])
    assert by_id is not None and by_id.identifiers == {"phone_number": "+15555550123"}
    assert find_profile(client, "nobody@example.com") is None
    assert find_profile(client, "01NOSUCHPROFILE0000000000X") is None


@pytest.mark.parametrize(
    ("text", "kind"), [("a@example.com", "email"), ("+447700900123", "phone_number"), ("01ABC", "id")]
)
def test_identifier_kind(text: str, kind: str) -> None:
    assert identifier_kind(text) == kind


@pytest.mark.parametrize("text", ["", "   ", 'a"@example.com', "abc/../../accounts", "01AB?x=1", "ÄBC"])
def test_identifier_that_cannot_be_looked_up_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"identifier|email|profile id"):
        identifier_kind(text)


def test_consent_rows_flatten_channels_and_suppression() -> None:
    subs = {
        "email": {"marketing": {"consent": "UNSUBSCRIBED", "can_receive_email_marketing": False,
                                "suppression": [{"reason": "HARD_BOUNCE", "timestamp": "2026-01-01T00:00:00+00:00"}]}},
        "sms": {"marketing": {"consent": "SUBSCRIBED", "can_receive_sms_marketing": True}},
    }  # fmt: skip
    rows = consent_rows(subs)
    assert [(r.channel, r.kind, r.consent, r.can_receive, r.suppressed) for r in rows] == [
        ("email", "marketing", "UNSUBSCRIBED", False, ("HARD_BOUNCE",)),
        ("sms", "marketing", "SUBSCRIBED", True, ()),
    ]
