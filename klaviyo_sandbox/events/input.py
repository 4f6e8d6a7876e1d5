"""Validation and ingestion of incoming events, shared by `POST /api/events` and event bulk create jobs.

Validation runs before anything is written, so a bad event (or one bad event in a bulk request) changes
nothing. Every error names the offending field with `source.pointer`, as Klaviyo does. Limits follow the
spec (facts §11): at most 400 properties, strings up to 100 KB, metric names under 128 characters, event time
after 1990 and at most one year ahead. The 5 MB payload cap is enforced by the server (413) for all routes.

EMULATOR CHOICES (facts Appendix B): events are stored before the 202 is sent (Klaviyo queues them, so
clients must poll either way); when an event's identifiers point at two different stored profiles the
event attaches to the first match and does not move identifiers (Klaviyo's events API never answers 409).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from klaviyo_sandbox.engine import fastjson, timeutil
from klaviyo_sandbox.engine.errors import ApiError, invalid
from klaviyo_sandbox.events.store import NewEvent, get_or_create_metric, insert_events, insert_job_events
from klaviyo_sandbox.profiles.store import find_profile_ids, upsert_profile

MAX_PROPERTIES = 400
MAX_STRING_BYTES = 100 * 1024
MAX_DEPTH = 10
MAX_METRIC_NAME = 127
PROFILE_IDENTIFIERS = ("email", "phone_number", "external_id", "anonymous_id", "_kx")
_ANONYMOUS = ("anonymous_id", "_kx")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass
class EventInput:
    """One validated event, ready to store."""

    metric_name: str
    profile_id: str | None
    profile_attributes: dict[str, Any]
    properties: dict[str, Any]
    ts: int
    value: float | None = None
    value_currency: str | None = None
    unique_id: str | None = None


def _object(doc: Any, key: str, pointer: str, *, required: bool = True) -> dict[str, Any]:
    value = doc.get(key) if isinstance(doc, dict) else None
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"'{key}' must be an object.", pointer=pointer)
    return value


def check_properties(props: Any, pointer: str) -> dict[str, Any]:
    if not isinstance(props, dict):
        raise invalid("'properties' is required and must be an object (it may be empty).", pointer=pointer)
    if len(props) > MAX_PROPERTIES:
        raise invalid(f"An event may have at most {MAX_PROPERTIES} properties; got {len(props)}.", pointer=pointer)
    if not _plain_values(props, 1):
        _check_values(props, pointer, 1)  # the same walk with pointers, to name the offending value
    return props


def _plain_values(node: dict[str, Any] | list[Any], depth: int) -> bool:
    """True when `_check_values` would pass: the same rules without building a pointer per value (a bulk job
    checks 1,000 events). A string of at most MAX_STRING_BYTES / 4 characters cannot pass the byte limit."""
    if depth >= MAX_DEPTH:
        return not node
    for value in node.values() if isinstance(node, dict) else node:
        kind = type(value)
        if kind is str:
            if len(value) * 4 > MAX_STRING_BYTES and len(value.encode()) > MAX_STRING_BYTES:
                return False
        elif (kind is dict or kind is list) and not _plain_values(value, depth + 1):
            return False
    return True


def _check_values(node: Any, pointer: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise invalid(f"Properties may be nested at most {MAX_DEPTH} levels deep.", pointer=pointer)
    if isinstance(node, str):
        if len(node.encode()) > MAX_STRING_BYTES:
            raise invalid("A string value may be at most 100 KB.", pointer=pointer)
    elif isinstance(node, dict):
        for key, value in node.items():
            _check_values(value, f"{pointer}/{_escape(str(key))}", depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_values(value, f"{pointer}/{i}", depth + 1)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def parse_time(raw: Any, pointer: str) -> int:
    """Epoch seconds (truncated, as Klaviyo does) from an ISO 8601 string; None means now."""
    if raw is None:
        return int(timeutil.now().timestamp())
    if not isinstance(raw, str):
        raise invalid("'time' must be an ISO 8601 datetime string.", pointer=pointer)
    try:
        moment = timeutil.parse_iso(raw.strip())
    except ValueError:
        raise invalid(
            f"'{raw}' is not a valid ISO 8601 datetime (e.g. 2026-11-08T09:30:00Z).", pointer=pointer
        ) from None
    if moment <= _EARLIEST or moment > timeutil.now() + timedelta(days=365):
        raise invalid("The event time must be after 1990 and at most one year in the future.", pointer=pointer)
    return int(moment.timestamp())


def parse_metric(attrs: dict[str, Any], base: str) -> str:
    data = _object(_object(attrs, "metric", f"{base}/metric"), "data", f"{base}/metric/data")
    if data.get("type") != "metric":
        raise invalid("metric.data.type must be 'metric'.", pointer=f"{base}/metric/data/type")
    name = _object(data, "attributes", f"{base}/metric/data/attributes").get("name")
    pointer = f"{base}/metric/data/attributes/name"
    if not isinstance(name, str) or not name.strip():
        raise invalid("The metric needs a name (e.g. 'Started Checkout').", pointer=pointer)
    if len(name) > MAX_METRIC_NAME:
        raise invalid("The metric name must be less than 128 characters.", pointer=pointer)
    return name.strip()


def parse_profile(profile: Any, pointer: str) -> tuple[str | None, dict[str, Any]]:
    """(profile id or None, attributes) from `{data: {type, id?, attributes}}`."""
    data = _object(profile, "data", f"{pointer}/data")
    if data.get("type") != "profile":
        raise invalid("profile.data.type must be 'profile'.", pointer=f"{pointer}/data/type")
    profile_id = data.get("id")
    if profile_id is not None and (not isinstance(profile_id, str) or not profile_id):
        raise invalid("profile.data.id must be a string.", pointer=f"{pointer}/data/id")
    attrs = dict(_object(data, "attributes", f"{pointer}/data/attributes", required=profile_id is not None))
    attrs.pop("meta", None)
    base = f"{pointer}/data/attributes"
    if not profile_id and not any(attrs.get(k) for k in PROFILE_IDENTIFIERS):
        raise invalid(
            "The profile needs at least one identifier: id, email, phone_number, external_id or anonymous_id.",
            pointer=base,
        )
    email = attrs.get("email")
    if email is not None and (not isinstance(email, str) or not _EMAIL.match(email.strip())):
        raise invalid(f"'{email}' is not a valid email address.", pointer=f"{base}/email")
    phone = attrs.get("phone_number")
    if phone is not None and (not isinstance(phone, str) or not _E164.match(phone)):
        raise invalid(
            f"'{phone}' is not a valid phone number in E.164 format (+15005550006).", pointer=f"{base}/phone_number"
        )
    if attrs.get("properties") is not None and not isinstance(attrs["properties"], dict):
        raise invalid("profile properties must be an object.", pointer=f"{base}/properties")
    return profile_id, attrs


def parse_event(attrs: Any, base: str, profile: tuple[str | None, dict[str, Any]] | None = None) -> EventInput:
    """Validate one event's attributes; `profile` is given for bulk entries (one profile, many events)."""
    if not isinstance(attrs, dict):
        raise invalid("'attributes' must be an object.", pointer=base)
    properties = check_properties(attrs.get("properties"), f"{base}/properties")
    metric_name = parse_metric(attrs, base)
    profile_id, profile_attrs = profile or parse_profile(attrs.get("profile"), f"{base}/profile")
    value = attrs.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise invalid("'value' must be a number.", pointer=f"{base}/value")
    currency = attrs.get("value_currency")
    if currency is not None and (not isinstance(currency, str) or not _CURRENCY.match(currency)):
        raise invalid("'value_currency' must be an ISO 4217 code such as USD.", pointer=f"{base}/value_currency")
    unique_id = attrs.get("unique_id")
    if unique_id is not None and (not isinstance(unique_id, str) or not unique_id):
        raise invalid("'unique_id' must be a non-empty string.", pointer=f"{base}/unique_id")
    return EventInput(
        metric_name=metric_name,
        profile_id=profile_id,
        profile_attributes=profile_attrs,
        properties=properties,
        ts=parse_time(attrs.get("time"), f"{base}/time"),
        value=float(value) if value is not None else None,
        value_currency=currency,
        unique_id=unique_id,
    )


