"""Sending one test event safely: the LIVE guard, the send, the explanation, and the read-back.

The guard lives here, not in the page, so every caller (page, CLI, scripts) gets it: a send to a LIVE target
(the one rule, `klaviyo_core.accounts.is_live`) is refused before any request unless the caller passes a fresh
`LiveConfirmation` for that account, which the send consumes (`live_guard` words what the person reads).
The POST carries a `unique_id`, so the client may retry it (429, 5xx, dropped connection) without creating a
second event: pass `idempotent=True`. On the sandbox the event is then read back, polling with a deadline,
to show that it was stored and which metric and profile it attached to.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from klaviyo_core.accounts.confirm import LiveConfirmation, LiveWriteNotConfirmed, require_live_confirmation
from klaviyo_core.accounts.target import Target, is_live
from klaviyo_core.events.model import EVENTS_PATH, Event, RequestPreview, iso_utc, preview, to_body
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import ApiError, KlaviyoError
from klaviyo_core.http.explain import Explanation, explain
from klaviyo_core.http.redaction import mask_key

#: A LIVE send without a fresh confirmation for its account; nothing was sent (the accounts refusal, by its
#: events name).
LiveSendNotConfirmed = LiveWriteNotConfirmed


@dataclass(frozen=True)
class LiveGuard:
    """What the person must see and type before a send to a LIVE account."""

    account_name: str
    warning: str
    suggestion: str


def suggest_test_address(email: str | None) -> str:
    """A plus-address of the person's own mailbox, so a flow's email lands with them, not a customer."""
    if email and "@" in email:
        local, _, domain = email.partition("@")
        return f"{local.split('+', 1)[0]}+klaviyo-test@{domain}"
    return "you+klaviyo-test@yourcompany.com"


def live_guard(account_name: str, event: Event) -> LiveGuard:
    warning = (
        f"This sends a real event to the LIVE account '{account_name}'. Every flow triggered by the metric "
        f"'{event.metric}' will run for {event.profile_label}: real emails or texts may go out."
    )
    suggestion = (
        f"Use a test profile you own, e.g. {suggest_test_address(event.email)}, and type the account name "
        f"'{account_name}' to confirm."
    )
    return LiveGuard(account_name, warning, suggestion)


@dataclass(frozen=True)
class StoredEvent:
    """The event as the API holds it, read back after sending."""

    event_id: str
    datetime: str
    metric_id: str
    metric_name: str
    profile_id: str
    profile_email: str | None


@dataclass(frozen=True)
class SendResult:
    event: Event
    request: RequestPreview
    ok: bool
    status: int | None  # None when no HTTP answer came back
    explanation: Explanation | None = None  # set on failure
    response: Any = None  # the error body, if any
    stored: StoredEvent | None = None
    read_back: str = "not checked"  # "stored", "not found within Ns", "not checked (LIVE account)"

    @property
    def outcome(self) -> str:
        if not self.ok:
            return self.explanation.what if self.explanation else "The event was not sent."
        if self.stored:
            return (
                f"Accepted and stored as event {self.stored.event_id} on metric '{self.stored.metric_name}' "
                f"({self.stored.metric_id}) for profile {self.stored.profile_email or self.stored.profile_id}."
            )
        return f"Accepted (HTTP {self.status}); read-back: {self.read_back}."


def guard_write(client: KlaviyoClient, target: Target | None, confirmation: LiveConfirmation | None) -> bool:
    """Refuse an unconfirmed LIVE write before any request; True when the target is LIVE.

    Without a `target` the client's URL decides (an unidentified LIVE target can never be confirmed)."""
    if target is None:
        url = client.config.base_url
        target = Target("", url, "", mask_key(client.config.credential), is_live(url))
    require_live_confirmation(target, confirmation)
    return target.live


def send(
    client: KlaviyoClient,
    event: Event,
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    read_back: bool | None = None,
    read_back_timeout: float = 10.0,
) -> SendResult:
    """Send one event. Raises `LiveSendNotConfirmed` (and sends nothing) for a LIVE send without a fresh
    confirmation; every API or connection failure comes back as a result with its explanation."""
    target_live = guard_write(client, target, confirmation)
    shown = preview(event, client.config)
    try:
        resp = client.request("POST", EVENTS_PATH, json=to_body(event), idempotent=True)
    except KlaviyoError as exc:
        status = exc.status if isinstance(exc, ApiError) else None
        body = {"errors": exc.errors} if isinstance(exc, ApiError) and exc.errors else None
        return SendResult(event, shown, False, status, explain(exc), body)
    if read_back is None:
        read_back = not target_live
    if not read_back:
        return SendResult(event, shown, True, resp.status, read_back="not checked (LIVE account)")
    stored = find_stored(client, event, timeout=read_back_timeout)
    note = "stored" if stored else f"not found within {read_back_timeout:g}s"
    return SendResult(event, shown, True, resp.status, stored=stored, read_back=note)


def _metric_id(client: KlaviyoClient, name: str) -> str | None:
    for metric in client.iter_resources("/api/metrics"):
        if metric.get("attributes", {}).get("name") == name:
            return str(metric["id"])
    return None


def _lookup(client: KlaviyoClient, event: Event, metric_id: str) -> StoredEvent | None:
    moment = iso_utc(event.time)
    params = {
        "filter": f'equals(metric_id,"{metric_id}"),greater-or-equal(datetime,{moment}),'
        f"less-or-equal(datetime,{moment})",
        "include": "profile",
        "page[size]": "200",
    }
    # Many events can share one second (a bulk test): follow the pages until ours turns up.
    for page in client.iter_pages(EVENTS_PATH, params):
        for item in page.get("data") or []:
            if item["attributes"].get("event_properties", {}).get("$event_id") == event.unique_id:
                return _stored(item, page, metric_id, event.metric)
    return None


def _stored(item: dict[str, Any], page: dict[str, Any], metric_id: str, metric_name: str) -> StoredEvent:
    profile_id = item["relationships"]["profile"]["data"]["id"]
    profiles = {p["id"]: p for p in page.get("included") or [] if p.get("type") == "profile"}
    email = profiles.get(profile_id, {}).get("attributes", {}).get("email")
    return StoredEvent(item["id"], item["attributes"]["datetime"], metric_id, metric_name, profile_id, email)


def find_stored(
    client: KlaviyoClient,
    event: Event,
    *,
    timeout: float = 10.0,
    interval: float = 0.1,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> StoredEvent | None:
    """Poll for the event until it shows up or the deadline passes (events are processed asynchronously)."""
    deadline = clock() + timeout
    metric_id: str | None = None
    while True:
        metric_id = metric_id or _metric_id(client, event.metric)  # the metric appears with its first event
        found = _lookup(client, event, metric_id) if metric_id else None
        if found is not None or clock() >= deadline:
            return found
        pause(min(interval, max(0.0, deadline - clock())))
