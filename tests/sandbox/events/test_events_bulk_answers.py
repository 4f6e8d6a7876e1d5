"""What a bulk event job answers and stores, pinned while its receipt and processing were made cheaper (issue 20).

The receipt parses with orjson and falls back to the strict json-module parser for anything orjson or the quick
value check refuses, so every malformed body must still get the strict parser's 400; the job worker stores a
job in one executemany, so duplicates, last_event_date and per-profile resolution must be as before.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS
from tests.sandbox.engine.helpers import call, headers
from tests.sandbox.events.test_events_bulk import bulk_body, entry, ev, wait_for_events

PATH = "/api/event-bulk-create-jobs"
BASE = "/data/attributes/events-bulk-create/data"


def _raw(sandbox: SandboxServer, body: bytes) -> requests.Response:
    hdrs = headers(**{"Content-Type": "application/vnd.api+json"})
    return requests.post(sandbox.url + PATH, data=body, headers=hdrs, timeout=10)


def _error(resp: requests.Response) -> tuple[int, str, str]:
    err = resp.json()["errors"][0]
    return resp.status_code, err["detail"], err.get("source", {}).get("pointer", "")


def _drain(sandbox: SandboxServer) -> None:
    requests.post(sandbox.url + "/__sandbox/jobs/wait", json={"timeout": 5}, headers=ADMIN_HEADERS, timeout=10)


def _deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"x": 1}
    for _ in range(levels):
        node = {"x": node}
    return node


def test_malformed_bodies_get_the_strict_parsers_answers(sandbox: SandboxServer) -> None:
    good = bulk_body(entry("a@example.com", ev(unique_id="1")))
    text = json.dumps(good)
    assert _error(_raw(sandbox, b"{not json"))[:1] == (400,)
    assert "Malformed JSON" in _error(_raw(sandbox, b"{not json"))[1]
    nan = _error(_raw(sandbox, text.replace('"Tote"', "NaN").encode()))
    assert nan[0] == 400 and "NaN" in nan[1]
    big = _error(_raw(sandbox, text.replace('"Tote"', str(2**64 + 5)).encode()))
    assert big[0] == 400 and "64-bit" in big[1]
    assert big[2] == f"{BASE}/0/attributes/events/data/0/attributes/properties/ProductName"
    over = _error(_raw(sandbox, text.replace('"Tote"', str(2**63 + 5)).encode()))
    assert over[0] == 400 and "64-bit" in over[1] and over[2] == big[2]
    huge = _error(_raw(sandbox, text.replace('"Tote"', "1e400").encode()))
    assert huge[0] == 400 and "too large" in huge[1]
    deep = _error(call(sandbox.url, "POST", PATH, bulk_body(entry("a@example.com", ev(properties=_deep(70))))))
    assert deep[0] == 400 and "nested more than 64 levels" in deep[1]
    props = _error(call(sandbox.url, "POST", PATH, bulk_body(entry("a@example.com", ev(properties=_deep(12))))))
    assert props[0] == 400 and "at most 10 levels" in props[1]
    assert _error(_raw(sandbox, b"[]"))[1] == "The body must be a JSON:API document with a 'data' member."
    _drain(sandbox)
    assert call(sandbox.url, "GET", "/api/events").json()["data"] == []


def test_one_bad_event_deep_in_a_job_is_named_and_nothing_is_stored(sandbox: SandboxServer) -> None:
    entries = [entry(f"p{i}@example.com", ev(unique_id=f"u{i}")) for i in range(600)]
    entries[457] = entry("p457@example.com", ev(unique_id="u457"), ev(unique_id="v", value="ten"))
    resp = call(sandbox.url, "POST", PATH, bulk_body(*entries))
    assert _error(resp) == (400, "'value' must be a number.", f"{BASE}/457/attributes/events/data/1/attributes/value")
    long = "é" * (100 * 1024 // 2 + 1)  # 2 bytes a character: just over 100 KB
    resp = call(sandbox.url, "POST", PATH, bulk_body(entry("a@example.com", ev(properties={"a": [long]}))))
    assert _error(resp) == (
        400,
        "A string value may be at most 100 KB.",
        f"{BASE}/0/attributes/events/data/0/attributes/properties/a/0",
    )
    _drain(sandbox)
    assert call(sandbox.url, "GET", "/api/events").json()["data"] == []


def test_a_job_stores_what_it_did_before(sandbox: SandboxServer) -> None:
    """Duplicates by unique_id (in the job, across jobs, and by time without one) are left out; each profile's
    last_event_date is its newest stored event; events of one profile in two entries share it."""
    first = bulk_body(
        entry(
            "a@example.com",
            ev(unique_id="1", time="2025-01-02T00:00:00Z"),
            ev(unique_id="2", time="2025-03-01T00:00:00Z"),
        ),
        entry("b@example.com", ev(time="2025-02-01T00:00:00Z"), ev(time="2025-02-01T00:00:00Z", properties={"n": 2})),
        entry("a@example.com", ev("Added to Cart", unique_id="1", time="2025-01-05T00:00:00Z")),
    )
    assert call(sandbox.url, "POST", PATH, first).status_code == 202
    assert len(wait_for_events(sandbox.url, 4)) == 4
    again = bulk_body(
        entry(
            "a@example.com",
            ev(unique_id="1", time="2026-01-01T00:00:00Z"),
            ev(unique_id="3", time="2024-06-01T00:00:00Z"),
        ),
    )
    assert call(sandbox.url, "POST", PATH, again).status_code == 202
    _drain(sandbox)
    data = wait_for_events(sandbox.url, 5)
    assert len(data) == 5
    by_uid = {
        (e["attributes"]["event_properties"]["$event_id"], e["relationships"]["metric"]["data"]["id"]) for e in data
    }
    assert len(by_uid) == 5
    profiles = call(sandbox.url, "GET", "/api/profiles", params={"sort": "email"}).json()["data"]
    assert [p["attributes"]["email"] for p in profiles] == ["a@example.com", "b@example.com"]
    last = {p["attributes"]["email"]: p["attributes"]["last_event_date"] for p in profiles}
    assert last["a@example.com"].startswith("2025-03-01T00:00:00")  # the re-sent unique_id 1 (2026) was a duplicate
    assert last["b@example.com"].startswith("2025-02-01T00:00:00")
    kept = [e for e in data if e["relationships"]["profile"]["data"]["id"] == profiles[1]["id"]]
    assert [e["attributes"]["event_properties"]["ProductName"] for e in kept] == ["Tote"]
    assert "n" not in kept[0]["attributes"]["event_properties"]  # same profile, metric and second: the first wins


def test_each_entrys_profile_attributes_are_applied_in_order(sandbox: SandboxServer) -> None:
    """An entry's profile is resolved once for its events, but a next entry that differs only in 1 vs true
    (equal in Python, not in JSON) is applied again, as one resolution per event did."""

    def with_vip(vip: object, uid: str) -> dict[str, Any]:
        item = entry("v@example.com", ev(unique_id=uid), ev(unique_id=uid + "b"))
        item["attributes"]["profile"]["data"]["attributes"]["properties"] = {"vip": vip}
        return item

    assert call(sandbox.url, "POST", PATH, bulk_body(with_vip(1, "a"), with_vip(True, "c"))).status_code == 202
    assert len(wait_for_events(sandbox.url, 4)) == 4
    [profile] = call(sandbox.url, "GET", "/api/profiles").json()["data"]
    assert profile["attributes"]["properties"]["vip"] is True