def _anonymous_match(conn: sqlite3.Connection, attrs: dict[str, Any]) -> str | None:
    for key in _ANONYMOUS:
        if attrs.get(key):
            row = conn.execute(
                "SELECT id FROM profiles WHERE json_extract(attributes, ?)=?", (f'$."{key}"', attrs[key])
            ).fetchone()
            if row:
                return str(row[0])
    return None


def resolve_profile(conn: sqlite3.Connection, profile_id: str | None, attrs: dict[str, Any], pointer: str) -> str:
    """Find or create the event's profile (inside `store.write()`), updating its attributes."""
    if profile_id is not None:
        if conn.execute("SELECT 1 FROM profiles WHERE id=?", (profile_id,)).fetchone() is None:
            raise invalid(f"A profile with id {profile_id} does not exist.", pointer=f"{pointer}/data/id")
    elif any(attrs.get(key) for key in _ANONYMOUS) and not find_profile_ids(conn, attrs):
        profile_id = _anonymous_match(conn, attrs)
    try:
        return upsert_profile(conn, attrs, profile_id)[0]
    except ApiError as err:
        if err.status != 409:
            raise
    target = profile_id or find_profile_ids(conn, attrs)[0]
    others = {k: v for k, v in attrs.items() if k not in ("email", "phone_number", "external_id")}
    return upsert_profile(conn, others, target)[0]


