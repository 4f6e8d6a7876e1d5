"""Segments: the reads tagging needs (list, get, their tags) and demo seeding. Definitions are not
modelled: a segment here is a name with flags, and its membership is not computed."""

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
    CREATE TABLE IF NOT EXISTS segments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_active INTEGER NOT NULL DEFAULT 1,
        is_starred INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
    ("segments",),
)

INCLUDES = {"tags"}
DEMO_SEGMENTS = ("Engaged 30 days", "VIP customers", "Lapsed buyers", "Newsletter openers", "Winback candidates")


def segment_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "created": row["created"],
        "updated": row["updated"],
        "is_active": bool(row["is_active"]),
        "is_processing": False,
        "is_starred": bool(row["is_starred"]),
    }
    return resource(ctx, "segment", row["id"], sparse(ctx, "segment", attributes), {}, f"/api/segments/{row['id']}")


@route("get_segments")
def get_segments(ctx: Ctx) -> Response:
    sorts = {"created", "id", "name", "updated"}
    return list_taggable(ctx, "segment", segment_resource, sorts=sorts, page=(10, 10), includes=INCLUDES)


@route("get_segment")
def get_segment(ctx: Ctx) -> Response:
    return get_taggable(ctx, "segment", segment_resource, INCLUDES)


def insert_segment(store: Store, name: str) -> str:
    segment_id = ids.short_id()
    stamp = timeutil.iso()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO segments(id, name, created, updated) VALUES (?, ?, ?, ?)", (segment_id, name, stamp, stamp)
        )
    return segment_id


@seeder("segments")
def seed_segments(store: Store, **_: Any) -> dict[str, int]:
    with store.read() as conn:
        existing = {r["name"] for r in conn.execute("SELECT name FROM segments")}
    return {"segments": len([insert_segment(store, n) for n in DEMO_SEGMENTS if n not in existing])}
