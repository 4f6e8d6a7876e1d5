"""The test-event form as plain data: what the page's widgets hold, turned into an event or field errors.

Kept out of the page so the rules (which identifier, how a blank value or time reads, where a JSON syntax
error is) are unit-tested without Streamlit, and the page stays "widgets -> core -> render".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from klaviyo_core.events.model import Event, EventError, build_event, parse_properties
from klaviyo_core.events.templates import get_template

IDENTIFIER_KINDS = ("email", "phone_number", "external_id")
#: Keys that look like the event's own fields but, inside properties, are only custom properties.
RESERVED_PROPERTY_FIELDS = {
    "unique_id": "the Unique id field",
    "time": "the Time field",
    "value": "the Value field",
}


@dataclass
class EventForm:
    metric: str = ""
    identifier_kind: str = "email"
    identifier: str = ""
    first_name: str = ""
    properties_text: str = "{}"
    value_text: str = ""
    currency: str = "USD"
    time_text: str = ""  # blank: now
    unique_id: str = ""  # blank: a fresh one

    @classmethod
    def from_template(cls, name: str, identifier: str = "", identifier_kind: str = "email") -> EventForm:
        template = get_template(name)
        return cls(
            metric=template.metric,
            identifier_kind=identifier_kind,
            identifier=identifier,
            properties_text=json.dumps(template.default_properties(), indent=2, ensure_ascii=False),
            value_text="" if template.value is None else f"{template.value:g}",
            currency=template.value_currency or "USD",
        )

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> EventForm:
        """Back from `Event.to_dict()` (a history entry) into the form ("load into form")."""
        kind = next((k for k in IDENTIFIER_KINDS if data.get(k)), "email")
        value = data.get("value")
        return cls(
            metric=str(data.get("metric") or ""),
            identifier_kind=kind,
            identifier=str(data.get(kind) or ""),
            first_name=str((data.get("profile_attributes") or {}).get("first_name") or ""),
            properties_text=json.dumps(data.get("properties") or {}, indent=2, ensure_ascii=False),
            value_text="" if value is None else f"{float(value):g}",
            currency=str(data.get("value_currency") or "USD"),
            time_text=str(data.get("time") or ""),
        )


@dataclass
class FormResult:
    event: Event | None
    errors: list[EventError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # sendable, but probably not what was meant

    def error_for(self, name: str) -> EventError | None:
        return next((e for e in self.errors if e.field == name), None)


def build_from_form(form: EventForm, *, now: datetime | None = None) -> FormResult:
    """Every problem at once where possible (properties JSON and the rest), else the event."""
    errors: list[EventError] = []
    properties: dict[str, Any] = {}
    try:
        properties = parse_properties(form.properties_text)
    except EventError as exc:
        errors.append(exc)
    if form.identifier_kind not in IDENTIFIER_KINDS:
        errors.append(EventError("profile", f"Unknown identifier '{form.identifier_kind}'."))
    warnings = reserved_property_warnings(properties)
    if errors:
        return FormResult(None, errors, warnings)
    identifiers = {form.identifier_kind: form.identifier}
    try:
        event = build_event(
            form.metric,
            properties=properties,
            profile_attributes={"first_name": form.first_name.strip()} if form.first_name.strip() else None,
            value=form.value_text.strip() or None,
            value_currency=form.currency if form.value_text.strip() else None,
            time=form.time_text.strip() or None,
            unique_id=form.unique_id or None,
            now=now,
            **identifiers,
        )
    except EventError as exc:
        return FormResult(None, [exc], warnings)
    return FormResult(event, warnings=warnings)


def reserved_property_warnings(properties: Mapping[str, Any]) -> list[str]:
    """Why: Klaviyo takes `unique_id`, `time` and `value` from the event itself; typed into properties they are
    sent as plain custom properties (no de-duplication, no time, no revenue) and nobody notices."""
    return [
        f"Properties contain '{name}': it is sent as an ordinary property, not as the event's {name}. "
        f"Use {where} instead."
        for name, where in RESERVED_PROPERTY_FIELDS.items()
        if name in properties
    ]
