"""Event bulk create jobs: up to 1,000 events in one request, grouped by profile, processed asynchronously.

The request is validated whole before it is accepted: one invalid event, or a `unique_id` repeated for the
same profile and metric, fails the request with 400 and nothing is stored (facts §11). An accepted request
answers 202 with no body (the spec has no job-status endpoint) and is stored as a job for the one job worker,
so it survives a sandbox restart. The job table and its queries live in `events/store.py`.

Speed (bench/events_import.py measures Klaviyo's 10/s, 150/m limit, so the sandbox must not be the limit): the
body is parsed with orjson (`engine/fastbody.py`: anything it refuses goes through the strict json-module parser,
so a malformed body gets exactly the answer it always got). The job payload is orjson too,
and the worker stores a job in one transaction and one executemany (`event_input.ingest_job`). Both run with
the cyclic GC paused, as profile and catalog jobs do (`profiles/bulk_upsert.py`): a 1,000-event body is tens
of thousands of acyclic objects, and collecting while building them cost more than parsing them (measured).
"""

from __future__ import annotations

import logging
from typing import Any

from klaviyo_sandbox.engine import fastbody, ids
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jobs import JobRunner, job_kind
from klaviyo_sandbox.engine.jsonapi import request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.events import input as event_input
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.profiles.bulk_upsert import gc_paused, heavy_batch

log = logging.getLogger(__name__)
MAX_EVENTS = 1000
KIND = "event-bulk-create"
_BASE = "/data/attributes/events-bulk-create/data"


def _entries(ctx: Ctx) -> list[Any]:
    data = request_data(fastbody.json_body(ctx)["data"], "event-bulk-create-job", attributes=False)
    attrs = data.get("attributes")
    group = attrs.get("events-bulk-create") if isinstance(attrs, dict) else None
    entries = group.get("data") if isinstance(group, dict) else None
    if not isinstance(entries, list) or not entries:
        raise invalid("events-bulk-create.data must be a non-empty list.", pointer=_BASE)
    return entries


def _parse_entry(entry: Any, pointer: str) -> list[event_input.EventInput]:
    if not isinstance(entry, dict) or entry.get("type") != "event-bulk-create":
        raise invalid("Each entry's type must be 'event-bulk-create'.", pointer=f"{pointer}/type")
    attrs = entry.get("attributes")
    if not isinstance(attrs, dict):
        raise invalid("'attributes' must be an object.", pointer=f"{pointer}/attributes")
    profile = event_input.parse_profile(attrs.get("profile"), f"{pointer}/attributes/profile")
    events = attrs.get("events", {}).get("data") if isinstance(attrs.get("events"), dict) else None
    if not isinstance(events, list) or not events:
        raise invalid("events.data must be a non-empty list.", pointer=f"{pointer}/attributes/events/data")
    out: list[event_input.EventInput] = []
    for j, event in enumerate(events):
        ev_pointer = f"{pointer}/attributes/events/data/{j}"
        if not isinstance(event, dict) or event.get("type") != "event":
            raise invalid("Each event's type must be 'event'.", pointer=f"{ev_pointer}/type")
        out.append(event_input.parse_event(event.get("attributes"), f"{ev_pointer}/attributes", profile))
    return out


def parse_bulk(ctx: Ctx) -> list[event_input.EventInput]:
    events: list[event_input.EventInput] = []
    seen: set[str] = set()
    for i, entry in enumerate(_entries(ctx)):
        parsed = _parse_entry(entry, f"{_BASE}/{i}")
        # One profile per entry: its part of the key is encoded once (order-sensitive, as json.dumps was).
        profile = fastbody.encode([parsed[0].profile_id, parsed[0].profile_attributes])
        for j, event in enumerate(parsed):
            if len(events) >= MAX_EVENTS:
                raise invalid(f"A bulk request may hold at most {MAX_EVENTS} events.", pointer=_BASE)
            if event.unique_id is not None:
                key = fastbody.encode([profile, event.metric_name, event.unique_id])
                if key in seen:
                    raise invalid(
                        f"unique_id '{event.unique_id}' is repeated for the same profile and metric.",
                        pointer=f"{_BASE}/{i}/attributes/events/data/{j}/attributes/unique_id",
                    )
                seen.add(key)
            events.append(event)
    return events


@route("bulk_create_events")
def bulk_create_events(ctx: Ctx) -> Response:
    """202 with no body; up to 1,000 events, checked whole: one bad event or a repeated unique_id
    fails the request and nothing is stored (facts §11). The events are stored later by the job worker."""
    with gc_paused():
        events = parse_bulk(ctx)
        payload = fastbody.encode([event.__dict__ for event in events])
    job_id = ids.ulid()
    eventstore.insert_bulk_job(ctx.store, job_id, payload, len(events))
    ctx.jobs.submit(KIND, job_id)
    return Response(202)


@job_kind(KIND, eventstore.pending_bulk_jobs)
def process_bulk_job(store: Store, job_id: str, runner: JobRunner) -> None:
    row = eventstore.bulk_job(store, job_id)
    if row is None or row["status"] == "complete":
        return
    eventstore.set_bulk_job_status(store, job_id, "processing")
    if not runner.step_pause():
        return
    # Request threads get the GIL every 1 ms while a job computes: job POSTs keep flowing (see heavy_batch).
    with heavy_batch(), store.write() as conn:
        events = [event_input.EventInput(**item) for item in fastbody.decode_checked(row["payload"])]
        # Re-running a job interrupted by a restart is safe: stored events are deduplicated by unique_id.
        for _event, err in event_input.ingest_job(conn, events, f"{_BASE}/0/attributes/profile"):
            # e.g. a profile id that was deleted after the request was accepted
            log.warning("event bulk job %s skipped an event: %s", job_id, err.detail)
        eventstore.complete_bulk_job(conn, job_id)
