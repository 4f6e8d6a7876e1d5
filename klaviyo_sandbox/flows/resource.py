"""The JSON:API `flow` and `flow-action` resource objects, shared by the flow reads (taggables/flows.py) and
the flow-action routes beside this module."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse
from klaviyo_sandbox.flows import store as flowstore


def _wants_definition(ctx: Ctx) -> bool:
    wanted = {p.strip() for p in (ctx.req.arg("additional-fields[flow]") or "").split(",") if p.strip()}
    if wanted - {"definition"}:
        raise invalid(
            f"'{sorted(wanted - {'definition'})[0]}' is not a valid additional field; use definition.",
            parameter="additional-fields[flow]",
        )
    return bool(wanted)


def _links(ctx: Ctx, base: str, name: str) -> dict[str, str]:
    return {"self": ctx.url(f"{base}/relationships/{name}"), "related": ctx.url(f"{base}/{name}")}


def flow_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "status": row["status"],
        "archived": bool(row["archived"]),
        "created": row["created"],
        "updated": row["updated"],
        "trigger_type": row["trigger_type"],
    }
    if _wants_definition(ctx):
        attributes["definition"] = flowstore.definition(ctx.store, row)
    relationships = {"flow-actions": {"links": _links(ctx, f"/api/flows/{row['id']}", "flow-actions")}}
    return resource(ctx, "flow", row["id"], sparse(ctx, "flow", attributes), relationships, f"/api/flows/{row['id']}")


def action_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {"created": row["created"], "updated": row["updated"], "definition": json.loads(row["definition"])}
    base = f"/api/flow-actions/{row['id']}"
    relationships = {
        "flow": {"data": {"type": "flow", "id": row["flow_id"]}, "links": _links(ctx, base, "flow")},
        "flow-messages": {"links": _links(ctx, base, "flow-messages")},
    }
    return resource(ctx, "flow-action", row["id"], sparse(ctx, "flow-action", attributes), relationships, base)
