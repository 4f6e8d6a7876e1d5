"""Sending test events to a real sandbox: read-back, explanations, the LIVE guard, retries, bulk."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from klaviyo_core.accounts import LiveWriteNotConfirmed, Target, confirm_live, identify
from klaviyo_core.events.bulk import bulk_bodies, events_for_profiles, sample_profile_emails, send_bulk
from klaviyo_core.events.model import build_event
from klaviyo_core.events.send import LiveSendNotConfirmed, find_stored, live_guard, send, suggest_test_address
from klaviyo_core.events.templates import get_template
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY, READ_ONLY_KEY
from tests.spec_validation import request_errors, require_spec


def make(sandbox: SandboxServer, key: str = FULL_KEY, **kw: Any) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=key, base_url=sandbox.url, **kw))


def admin(sandbox: SandboxServer, method: str, path: str, body: Any = None) -> Any:
    return requests.request(method, sandbox.url + path, json=body, headers=ADMIN_HEADERS, timeout=10).json()


def api_log(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return [r for r in admin(sandbox, "GET", "/__sandbox/requests")["requests"] if r["path"].startswith("/api/")]


def stored_count(client: KlaviyoClient, unique_id: str) -> int:
    return sum(
        1 for e in client.iter_resources("/api/events") if e["attributes"]["event_properties"]["$event_id"] == unique_id
    )


def test_send_reads_the_event_back(sandbox: SandboxServer) -> None:
    client = make(sandbox)
    event = get_template("Started Checkout").build(email="sarah@example.com")
    result = send(client, event)
    assert result.ok and result.status == 202 and result.read_back == "stored"
    assert result.stored is not None and result.stored.metric_name == "Started Checkout"
    assert result.stored.profile_email == "sarah@example.com"
    assert result.stored.event_id in result.outcome and FULL_KEY not in repr(result)
    assert result.request.headers["Authorization"] == "Klaviyo-API-Key pk_...0001"


def test_failure_comes_back_explained(sandbox: SandboxServer) -> None:
    result = send(make(sandbox, READ_ONLY_KEY), build_event("Viewed Product", email="a@example.com"))
    assert not result.ok and result.status == 403 and result.explanation is not None
    assert result.response["errors"][0]["code"] == "permission_denied"
    assert "events" in (result.explanation.what + result.explanation.todo).lower()


def live_target(sandbox: SandboxServer, name: str = "Acme Store") -> Target:
    """The sandbox as a LIVE-marked account (the user's setting), so a LIVE send can be counted safely."""
    return identify(make(sandbox), name, marked_live=True)


def test_live_send_needs_a_fresh_confirmation(sandbox: SandboxServer) -> None:
    client = make(sandbox)
    target = live_target(sandbox)
    admin(sandbox, "DELETE", "/__sandbox/requests")
    event = build_event("Placed Order", email="customer@shop.com")
    for typed in (None, "", "acme", "Acme Store "[:-2]):
        with pytest.raises(LiveWriteNotConfirmed):
            send(client, event, target=target, confirmation=confirm_live(target, "send 1 event", typed))
    with pytest.raises(LiveSendNotConfirmed):
        send(client, event, target=target)
    assert api_log(sandbox) == []
    token = confirm_live(target, "send 1 event", " Acme Store ")
    result = send(client, event, target=target, confirmation=token)
    assert result.ok and result.read_back == "not checked (LIVE account)"
    assert [r["operation"] for r in api_log(sandbox)] == ["create_event"]
    with pytest.raises(LiveSendNotConfirmed, match="used by an earlier write"):
        send(client, event, target=target, confirmation=token)
    assert len(api_log(sandbox)) == 1


def test_a_klaviyo_base_url_is_live_without_a_target() -> None:
    client = KlaviyoClient(ClientConfig(api_key="pk_test_not_a_real_key_000", base_url="https://a.klaviyo.com"))
    with pytest.raises(LiveSendNotConfirmed):
        send(client, build_event("Viewed Product", email="a@example.com"))


def test_guard_texts_warn_and_suggest_a_test_address() -> None:
    guard = live_guard("Acme Store", build_event("Started Checkout", email="jane.doe+x@acme.com"))
    assert "LIVE" in guard.warning and "Started Checkout" in guard.warning and "jane.doe+x@acme.com" in guard.warning
    assert "jane.doe+klaviyo-test@acme.com" in guard.suggestion
    assert suggest_test_address(None) == "you+klaviyo-test@yourcompany.com"


def test_a_429_during_a_send_is_retried_not_lost(sandbox: SandboxServer) -> None:
    client = make(sandbox, backoff_base_seconds=0.01)
    faults = {"throttle_rate": 0.5, "retry_after": 0, "paths": ["/api/events"], "seed": 1}
    admin(sandbox, "PUT", "/__sandbox/faults", faults)
    admin(sandbox, "DELETE", "/__sandbox/requests")
    events = [build_event("Started Checkout", email=f"r{i}@example.com") for i in range(5)]
    results = [send(client, e, read_back=False) for e in events]
    statuses = [r["status"] for r in api_log(sandbox) if r["operation"] == "create_event"]
    admin(sandbox, "DELETE", "/__sandbox/faults")
    assert all(r.ok for r in results), [r.outcome for r in results]
    assert 429 in statuses and statuses.count(202) == 5
    for event in events:
        assert stored_count(client, event.unique_id) == 1


def test_find_stored_gives_up_at_the_deadline(sandbox: SandboxServer) -> None:
    ticks = iter(range(100))
    waits: list[float] = []
    event = build_event("Never Sent", email="a@example.com")
    found = find_stored(make(sandbox), event, timeout=3, clock=lambda: float(next(ticks)), pause=waits.append)
    assert found is None and len(waits) >= 1


def test_bulk_to_n_test_profiles(sandbox: SandboxServer) -> None:
    client = make(sandbox)
    base = get_template("Viewed Product").build(email="you@example.com")
    events = events_for_profiles(base, sample_profile_emails(1205, "qa+klaviyo-test@example.com"))
    assert len({e.unique_id for e in events}) == 1205
    progress: list[tuple[int, int]] = []
    result = send_bulk(client, events, progress=lambda done, total: progress.append((done, total)))
    assert result.ok and result.batches == 2 and result.accepted_events == 1205
    assert progress == [(1000, 1205), (1205, 1205)]
    admin(sandbox, "POST", "/__sandbox/jobs/wait", {"timeout": 20})
    stored = list(client.iter_resources("/api/events", {"page[size]": "1000"}))
    assert len(stored) == 1205


def test_bulk_bodies_match_the_spec_and_group_by_profile() -> None:
    require_spec()
    events = [build_event("A", email="a@example.com"), build_event("B", email="a@example.com")]
    events.append(build_event("A", phone_number="+15005550006", value=3, value_currency="EUR"))
    [body] = bulk_bodies(events)
    entries = body["data"]["attributes"]["events-bulk-create"]["data"]
    assert [len(e["attributes"]["events"]["data"]) for e in entries] == [2, 1]
    assert request_errors("POST", "/api/event-bulk-create-jobs", body) == []


def test_bulk_live_needs_confirmation_and_a_second_send_asks_again(sandbox: SandboxServer) -> None:
    client = make(sandbox)
    target = live_target(sandbox, "Acme")
    events = [build_event("A", email="a@example.com")]
    with pytest.raises(LiveSendNotConfirmed):
        send_bulk(client, events, target=target)
    token = confirm_live(target, "send 1 event", "Acme")
    assert send_bulk(client, events, target=target, confirmation=token).accepted_events == 1
    with pytest.raises(LiveSendNotConfirmed, match="used by an earlier write"):
        send_bulk(client, events, target=target, confirmation=token)


def test_a_server_side_rejection_names_the_field(sandbox: SandboxServer) -> None:
    result = send(make(sandbox), build_event("Viewed Product", profile_id="01UNKNOWNPROFILE"))
    assert not result.ok and result.status == 400 and result.explanation is not None
    assert result.response["errors"][0]["code"] == "invalid"
    assert "profile/data/id" in result.explanation.what


def test_503s_during_a_send_are_retried_and_stored_once(sandbox: SandboxServer) -> None:
    client = make(sandbox, backoff_base_seconds=0.01)
    admin(sandbox, "PUT", "/__sandbox/faults", {"error_rate": 0.5, "error_statuses": [503], "seed": 1})
    events = [build_event("Placed Order", email=f"s{i}@example.com") for i in range(4)]
    results = [send(client, e, read_back=False) for e in events]
    admin(sandbox, "DELETE", "/__sandbox/faults")
    assert all(r.ok for r in results), [r.outcome for r in results]
    assert client.stats.retries >= 1
    for event in events:
        assert stored_count(client, event.unique_id) == 1
