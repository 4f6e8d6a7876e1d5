"""Flows: the reads tagging needs (list, get, their tags) and demo seeding. Actions and definitions are
not modelled."""

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
SORTS = {"created", "id", "name", "status", "trigger_type", "updated"}


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
    """Flows, 50 a page (facts §6), with include=tags; actions and definitions are not modelled."""
    return list_taggable(ctx, "flow", flow_resource, sorts=SORTS, page=(50, 50), includes=INCLUDES)


@route("get_flow")
def get_flow(ctx: Ctx) -> Response:
    """One flow with include=tags; 404 names the flow id when it does not exist."""
    return get_taggable(ctx, "flow", flow_resource, INCLUDES)


seeder("flows")(taggablestore.seed_flows)