def ingest(conn: sqlite3.Connection, events: list[EventInput], pointers: list[str]) -> list[str | None]:
    """Store validated events (inside `store.write()`); returns each event's id, None where it was a duplicate."""
    rows: list[NewEvent] = []
    for event, pointer in zip(events, pointers, strict=True):
        profile_id = resolve_profile(conn, event.profile_id, event.profile_attributes, pointer)
        rows.append(
            NewEvent(
                metric_id=get_or_create_metric(conn, event.metric_name),
                profile_id=profile_id,
                ts=event.ts,
                properties=event.properties,
                value=event.value,
                value_currency=event.value_currency,
                unique_id=event.unique_id,
            )
        )
    stored = insert_events(conn, rows)
    for row, event_id in zip(rows, stored, strict=True):
        if event_id is not None:
            _touch_last_event(conn, row.profile_id, row.ts)
    return stored


def ingest_job(conn: sqlite3.Connection, events: list[EventInput], pointer: str) -> list[tuple[EventInput, ApiError]]:
    """`ingest` for a bulk job's events, one at a time as far as anyone can tell, in fewer statements: a profile
    is resolved once for a run of events with the same profile (an entry; resolving it again would change
    nothing), metrics are looked up once, the events go in one executemany and each profile's last_event_date
    moves once. Returns the events left out with why (e.g. a profile id deleted after the job was accepted)."""
    metrics: dict[str, str] = {}
    rows: list[NewEvent] = []
    skipped: list[tuple[EventInput, ApiError]] = []
    last: EventInput | None = None
    resolved: str | ApiError = ""
    for event in events:
        if last is None or not _same_profile(last, event):
            last = event
            try:
                resolved = resolve_profile(conn, event.profile_id, event.profile_attributes, pointer)
            except ApiError as err:
                resolved = err
        if isinstance(resolved, ApiError):
            skipped.append((event, resolved))
            continue
        metric_id = metrics.get(event.metric_name)
        if metric_id is None:
            metric_id = metrics[event.metric_name] = get_or_create_metric(conn, event.metric_name)
        rows.append(
            NewEvent(
                metric_id=metric_id,
                profile_id=resolved,
                ts=event.ts,
                properties=event.properties,
                value=event.value,
                value_currency=event.value_currency,
                unique_id=event.unique_id,
            )
        )
    for profile_id, ts in insert_job_events(conn, rows).items():
        _touch_last_event(conn, profile_id, ts)
    return skipped


def _same_profile(a: EventInput, b: EventInput) -> bool:
    """Whether two events name the same profile in the same words; the identifiers first, which mostly settle it
    without encoding (equal JSON needs equal identifiers, and JSON keeps 1, 1.0 and true apart where == does not)."""
    if a.profile_attributes is b.profile_attributes and a.profile_id == b.profile_id:
        return True
    quick = ("email", "phone_number", "external_id")
    if a.profile_id != b.profile_id or any(a.profile_attributes.get(k) != b.profile_attributes.get(k) for k in quick):
        return False
    return _profile_key(a) == _profile_key(b)


def _profile_key(event: EventInput) -> str:
    """The event's profile as text: orjson, or the json module where orjson refuses (a lone surrogate)."""
    try:
        return fastjson.encode([event.profile_id, event.profile_attributes])
    except TypeError:
        return json.dumps([event.profile_id, event.profile_attributes])


def _touch_last_event(conn: sqlite3.Connection, profile_id: str, ts: int) -> None:
    stamp = datetime.fromtimestamp(ts, UTC).isoformat()
    conn.execute(
        "UPDATE profiles SET last_event_date=? WHERE id=? AND (last_event_date IS NULL OR last_event_date < ?)",
        (stamp, profile_id, stamp),
    )
