"""The JSON:API `tag` and `tag-group` resource objects, shared by the tag routes and the taggable reads."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse


def _rel(base: str, name: str) -> dict[str, Any]:
    return {"links": {"self": f"{base}/relationships/{name}", "related": f"{base}/{name}"}}


def tag_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    base = ctx.url(f"/api/tags/{row['id']}")
    rels: dict[str, Any] = {
        "tag-group": {"data": {"type": "tag-group", "id": row["group_id"]}, **_rel(base, "tag-group")}
    }
    for name in ("lists", "segments", "campaigns", "flows"):
        rels[name] = _rel(base, name)
    attrs = sparse(ctx, "tag", {"name": row["name"]})
    return resource(ctx, "tag", row["id"], attrs, rels, self_path=f"/api/tags/{row['id']}")


def group_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    base = ctx.url(f"/api/tag-groups/{row['id']}")
    attrs = {"name": row["name"], "exclusive": bool(row["exclusive"]), "default": bool(row["is_default"])}
    return resource(
        ctx,
        "tag-group",
        row["id"],
        sparse(ctx, "tag-group", attrs),
        {"tags": _rel(base, "tags")},
        self_path=f"/api/tag-groups/{row['id']}",
    )
