"""Which columns an audience export writes: profile fields by name, and consent per channel.

Why a fixed list: the names are those of the members endpoint's `fields[profile]` (spec, GET
/api/lists/{id}/profiles), so a column says exactly which attribute it holds; nested ones keep their dotted
name (`location.city`). Consent is not a plain attribute: `email_consent` and `sms_consent` are
`subscriptions.<channel>.marketing.consent` ("SUBSCRIBED", "UNSUBSCRIBED", "NEVER_SUBSCRIBED"...), which the
endpoint only returns when asked with `additional-fields[profile]=subscriptions` (spec; facts §7), so the export
asks for it only when one of them is chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from klaviyo_core.profiles.mapping import IDENTIFIER_FIELDS, LOCATION_FIELDS, PERSON_FIELDS

DEFAULT_FIELDS = ("email",)
#: What Klaviyo sets itself: readable, never imported.
READ_ONLY_FIELDS = ("id", "created", "updated", "last_event_date", "joined_group_at")
PROFILE_FIELDS = (*IDENTIFIER_FIELDS, *PERSON_FIELDS, *READ_ONLY_FIELDS, *LOCATION_FIELDS)
CONSENT_FIELDS = {"email_consent": "email", "sms_consent": "sms"}
EXPORT_FIELDS = (*PROFILE_FIELDS, *CONSENT_FIELDS)


def parse_fields(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """`email,phone_number,first_name` (or a sequence) -> the columns, in the order given, each once.
    ValueError names the known fields; nothing given means email only."""
    names = text.split(",") if isinstance(text, str) else list(text or ())
    wanted = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    unknown = [n for n in wanted if n not in EXPORT_FIELDS]
    if unknown:
        raise ValueError(f"Unknown export field(s) {', '.join(unknown)}; known: {', '.join(EXPORT_FIELDS)}.")
    return wanted or DEFAULT_FIELDS


def needs_subscriptions(fields: Iterable[str]) -> bool:
    return any(f in CONSENT_FIELDS for f in fields)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def field_value(item: Mapping[str, Any], name: str) -> str:
    """One member's cell for `name` (empty when the profile lacks it)."""
    attrs: Mapping[str, Any] = item.get("attributes") or {}
    if name == "id":
        return _text(item.get("id"))
    if name in CONSENT_FIELDS:
        channel = (attrs.get("subscriptions") or {}).get(CONSENT_FIELDS[name]) or {}
        return _text((channel.get("marketing") or {}).get("consent"))
    if name.startswith("location."):
        return _text((attrs.get("location") or {}).get(name.split(".", 1)[1]))
    return _text(attrs.get(name))
