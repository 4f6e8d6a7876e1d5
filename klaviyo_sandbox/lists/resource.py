"""The JSON:API `list` resource object, shared by the list routes and by profile reads and imports."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse


def list_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "created": row["created"],
        "updated": row["updated"],
        "opt_in_process": row["opt_in_process"],
    }
    return resource(ctx, "list", row["id"], sparse(ctx, "list", attributes), self_path=f"/api/lists/{row['id']}")
