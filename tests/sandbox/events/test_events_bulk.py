from __future__ import annotations

import time
from typing import Any

import requests

from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS
from tests.sandbox.engine.helpers import call, error_code


def entry(email: str, *events: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "event-bulk-create",
        "attributes": {
            "profile": {"data": {"type": "profile", "attributes": {"email": email}}},
            "events": {"data": [{"type": "event", "attributes": e} for e in events]},
        },
    }


def bulk_body(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "type": "event-bulk-create-job",
            "attributes": {"events-bulk-create": {"data": list(entries)}},
        }
    }


def ev(name: str = "Viewed Product", unique_id: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "properties": {"ProductName": "Tote"},
        "metric": {"data": {"type": "metric", "attributes": {"name": name}}},
    }
    if unique_id:
        out["unique_id"] = unique_id
    out.update(extra)
    return out


def wait_for_events(base: str, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        data = call(base, "GET", "/api/events", params={"page[size]": "1000"}).json()["data"]
        if len(data) >= count or time.monotonic() > deadline:
            return data
        requests.post(base + "/__sandbox/jobs/wait", json={"timeout": 1}, headers=ADMIN_HEADERS, timeout=5)


def test_bulk_create_is_accepted_then_processed(sandbox: SandboxServer) -> None:
    body = bulk_body(
        entry("a@example.com", ev(unique_id="1"), ev("Added to Cart", unique_id="2", value=10)),
        entry("b@example.com", ev(unique_id="1")),
    )
    resp = call(sandbox.url, "POST", "/api/event-bulk-create-jobs", body)
    assert resp.status_code == 202 and resp.content == b""
    data = wait_for_events(sandbox.url, 3)
    assert len(data) == 3
    assert len({e["relationships"]["profile"]["data"]["id"] for e in data}) == 2


def test_bulk_thousand_events_ok_and_more_rejected(sandbox: SandboxServer) -> None:
    ok = bulk_body(*[entry(f"p{i}@example.com", ev(unique_id=f"u{i}")) for i in range(1000)])
    assert call(sandbox.url, "POST", "/api/event-bulk-create-jobs", ok).status_code == 202
    assert len(wait_for_events(sandbox.url, 1000)) == 1000
    too_many = bulk_body(entry("x@example.com", *[ev(unique_id=f"x{i}") for i in range(1001)]))
    resp = call(sandbox.url, "POST", "/api/event-bulk-create-jobs", too_many)
    assert resp.status_code == 400 and error_code(resp) == "invalid"


def test_repeated_unique_id_fails_the_whole_request(sandbox: SandboxServer) -> None:
    body = bulk_body(entry("a@example.com", ev(unique_id="same"), ev(unique_id="same")))
    resp = call(sandbox.url, "POST", "/api/event-bulk-create-jobs", body)
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    pointer = resp.json()["errors"][0]["source"]["pointer"]
    assert pointer == "/data/attributes/events-bulk-create/data/0/attributes/events/data/1/attributes/unique_id"
    requests.post(sandbox.url + "/__sandbox/jobs/wait", json={"timeout": 5}, headers=ADMIN_HEADERS, timeout=10)
    assert call(sandbox.url, "GET", "/api/events").json()["data"] == []


def test_one_invalid_event_fails_the_request_with_a_pointer(sandbox: SandboxServer) -> None:
    body = bulk_body(entry("a@example.com", ev(unique_id="1")), entry("b@example.com", ev(time="not a time")))
    resp = call(sandbox.url, "POST", "/api/event-bulk-create-jobs", body)
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    pointer = resp.json()["errors"][0]["source"]["pointer"]
    assert pointer == "/data/attributes/events-bulk-create/data/1/attributes/events/data/0/attributes/time"
    no_profile = bulk_body(entry("", ev()))
    resp = call(sandbox.url, "POST", "/api/event-bulk-create-jobs", no_profile)
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    wrong_type = {"data": {"type": "event", "attributes": {}}}
    resp = call(sandbox.url, "POST", "/api/event-bulk-create-jobs", wrong_type)
    assert resp.status_code == 400 and resp.json()["errors"][0]["source"]["pointer"] == "/data/type"


def test_an_interrupted_bulk_job_resumes_after_restart(sandbox_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "sb.sqlite3"
    first = sandbox_factory(db_path=db, job_step_seconds=30)
    body = bulk_body(entry("a@example.com", ev(unique_id="1"), ev(unique_id="2")))
    assert call(first.url, "POST", "/api/event-bulk-create-jobs", body).status_code == 202
    first.stop()  # the worker is parked in its step pause: the job is left unfinished
    second = sandbox_factory(db_path=db, job_step_seconds=0.01)
    assert len(wait_for_events(second.url, 2)) == 2
