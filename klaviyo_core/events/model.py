"""Test events: the event model, its builder and validation, the JSON:API body and the request preview.

A marketer fires an event to test the flow it triggers. Everything here is pure (no network) so the page and
the CLI can show the exact request, live, before anything is sent. Sending lives in `send.py`, bulk
mode in `bulk.py`, templates in `templates.py`.

Validation mirrors what Klaviyo rejects (facts §11) so mistakes are caught with a pointed message before a
request is made: a metric name under 128 characters, at least one profile identifier, an E.164 phone, at most
400 properties, strings up to 100 KB, a time after 1990 and at most a year ahead, an ISO 4217 currency.
"""

from __future__ import annotations

import json
import re
import shlex
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from klaviyo_core.http.redaction import mask_key, shown_key

EVENTS_PATH = "/api/events"
MAX_PROPERTIES = 400
MAX_STRING_BYTES = 100 * 1024
MAX_METRIC_NAME = 127
PROFILE_IDENTIFIERS = ("email", "phone_number", "external_id", "profile_id")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


class EventError(ValueError):
    """A problem with the event itself, found before sending; `field` names the form field."""

    def __init__(
        self, field: str, message: str, line: int | None = None, column: int | None = None, snippet: str = ""
    ) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.line = line
        self.column = column
        self.snippet = snippet  # for JSON syntax errors: the offending line with a caret under the column


@dataclass(frozen=True)
class Event:
    """One event ready to send. Build it with `build_event` so it is validated and normalised."""

    metric: str
    time: datetime  # aware, UTC, whole seconds
    unique_id: str
    email: str | None = None
    phone_number: str | None = None
    external_id: str | None = None
    profile_id: str | None = None
    profile_attributes: Mapping[str, Any] = field(default_factory=dict)  # first_name, properties{}, ...
    properties: Mapping[str, Any] = field(default_factory=dict)
    value: float | None = None
    value_currency: str | None = None

    @property
    def profile_label(self) -> str:
        """The identifier a person recognises: email, else phone, else external id, else profile id."""
        return self.email or self.phone_number or self.external_id or self.profile_id or "?"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (history, CSV round trips); `event_from_dict` reads it back."""
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        out["time"] = iso_utc(self.time)
        out["profile_attributes"] = dict(self.profile_attributes)
        out["properties"] = dict(self.properties)
        return out


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_time(value: datetime | str | float | None, *, now: datetime | None = None) -> datetime:
    """Any timezone in, aware UTC whole seconds out. Naive datetimes and strings without an offset are UTC."""
    current = now or datetime.now(UTC)
    if value is None or value == "":
        moment = current
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(float(value), UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise EventError("time", f"'{value}' is not an ISO 8601 time (e.g. 2026-11-27T15:30:00+01:00).") from None
    else:
        raise EventError("time", "The time must be an ISO 8601 string, a datetime or epoch seconds.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC).replace(microsecond=0)
    if moment <= _EARLIEST or moment > current + timedelta(days=365):
        raise EventError("time", "The event time must be after 1990 and at most one year in the future.")
    return moment


def parse_properties(text: str) -> dict[str, Any]:
    """Parse the properties JSON typed into a form; syntax errors say where (line and column)."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventError(
            "properties",
            f"Properties are not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            line=exc.lineno,
            column=exc.colno,
            snippet=_caret(text, exc.lineno, exc.colno),
        ) from None
    if not isinstance(value, dict):
        raise EventError("properties", 'Properties must be a JSON object, like {"ProductName": "Tote"}.')
    return value


def _caret(text: str, line: int, column: int) -> str:
    lines = text.splitlines() or [""]
    shown = lines[min(line, len(lines)) - 1]
    return f"{line:>4} | {shown}\n     | {' ' * (column - 1)}^"


def _check_properties(props: Any) -> dict[str, Any]:
    if not isinstance(props, Mapping):
        raise EventError("properties", 'Properties must be a JSON object, like {"ProductName": "Tote"}.')
    if len(props) > MAX_PROPERTIES:
        raise EventError("properties", f"An event may have at most {MAX_PROPERTIES} properties; this has {len(props)}.")
    too_long = _long_string(props, "properties")
    if too_long:
        raise EventError("properties", f"{too_long} is longer than 100 KB; Klaviyo rejects strings that long.")
    return dict(props)


def _long_string(node: Any, path: str) -> str | None:
    if isinstance(node, str):
        return path if len(node.encode()) > MAX_STRING_BYTES else None
    items = node.items() if isinstance(node, Mapping) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found = _long_string(value, f"{path}.{key}")
        if found:
            return found
    return None


