"""Flows: the reads tagging needs (list, get, their tags) and demo seeding. Actions and definitions are
not modelled."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store, register_schema
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.tags.links import get_taggable, list_taggable

register_schema(
    """
    CREATE TABLE IF NOT EXISTS flows (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'draft',
        archived INTEGER NOT NULL DEFAULT 0,
        trigger_type TEXT NOT NULL DEFAULT 'Metric',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
    ("flows",),
)

INCLUDES = {"tags"}
SORTS = {"created", "id", "name", "status", "trigger_type", "updated"}
DEMO_FLOWS = (
    ("Welcome Series", "live", "Added to List"),
    ("Abandoned Cart", "live", "Metric"),
    ("Browse Abandonment", "manual", "Metric"),
    ("Post-Purchase Thank You", "live", "Metric"),
    ("Birthday Reward", "draft", "Date Based"),
    ("Back in Stock", "live", "Low Inventory"),
)


def flow_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "status": row["status"],
        "archived": bool(row["archived"]),
        "created": row["created"],
        "updated": row["updated"],
        "trigger_type": row["trigger_type"],
    }
    return resource(ctx, "flow", row["id"], sparse(ctx, "flow", attributes), {}, f"/api/flows/{row['id']}")


@route("get_flows")
def get_flows(ctx: Ctx) -> Response:
    return list_taggable(ctx, "flow", flow_resource, sorts=SORTS, page=(50, 50), includes=INCLUDES)


@route("get_flow")
def get_flow(ctx: Ctx) -> Response:
    return get_taggable(ctx, "flow", flow_resource, INCLUDES)


def insert_flow(store: Store, name: str, status: str = "draft", trigger_type: str = "Metric") -> str:
    flow_id = ids.short_id()
    stamp = timeutil.iso()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO flows(id, name, status, trigger_type, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
            (flow_id, name, status, trigger_type, stamp, stamp),
        )
    return flow_id


@seeder("flows")
def seed_flows(store: Store, **_: Any) -> dict[str, int]:
    with store.read() as conn:
        existing = {r["name"] for r in conn.execute("SELECT name FROM flows")}
    return {"flows": len([insert_flow(store, n, s, t) for n, s, t in DEMO_FLOWS if n not in existing])}
