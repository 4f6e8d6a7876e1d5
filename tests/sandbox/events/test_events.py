from __future__ import annotations

from typing import Any

import pytest
import requests

from klaviyo_sandbox import SandboxServer
from tests.conftest import READ_ONLY_KEY
from tests.sandbox.engine.helpers import call, error_code, headers


def event_body(
    metric: str = "Started Checkout",
    profile: dict[str, Any] | None = None,
    properties: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "properties": {"ItemNames": ["Tote"], "$value": 42.5} if properties is None else properties,
        "metric": {"data": {"type": "metric", "attributes": {"name": metric}}},
        "profile": {"data": {"type": "profile", "attributes": profile or {"email": "sarah@example.com"}}},
    }
    attributes.update(extra)
    return {"data": {"type": "event", "attributes": attributes}}


def send(base: str, body: dict[str, Any]) -> requests.Response:
    return call(base, "POST", "/api/events", body)


def events(base: str, **params: str) -> dict[str, Any]:
    resp = call(base, "GET", "/api/events", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_create_event_then_read_it_back(sandbox: SandboxServer) -> None:
    resp = send(
        sandbox.url,
        event_body(time="2026-03-01T09:30:15.900-05:00", value=42.5, value_currency="USD", unique_id="order-1"),
    )
    assert resp.status_code == 202 and resp.content == b""
    doc = events(sandbox.url, include="metric,profile")
    [event] = doc["data"]
    assert event["attributes"]["datetime"] == "2026-03-01T14:30:15+00:00"
    assert event["attributes"]["timestamp"] == 1772375415
    props = event["attributes"]["event_properties"]
    assert props["ItemNames"] == ["Tote"] and props["$event_id"] == "order-1"
    included = {(i["type"], i["id"]): i for i in doc["included"]}
    metric = included[("metric", event["relationships"]["metric"]["data"]["id"])]
    profile = included[("profile", event["relationships"]["profile"]["data"]["id"])]
    assert metric["attributes"]["name"] == "Started Checkout"
    assert profile["attributes"]["email"] == "sarah@example.com"
    assert profile["attributes"]["last_event_date"] == "2026-03-01T14:30:15+00:00"
    one = call(sandbox.url, "GET", f"/api/events/{event['id']}")
    assert one.status_code == 200 and one.json()["data"]["attributes"]["uuid"] == event["attributes"]["uuid"]


def test_metric_created_once_and_profile_reused(sandbox: SandboxServer) -> None:
    for i in range(3):
        assert send(sandbox.url, event_body(unique_id=f"u{i}")).status_code == 202
    send(sandbox.url, event_body(profile={"email": "SARAH@example.com", "first_name": "Sarah"}, unique_id="u9"))
    send(sandbox.url, event_body(metric="Viewed Product", unique_id="v1"))
    metrics = call(sandbox.url, "GET", "/api/metrics").json()["data"]
    assert sorted(m["attributes"]["name"] for m in metrics) == ["Started Checkout", "Viewed Product"]
    doc = events(sandbox.url)
    assert len(doc["data"]) == 5
    assert len({e["relationships"]["profile"]["data"]["id"] for e in doc["data"]}) == 1


def test_same_unique_id_is_stored_once(sandbox: SandboxServer) -> None:
    for _ in range(3):
        assert send(sandbox.url, event_body(unique_id="dup-1")).status_code == 202
    assert len(events(sandbox.url)["data"]) == 1


def test_same_second_without_unique_id_collides(sandbox: SandboxServer) -> None:
    send(sandbox.url, event_body(time="2026-01-01T00:00:00Z"))
    send(sandbox.url, event_body(time="2026-01-01T00:00:00.500Z"))
    assert len(events(sandbox.url)["data"]) == 1


def test_profile_by_phone_external_id_and_id(sandbox: SandboxServer) -> None:
    send(sandbox.url, event_body(profile={"phone_number": "+15005550006"}, unique_id="a"))
    send(sandbox.url, event_body(profile={"external_id": "crm-7"}, unique_id="b"))
    doc = events(sandbox.url, include="profile")
    by_id = {p["id"]: p["attributes"] for p in doc["included"]}
    assert sorted(str(a["phone_number"] or a["external_id"]) for a in by_id.values()) == ["+15005550006", "crm-7"]
    known = next(iter(by_id))
    body = event_body(unique_id="c")
    body["data"]["attributes"]["profile"]["data"] = {"type": "profile", "id": known, "attributes": {}}
    assert send(sandbox.url, body).status_code == 202
    mine = events(sandbox.url, filter=f'equals(profile_id,"{known}")')["data"]
    assert len(mine) == 2


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (event_body(metric=""), "/data/attributes/metric/data/attributes/name"),
        (event_body(metric="x" * 128), "/data/attributes/metric/data/attributes/name"),
        (event_body(profile={"first_name": "Nobody"}), "/data/attributes/profile/data/attributes"),
        (event_body(profile={"email": "not-an-email"}), "/data/attributes/profile/data/attributes/email"),
        (event_body(profile={"phone_number": "555-1234"}), "/data/attributes/profile/data/attributes/phone_number"),
        (event_body(time="yesterday"), "/data/attributes/time"),
        (event_body(time="1989-12-31T00:00:00Z"), "/data/attributes/time"),
        (event_body(value="12"), "/data/attributes/value"),
        (event_body(value_currency="dollars"), "/data/attributes/value_currency"),
        (event_body(properties={f"p{i}": i for i in range(401)}), "/data/attributes/properties"),
        (event_body(properties={"html": {"body": "x" * 102_401}}), "/data/attributes/properties/html/body"),
        ({"data": {"type": "event", "attributes": {"metric": {}}}}, "/data/attributes/properties"),
        ({"data": {"type": "profile", "attributes": {}}}, "/data/type"),
    ],
)
def test_invalid_events_point_at_the_field(sandbox: SandboxServer, body: dict[str, Any], pointer: str) -> None:
    resp = send(sandbox.url, body)
    assert resp.status_code == 400 and error_code(resp) == "invalid", resp.text
    assert resp.json()["errors"][0]["source"]["pointer"] == pointer
    assert events(sandbox.url)["data"] == []


