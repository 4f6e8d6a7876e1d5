"""Bulk test events: one template to N test profiles through the bulk endpoint (a CSV of events: historical.py).

`POST /api/event-bulk-create-jobs` takes at most 1,000 events per request, grouped by profile, and one bad
event (or a `unique_id` repeated for the same profile and metric) fails the whole request (facts §11). So
every event is validated before anything is sent. Every event carries a `unique_id`, which makes
resubmitting a batch harmless: the POST is idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from klaviyo_core.accounts.confirm import LiveConfirmation
from klaviyo_core.accounts.target import Target
from klaviyo_core.csvfile.write import csv_text
from klaviyo_core.events.model import Event, EventError, build_event, event_attributes, profile_data
from klaviyo_core.events.send import guard_write
from klaviyo_core.history import EVENTS_BULK, counts_of, history_target, recording
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import KlaviyoError
from klaviyo_core.http.explain import Explanation, explain

BULK_PATH = "/api/event-bulk-create-jobs"
MAX_BULK_EVENTS = 1000


def sample_profile_emails(count: int, base: str = "you+klaviyo-test@yourcompany.com") -> list[str]:
    """`you+klaviyo-test-1@...`, `-2`, ...: distinct profiles that all land in one mailbox you own."""
    if not 1 <= count <= MAX_BULK_EVENTS * 10:
        raise EventError("count", f"Choose between 1 and {MAX_BULK_EVENTS * 10} test profiles.")
    local, sep, domain = base.partition("@")
    if not sep:
        raise EventError("email", f"'{base}' is not an email address.")
    return [f"{local}-{i}@{domain}" for i in range(1, count + 1)]


def events_for_profiles(event: Event, emails: Iterable[str]) -> list[Event]:
    """The same event for each profile, each with its own unique_id."""
    out = []
    for email in emails:
        data = event.to_dict()
        data.update(email=email, phone_number=None, external_id=None, profile_id=None, unique_id=None)
        out.append(build_event(event.metric, **{k: v for k, v in data.items() if k != "metric"}))
    return out


def _profile_key(event: Event) -> str:
    return json.dumps(profile_data(event), sort_keys=True, default=str)


def bulk_bodies(events: list[Event]) -> list[dict[str, Any]]:
    """Request bodies of at most 1,000 events each, events of one profile grouped into one entry."""
    bodies = []
    for start in range(0, len(events), MAX_BULK_EVENTS):
        groups: dict[str, list[Event]] = {}
        for event in events[start : start + MAX_BULK_EVENTS]:
            groups.setdefault(_profile_key(event), []).append(event)
        entries = [
            {
                "type": "event-bulk-create",
                "attributes": {
                    "profile": {"data": profile_data(group[0])},
                    "events": {
                        "data": [
                            {"type": "event", "attributes": event_attributes(e, with_profile=False)} for e in group
                        ]
                    },
                },
            }
            for group in groups.values()
        ]
        bodies.append(
            {"data": {"type": "event-bulk-create-job", "attributes": {"events-bulk-create": {"data": entries}}}}
        )
    return bodies


@dataclass
class BulkResult:
    batches: int = 0
    accepted_events: int = 0
    failed_events: int = 0
    failures: list[tuple[int, Explanation]] = field(default_factory=list)  # (batch index, why)

    @property
    def ok(self) -> bool:
        return not self.failures


def send_bulk(
    client: KlaviyoClient,
    events: list[Event],
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BulkResult:
    """Send events in batches; a failed batch is reported with its explanation and the rest still go.
    `progress(events_done, events_total)` is called after each batch. A LIVE send consumes a fresh
    confirmation (`LiveSendNotConfirmed` otherwise, nothing sent): a second bulk send must ask again. The run
    and a per-batch report go to the write history."""
    if not events:
        return BulkResult()
    guard_write(client, target, confirmation)
    with recording(history_target(client, target), EVENTS_BULK) as run:
        result = _send_batches(client, events, progress)
        sent = result.accepted_events + result.failed_events
        run.finish(counts_of(sent, result.accepted_events, result.failed_events), report_text=batch_report(result))
    return result


def batch_report(result: BulkResult) -> str:
    """One line per failed batch (a batch fails whole), through the one CSV writer."""
    rows: list[list[object]] = [["batch", "status", "what happened", "what to do"]]
    rows += [[index + 1, "not sent", why.what, why.todo] for index, why in result.failures]
    if not result.failures:
        rows.append(["all", "sent", f"{result.accepted_events} events in {result.batches} batches", ""])
    return csv_text(rows)


def _send_batches(
    client: KlaviyoClient, events: list[Event], progress: Callable[[int, int], None] | None
) -> BulkResult:
    result = BulkResult()
    done = 0
    for index, body in enumerate(bulk_bodies(events)):
        count = sum(
            len(e["attributes"]["events"]["data"]) for e in body["data"]["attributes"]["events-bulk-create"]["data"]
        )
        result.batches += 1
        try:
            client.request("POST", BULK_PATH, json=body, idempotent=True)
            result.accepted_events += count
        except KlaviyoError as exc:
            result.failed_events += count
            result.failures.append((index, explain(exc)))
        done += count
        if progress:
            progress(done, len(events))
    return result