def _clean(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _check_identifiers(email: str | None, phone: str | None, external_id: str | None, profile_id: str | None) -> None:
    if not (email or phone or external_id or profile_id):
        raise EventError("profile", "Say who the event is for: an email, a phone number or an external id.")
    if email and not _EMAIL.match(email):
        raise EventError("email", f"'{email}' is not a valid email address.")
    if phone and not _E164.match(phone):
        raise EventError("phone_number", f"'{phone}' is not in E.164 format; write it like +15005550006.")


def _check_value(value: Any, currency: str | None) -> tuple[float | None, str | None]:
    if value is not None and value != "":
        if isinstance(value, bool):
            raise EventError("value", "The value must be a number, like 42.50.")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise EventError("value", f"The value must be a number, like 42.50 (got '{value}').") from None
    else:
        value = None
    currency = _clean(currency)
    if currency is not None:
        currency = currency.upper()
        if not _CURRENCY.match(currency):
            raise EventError("value_currency", f"'{currency}' is not an ISO 4217 currency code such as USD or EUR.")
    return value, currency


def build_event(
    metric: str,
    *,
    email: str | None = None,
    phone_number: str | None = None,
    external_id: str | None = None,
    profile_id: str | None = None,
    profile_attributes: Mapping[str, Any] | None = None,
    properties: Mapping[str, Any] | None = None,
    value: float | str | None = None,
    value_currency: str | None = None,
    time: datetime | str | float | None = None,
    unique_id: str | None = None,
    now: datetime | None = None,
) -> Event:
    """Validate and normalise; raises `EventError` naming the field. A fresh `unique_id` unless given, so two
    test sends in the same second never collide."""
    name = _clean(metric)
    if name is None:
        raise EventError("metric", "The event needs a metric name, like 'Started Checkout'.")
    if len(name) > MAX_METRIC_NAME:
        raise EventError("metric", "The metric name must be less than 128 characters.")
    email, phone_number = _clean(email), _clean(phone_number)
    external_id, profile_id = _clean(external_id), _clean(profile_id)
    _check_identifiers(email, phone_number, external_id, profile_id)
    number, currency = _check_value(value, value_currency)
    extra = dict(profile_attributes or {})
    if extra.get("properties") is not None and not isinstance(extra["properties"], Mapping):
        raise EventError("profile_attributes", "Profile properties must be a JSON object.")
    return Event(
        metric=name,
        time=parse_time(time, now=now),
        unique_id=_clean(unique_id) or str(uuid.uuid4()),
        email=email.lower() if email else None,
        phone_number=phone_number,
        external_id=external_id,
        profile_id=profile_id,
        profile_attributes=extra,
        properties=_check_properties(properties if properties is not None else {}),
        value=number,
        value_currency=currency,
    )


def event_from_dict(data: Mapping[str, Any], *, fresh_unique_id: bool = False) -> Event:
    """Rebuild an event from `Event.to_dict()` (history entries, 'load into form', re-send)."""
    args = {k: data.get(k) for k in Event.__dataclass_fields__ if k != "metric"}
    if fresh_unique_id:
        args["unique_id"] = None
    return build_event(str(data.get("metric") or ""), **args)


def profile_data(event: Event) -> dict[str, Any]:
    attributes: dict[str, Any] = dict(event.profile_attributes)
    for name in ("email", "phone_number", "external_id"):
        if getattr(event, name):
            attributes[name] = getattr(event, name)
    data: dict[str, Any] = {"type": "profile", "attributes": attributes}
    if event.profile_id:
        data["id"] = event.profile_id
    return data


def event_attributes(event: Event, *, with_profile: bool = True) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "properties": dict(event.properties),
        "time": iso_utc(event.time),
        "unique_id": event.unique_id,
        "metric": {"data": {"type": "metric", "attributes": {"name": event.metric}}},
    }
    if event.value is not None:
        attributes["value"] = event.value
    if event.value_currency:
        attributes["value_currency"] = event.value_currency
    if with_profile:
        attributes["profile"] = {"data": profile_data(event)}
    return attributes


def to_body(event: Event) -> dict[str, Any]:
    """The `POST /api/events` JSON:API body, exactly as sent."""
    return {"data": {"type": "event", "attributes": event_attributes(event)}}


class _Target(Protocol):
    """What a preview needs of the target (a `ClientConfig` fits)."""

    @property
    def base_url(self) -> str: ...
    @property
    def revision(self) -> str: ...
    @property
    def api_key(self) -> str | None: ...
    @property
    def oauth_token(self) -> str | None: ...


@dataclass(frozen=True)
class RequestPreview:
    """The exact request, safe to show: the credential is masked (and a `$VARIABLE` in the curl command)."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any]
    credential_env: str  # the environment variable the curl command reads the credential from
    inline_credential: bool = False  # the app's sandbox key on loopback: shown and put in the curl as it is

    def body_json(self) -> str:
        return json.dumps(self.body, indent=2, ensure_ascii=False)

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "headers": self.headers, "body": self.body}

    def curl(self) -> str:
        lines = [f"curl -X {self.method} {shlex.quote(self.url)}"]
        for name, value in self.headers.items():
            if name == "Authorization" and not self.inline_credential:
                scheme = value.split(" ", 1)[0]
                lines.append(f'-H "Authorization: {scheme} ${self.credential_env}"')
            else:
                lines.append(f"-H {shlex.quote(f'{name}: {value}')}")
        lines.append(f"--data-raw {shlex.quote(json.dumps(self.body, ensure_ascii=False))}")
        return " \\\n  ".join(lines)


def preview_request(method: str, path: str, body: dict[str, Any], target: _Target) -> RequestPreview:
    """Any request as the client would send it (headers per DESIGN §2), with the credential masked."""
    if target.oauth_token:
        auth, env = f"Bearer {mask_key(target.oauth_token)}", "KLAVIYO_ACCESS_TOKEN"
    else:
        auth, env = f"Klaviyo-API-Key {shown_key(target.api_key, target.base_url)}", "KLAVIYO_API_KEY"
    headers = {
        "Authorization": auth,
        "revision": target.revision,
        "Accept": "application/vnd.api+json",
        "Content-Type": "application/vnd.api+json",
    }
    inline = (
        bool(target.api_key) and not target.oauth_token and shown_key(target.api_key, target.base_url) == target.api_key
    )
    return RequestPreview(method, f"{target.base_url.rstrip('/')}{path}", headers, body, env, inline)


def preview(event: Event, target: _Target) -> RequestPreview:
    """What `send(event)` will put on the wire: method, URL, masked headers, JSON body, and as curl."""
    return preview_request("POST", EVENTS_PATH, to_body(event), target)
