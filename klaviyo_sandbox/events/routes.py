"""Events: create one (202, empty body), list with filters/sort/pagination, get one, with includes.

Reads are answered from SQL so a seeded account with many thousands of events pages quickly. The event
`uuid` attribute is derived from the event id (stable, no extra column). `event_properties` are the stored
properties plus Klaviyo's `$event_id` (the unique_id) and `$value` when a value was sent.
EMULATOR CHOICE: without `sort` events come oldest first (by time, then arrival order).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

from klaviyo_sandbox.engine.errors import invalid, not_found
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.events import input as event_input
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.events.store import metric_row
from klaviyo_sandbox.metrics.resource import includes, metric_resource
from klaviyo_sandbox.profiles.store import load_profile
from klaviyo_spec import allowed_filters

EVENT_INCLUDES = {"attributions", "metric", "profile"}
SORTS = {"datetime", "timestamp"}  # both are the event time
_UUID_NS = uuid.UUID("6f1c3f4e-9a51-4d8e-8f59-0c9b3b3b7e11")
PROFILE_FIELDS = (
    "email",
    "phone_number",
    "external_id",
    "first_name",
    "last_name",
    "organization",
    "locale",
    "title",
    "image",
    "created",
    "updated",
    "last_event_date",
    "location",
    "properties",
)


def _relationship(ctx: Ctx, event_id: str, name: str, data: Any) -> dict[str, Any]:
    links = {
        "self": ctx.url(f"/api/events/{event_id}/relationships/{name}"),
        "related": ctx.url(f"/api/events/{event_id}/{name}"),
    }
    return {"data": data, "links": links} if data is not None else {"links": links}


def event_properties(row: sqlite3.Row) -> dict[str, Any]:
    props: dict[str, Any] = json.loads(row["properties"])
    props.setdefault("$event_id", row["unique_id"])
    if row["value"] is not None:
        props.setdefault("$value", row["value"])
    return props


def event_resource(ctx: Ctx, row: sqlite3.Row, wanted: set[str]) -> dict[str, Any]:
    attributes = {
        "timestamp": row["ts"],
        "event_properties": event_properties(row),
        "datetime": datetime.fromtimestamp(row["ts"], UTC).isoformat(),
        "uuid": str(uuid.uuid5(_UUID_NS, row["id"])),
    }
    relationships = {
        "profile": _relationship(ctx, row["id"], "profile", {"type": "profile", "id": row["profile_id"]}),
        "metric": _relationship(ctx, row["id"], "metric", {"type": "metric", "id": row["metric_id"]}),
        "attributions": _relationship(ctx, row["id"], "attributions", [] if "attributions" in wanted else None),
    }
    return resource(ctx, "event", row["id"], sparse(ctx, "event", attributes), relationships)


def profile_resource(ctx: Ctx, profile: dict[str, Any]) -> dict[str, Any]:
    attributes = {name: profile.get(name) for name in PROFILE_FIELDS}
    attributes["location"] = profile.get("location") or {}
    attributes["properties"] = profile.get("properties") or {}
    return resource(ctx, "profile", profile["id"], sparse(ctx, "profile", attributes))


def _included(ctx: Ctx, conn: sqlite3.Connection, rows: list[sqlite3.Row], wanted: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if "metric" in wanted:
        for metric_id in dict.fromkeys(r["metric_id"] for r in rows):
            metric = metric_row(conn, metric_id)
            if metric is not None:
                out.append(metric_resource(ctx, metric))
    if "profile" in wanted:
        for profile_id in dict.fromkeys(r["profile_id"] for r in rows):
            profile = load_profile(conn, profile_id)
            if profile is not None:
                out.append(profile_resource(ctx, profile))
    return out


def _newest_first(ctx: Ctx) -> bool:
    sort = ctx.req.arg("sort") or "datetime"
    if sort.lstrip("-") not in SORTS:
        raise invalid(f"'{sort}' is not a valid sort field; use datetime or timestamp.", parameter="sort")
    return sort.startswith("-")


@route("get_events")
def get_events(ctx: Ctx) -> Response:
    """Events, 200 a page by default and 1,000 at most (facts §6, §11), with metric/profile/time filters,
    ±datetime/±timestamp sort and include=attributions,metric,profile. EMULATOR CHOICE: oldest first without a sort."""
    offset, size = page_window(ctx, 200, 1000)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_events"))
    wanted = includes(ctx, EVENT_INCLUDES)
    with ctx.store.read() as conn:
        rows = eventstore.event_page(conn, conditions, newest_first=_newest_first(ctx), offset=offset, size=size)
        extra: dict[str, Any] = {"included": _included(ctx, conn, rows[:size], wanted)} if wanted else {}
    items = [event_resource(ctx, r, wanted) for r in rows]
    return Response(200, collection(ctx, items, offset, size, **extra))


@route("get_event")
def get_event(ctx: Ctx) -> Response:
    """One event with its includes (facts §11); 404 names the event id when it does not exist."""
    wanted = includes(ctx, EVENT_INCLUDES)
    with ctx.store.read() as conn:
        row = eventstore.event_row(conn, ctx.params["id"])
        if row is None:
            raise not_found(f"An event with id {ctx.params['id']} does not exist.")
        extra: dict[str, Any] = {"included": _included(ctx, conn, [row], wanted)} if wanted else {}
    return Response(200, document(ctx, event_resource(ctx, row, wanted), **extra))


@route("create_event")
def create_event(ctx: Ctx) -> Response:
    """202 with an empty body: Klaviyo only validates and queues (facts §11). The sandbox stores the
    event at once, creating its metric by name and its profile by identifier, deduplicated by unique_id."""
    data = request_data(ctx.json_body()["data"], "event", attributes=False)
    event = event_input.parse_event(data.get("attributes"), "/data/attributes")
    with ctx.store.write() as conn:
        event_input.ingest(conn, [event], ["/data/attributes/profile"])
    return Response(202)
