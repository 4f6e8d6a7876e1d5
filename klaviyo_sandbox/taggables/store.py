"""Storage of the taggable resources other than lists: campaigns, flows and segments, with their demo rows.

Only what tagging needs is modelled (names, flags, timestamps); the routes beside this module serialise them,
and tags/store.py links tags to them by `(resource_type, resource_id)`.
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.store import Store, register_schema

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
    CREATE TABLE IF NOT EXISTS flows (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'draft',
        archived INTEGER NOT NULL DEFAULT 0,
        trigger_type TEXT NOT NULL DEFAULT 'Metric',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS segments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_active INTEGER NOT NULL DEFAULT 1,
        is_starred INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
    ("campaigns", "flows", "segments"),
)

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
DEMO_FLOWS = (
    ("Welcome Series", "live", "Added to List"),
    ("Abandoned Cart", "live", "Metric"),
    ("Browse Abandonment", "manual", "Metric"),
    ("Post-Purchase Thank You", "live", "Metric"),
    ("Birthday Reward", "draft", "Date Based"),
    ("Back in Stock", "live", "Low Inventory"),
)
DEMO_SEGMENTS = ("Engaged 30 days", "VIP customers", "Lapsed buyers", "Newsletter openers", "Winback candidates")


def _names(store: Store, table: str) -> set[str]:
    with store.read() as conn:
        return {r["name"] for r in conn.execute(f"SELECT name FROM {table}")}  # table: ours, fixed


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


def insert_flow(store: Store, name: str, status: str = "draft", trigger_type: str = "Metric") -> str:
    flow_id = ids.short_id()
    stamp = timeutil.iso()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO flows(id, name, status, trigger_type, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
            (flow_id, name, status, trigger_type, stamp, stamp),
        )
    return flow_id


def insert_segment(store: Store, name: str) -> str:
    segment_id = ids.short_id()
    stamp = timeutil.iso()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO segments(id, name, created, updated) VALUES (?, ?, ?, ?)", (segment_id, name, stamp, stamp)
        )
    return segment_id


def seed_campaigns(store: Store, **_: Any) -> dict[str, int]:
    existing = _names(store, "campaigns")
    return {"campaigns": len([insert_campaign(store, *c) for c in DEMO_CAMPAIGNS if c[0] not in existing])}


def seed_flows(store: Store, **_: Any) -> dict[str, int]:
    existing = _names(store, "flows")
    return {"flows": len([insert_flow(store, *f) for f in DEMO_FLOWS if f[0] not in existing])}


def seed_segments(store: Store, **_: Any) -> dict[str, int]:
    existing = _names(store, "segments")
    return {"segments": len([insert_segment(store, n) for n in DEMO_SEGMENTS if n not in existing])}
