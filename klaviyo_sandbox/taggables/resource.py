"""The JSON:API `segment` resource object, shared by the segment reads and `/api/profiles/{id}/segments`."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse


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
