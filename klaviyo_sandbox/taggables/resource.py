"""The JSON:API `segment` resource object, shared by the segment reads and `/api/profiles/{id}/segments`."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse
from klaviyo_sandbox.segments import store as segmentstore


def segment_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "created": row["created"],
        "updated": row["updated"],
        "is_active": bool(row["is_active"]),
        "is_processing": False,
        "is_starred": bool(row["is_starred"]),
    }
    if wants_profile_count(ctx, "segment"):
        attributes["profile_count"] = segmentstore.member_count(ctx.store, row["id"])
    return resource(ctx, "segment", row["id"], sparse(ctx, "segment", attributes), {}, f"/api/segments/{row['id']}")


def wants_profile_count(ctx: Ctx, type_: str) -> bool:
    """`additional-fields[list|segment]=profile_count`, which the spec offers on the single-resource GET."""
    name = f"additional-fields[{type_}]"
    wanted = {p.strip() for p in (ctx.req.arg(name) or "").split(",") if p.strip()}
    if wanted - {"profile_count"}:
        raise invalid(f"'{sorted(wanted)[0]}' is not a valid additional field; use profile_count.", parameter=name)
    return bool(wanted)
