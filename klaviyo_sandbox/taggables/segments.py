"""Segments: the reads tagging needs (list, get, their tags) and demo seeding. Definitions are not
modelled: a segment here is a name with flags, and its membership is not computed."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.taggables import store as taggablestore
from klaviyo_sandbox.tags.taggable import get_taggable, list_taggable

INCLUDES = {"tags"}


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
    """Segments, 10 a page (facts §6), with include=tags; definitions and membership are not computed."""
    sorts = {"created", "id", "name", "updated"}
    return list_taggable(ctx, "segment", segment_resource, sorts=sorts, page=(10, 10), includes=INCLUDES)


@route("get_segment")
def get_segment(ctx: Ctx) -> Response:
    """One segment with include=tags; 404 names the segment id when it does not exist."""
    return get_taggable(ctx, "segment", segment_resource, INCLUDES)


seeder("segments")(taggablestore.seed_segments)
