"""The JSON:API `list` resource object, shared by the list routes and by profile reads and imports."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse
from klaviyo_sandbox.lists import store as liststore
from klaviyo_sandbox.taggables.resource import wants_profile_count


def list_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "created": row["created"],
        "updated": row["updated"],
        "opt_in_process": row["opt_in_process"],
    }
    if wants_profile_count(ctx, "list"):
        attributes["profile_count"] = liststore.member_count(ctx.store, row["id"])
    return resource(ctx, "list", row["id"], sparse(ctx, "list", attributes), self_path=f"/api/lists/{row['id']}")