def test_unknown_profile_id_is_invalid(sandbox: SandboxServer) -> None:
    body = event_body()
    body["data"]["attributes"]["profile"]["data"] = {"type": "profile", "id": "01NOPE", "attributes": {}}
    resp = send(sandbox.url, body)
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    assert resp.json()["errors"][0]["source"]["pointer"] == "/data/attributes/profile/data/id"


def test_filters_sort_and_pagination(sandbox: SandboxServer) -> None:
    for day in range(1, 8):
        send(sandbox.url, event_body(time=f"2026-02-0{day}T12:00:00Z", unique_id=f"d{day}"))
    send(sandbox.url, event_body(metric="Placed Order", time="2026-02-03T12:00:00Z", unique_id="po"))
    checkout = next(m for m in call(sandbox.url, "GET", "/api/metrics").json()["data"] if "Check" in str(m))
    window = "greater-or-equal(datetime,2026-02-03T00:00:00Z),less-than(datetime,2026-02-06T00:00:00Z)"
    doc = events(sandbox.url, filter=f'equals(metric_id,"{checkout["id"]}"),{window}', sort="-datetime")
    assert [e["attributes"]["datetime"][:10] for e in doc["data"]] == ["2026-02-05", "2026-02-04", "2026-02-03"]
    assert len(events(sandbox.url, filter=window)["data"]) == 4
    assert len(events(sandbox.url, filter="greater-or-equal(timestamp,1770379200)")["data"]) == 2
    first = events(sandbox.url, **{"page[size]": "3", "sort": "timestamp"})
    assert len(first["data"]) == 3 and first["links"]["prev"] is None
    seen = [e["id"] for e in first["data"]]
    link = first["links"].get("next")
    while link:
        page = requests.get(link, headers=headers(), timeout=10).json()
        seen += [e["id"] for e in page["data"]]
        link = page["links"].get("next")
    assert len(seen) == len(set(seen)) == 8


def test_bad_event_queries(sandbox: SandboxServer) -> None:
    cases = [
        {"filter": "equals(email,'a@b.c')"},
        {"filter": "greater-than(datetime,'2026-01-01T00:00:00Z')"},
        {"sort": "metric"},
        {"page[size]": "1001"},
        {"include": "lists"},
    ]
    for params in cases:
        resp = call(sandbox.url, "GET", "/api/events", params=params)
        assert resp.status_code == 400 and error_code(resp) == "invalid", params
    missing = call(sandbox.url, "GET", "/api/events/nope")
    assert missing.status_code == 404 and error_code(missing) == "not_found"


def test_read_only_key_cannot_send(sandbox: SandboxServer) -> None:
    resp = call(sandbox.url, "POST", "/api/events", event_body(), key=READ_ONLY_KEY)
    assert resp.status_code == 403 and error_code(resp) == "permission_denied"


def test_events_persist_across_restart(sandbox_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "sb.sqlite3"
    first = sandbox_factory(db_path=db)
    send(first.url, event_body(unique_id="keep"))
    first.stop()
    second = sandbox_factory(db_path=db)
    assert len(events(second.url)["data"]) == 1


def test_anonymous_id_profiles_and_conflicting_identifiers(sandbox: SandboxServer) -> None:
    send(sandbox.url, event_body(profile={"anonymous_id": "anon-1"}, unique_id="a1"))
    send(sandbox.url, event_body(profile={"anonymous_id": "anon-1"}, unique_id="a2"))
    send(sandbox.url, event_body(profile={"email": "b@example.com"}, unique_id="b1"))
    send(sandbox.url, event_body(profile={"phone_number": "+15005550006"}, unique_id="c1"))
    # email of one profile, phone of another: attached to the first match, no 409 (Klaviyo's events never 409)
    mixed = event_body(profile={"email": "b@example.com", "phone_number": "+15005550006"}, unique_id="m1")
    assert send(sandbox.url, mixed).status_code == 202
    doc = events(sandbox.url, include="profile")
    owners = {
        e["attributes"]["event_properties"]["$event_id"]: e["relationships"]["profile"]["data"]["id"]
        for e in doc["data"]
    }
    assert owners["a1"] == owners["a2"] and owners["m1"] == owners["b1"] != owners["c1"]
    assert len(doc["included"]) == 3
