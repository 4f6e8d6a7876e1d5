"""Campaigns: the reads tagging needs (list with its required channel filter, get, their tags) and demo
seeding. Messages, audiences, sending and reporting are not modelled."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store, register_schema
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.tags.links import get_taggable, list_taggable
from klaviyo_spec import allowed_filters

register_schema(
    """
    CREATE TABLE IF NOT EXISTS campaigns (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        channel TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'Draft',
        archived INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        scheduled_at TEXT,
        send_time TEXT
    );
    """,
    ("campaigns",),
)

CHANNELS = ("email", "sms", "mobile_push")
INCLUDES = {"tags"}
SORTS = {"created_at", "id", "name", "scheduled_at", "updated_at"}
DEMO_CAMPAIGNS = (
    ("Summer Sale Launch", "email", "Sent"),
    ("Summer Sale Last Chance", "email", "Sent"),
    ("Black Friday Early Access", "email", "Draft"),
    ("Black Friday SMS Blast", "sms", "Draft"),
    ("Welcome Back Offer", "email", "Scheduled"),
    ("New Arrivals: Autumn", "email", "Sent"),
    ("Flash Sale Alert", "sms", "Sent"),
    ("App Exclusive Drop", "mobile_push", "Draft"),
)


def campaign_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    # tracking_options is left out: the spec's two variants overlap, so no value matches exactly one.
    attributes = {
        "name": row["name"],
        "status": row["status"],
        "archived": bool(row["archived"]),
        "audiences": {"included": [], "excluded": []},
        "send_options": {"use_smart_sending": True},
        "send_strategy": {"method": "immediate"},
        "created_at": row["created_at"],
        "scheduled_at": row["scheduled_at"],
        "updated_at": row["updated_at"],
        "send_time": row["send_time"],
    }
    return resource(ctx, "campaign", row["id"], sparse(ctx, "campaign", attributes), {}, f"/api/campaigns/{row['id']}")


@route("get_campaigns")
def get_campaigns(ctx: Ctx) -> Response:
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_campaigns"))
    channel = [c for c in conditions if c.field == "messages.channel"]
    if not channel or channel[0].value not in CHANNELS:
        raise invalid(
            "A channel filter is required, e.g. filter=equals(messages.channel,'email') "
            f"(one of {', '.join(CHANNELS)}).",
            parameter="filter",
        )
    return list_taggable(
        ctx,
        "campaign",
        campaign_resource,
        sorts=SORTS,
        page=(100, 100),
        includes=INCLUDES,
        columns={"messages.channel": "channel"},
    )


@route("get_campaign")
def get_campaign(ctx: Ctx) -> Response:
    return get_taggable(ctx, "campaign", campaign_resource, INCLUDES)


def insert_campaign(store: Store, name: str, channel: str = "email", status: str = "Draft") -> str:
    campaign_id = ids.ulid()
    stamp = timeutil.iso()
    sent = stamp if status == "Sent" else None
    with store.write() as conn:
        conn.execute(
            "INSERT INTO campaigns(id, name, channel, status, created_at, updated_at, send_time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (campaign_id, name, channel, status, stamp, stamp, sent),
        )
    return campaign_id


@seeder("campaigns")
def seed_campaigns(store: Store, **_: Any) -> dict[str, int]:
    with store.read() as conn:
        existing = {r["name"] for r in conn.execute("SELECT name FROM campaigns")}
    added = [insert_campaign(store, n, ch, st) for n, ch, st in DEMO_CAMPAIGNS if n not in existing]
    return {"campaigns": len(added)}
