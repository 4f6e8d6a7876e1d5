"""Profile lookup: after an import, see what landed for one person (issue 18, "See what landed").

Why it is built this way:
- The user types whatever they have at hand (an email, a phone, a profile id from a report); `identifier_kind`
  decides which GET it becomes, so the CLI and the page look a profile up the same way.
- Consent is only returned with `additional-fields[profile]=subscriptions` (facts §7, §8), so the lookup asks
  for it; the channel rows are flattened here so the page and the CLI print the same thing.
- Lists, segments and the latest events are separate reads (facts §14, §11); each is one request, so a lookup
  costs five calls at most and stays far from every rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import NotFound

LATEST_EVENTS = 10
SUBSCRIPTIONS = {"additional-fields[profile]": "subscriptions"}


@dataclass(frozen=True)
class ChannelConsent:
    """One consent row: channel (email/sms), kind (marketing/transactional), consent, can receive, suppression."""

    channel: str
    kind: str
    consent: str
    can_receive: bool | None
    suppressed: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventLine:
    """One event of the timeline: when, which metric, its value (if any)."""

    datetime: str
    metric: str
    value: float | None


@dataclass(frozen=True)
class ProfileView:
    """Everything the lookup shows about one profile."""

    id: str
    identifiers: dict[str, str]
    name: str
    location: dict[str, Any]
    properties: dict[str, Any]
    consent: tuple[ChannelConsent, ...]
    lists: tuple[tuple[str, str], ...] = ()
    segments: tuple[tuple[str, str], ...] = ()
    events: tuple[EventLine, ...] = field(default=())


def identifier_kind(identifier: str) -> str:
    """'email' when it has an @, 'phone_number' when it starts with + (E.164, as Klaviyo stores phones), else 'id'.

    Raises ValueError for text that cannot be sent inside a filter (a double quote), an id that is not letters and
    digits (it becomes part of the URL path: `a/../accounts` must not reach another endpoint), or nothing."""
    text = identifier.strip()
    if not text:
        raise ValueError("Give an email, a phone number in +E.164 form (e.g. +15555550123) or a profile id.")
    if '"' in text:
        raise ValueError('A profile identifier cannot contain a double quote (").')
    if "@" in text:
        return "email"
    if text.startswith("+"):
        return "phone_number"
    if not text.isascii() or not text.isalnum():  # an id goes into the URL path: letters and digits only
        raise ValueError(f"'{text}' is not an email, a phone in +E.164 form or a profile id (letters and digits).")
    return "id"


def find_profile(client: KlaviyoClient, identifier: str) -> ProfileView | None:
    """The profile with this email, phone or id, with its lists, segments and latest events; None if none has it."""
    raw = _profile_resource(client, identifier.strip())
    if raw is None:
        return None
    profile_id = raw["id"]
    lists = _names(client.iter_resources(f"/api/profiles/{profile_id}/lists"))
    segments = _names(client.iter_resources(f"/api/profiles/{profile_id}/segments"))
    return _view(raw, lists, segments, latest_events(client, profile_id))


def _profile_resource(client: KlaviyoClient, identifier: str) -> dict[str, Any] | None:
    kind = identifier_kind(identifier)
    if kind == "id":
        try:
            data: dict[str, Any] = client.get(f"/api/profiles/{identifier}", SUBSCRIPTIONS)["data"]
        except NotFound:
            return None
        return data
    params = {"filter": f'equals({kind},"{identifier}")', **SUBSCRIPTIONS}
    found: list[dict[str, Any]] = client.get("/api/profiles", params)["data"]
    return found[0] if found else None


def latest_events(client: KlaviyoClient, profile_id: str, limit: int = LATEST_EVENTS) -> tuple[EventLine, ...]:
    """The profile's newest events first, with their metric names (one GET /api/events with include=metric)."""
    params = {
        "filter": f'equals(profile_id,"{profile_id}")',
        "sort": "-datetime",
        "include": "metric",
        "page[size]": str(limit),
    }
    doc = client.get("/api/events", params)
    metrics = {m["id"]: (m.get("attributes") or {}).get("name") or m["id"] for m in doc.get("included") or []}
    out = []
    for event in doc.get("data") or []:
        attrs = event.get("attributes") or {}
        metric = (((event.get("relationships") or {}).get("metric") or {}).get("data") or {}).get("id", "")
        value = attrs.get("event_properties", {}).get("$value")
        out.append(
            EventLine(str(attrs.get("datetime") or ""), metrics.get(metric, metric), value if _number(value) else None)
        )
    return tuple(out)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _names(items: Any) -> tuple[tuple[str, str], ...]:
    return tuple((item["id"], (item.get("attributes") or {}).get("name") or item["id"]) for item in items)


def _view(
    raw: dict[str, Any], lists: tuple[tuple[str, str], ...], segments: tuple[tuple[str, str], ...], events: Any
) -> ProfileView:
    attrs = raw.get("attributes") or {}
    identifiers = {k: str(attrs[k]) for k in ("email", "phone_number", "external_id") if attrs.get(k)}
    name = " ".join(str(attrs[k]) for k in ("first_name", "last_name") if attrs.get(k))
    return ProfileView(
        id=raw["id"],
        identifiers=identifiers,
        name=name,
        location={k: v for k, v in (attrs.get("location") or {}).items() if v not in (None, "")},
        properties=dict(attrs.get("properties") or {}),
        consent=consent_rows(attrs.get("subscriptions") or {}),
        lists=lists,
        segments=segments,
        events=events,
    )


def consent_rows(subscriptions: dict[str, Any]) -> tuple[ChannelConsent, ...]:
    """One row per channel and kind present in the profile's `subscriptions` object (facts §10, §20)."""
    rows = []
    for channel, kinds in subscriptions.items():
        for kind, state in (kinds or {}).items():
            if not isinstance(state, dict):
                continue
            can = state.get(f"can_receive_{channel}_{kind}")
            reasons = tuple(str(s.get("reason")) for s in state.get("suppression") or [] if isinstance(s, dict))
            rows.append(ChannelConsent(channel, kind, str(state.get("consent") or "NEVER_SUBSCRIBED"), can, reasons))
    return tuple(rows)
