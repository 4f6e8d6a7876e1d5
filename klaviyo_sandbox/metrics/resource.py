"""The JSON:API `metric` resource object and the `include` check, shared by metric and event routes."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse


def includes(ctx: Ctx, allowed: set[str]) -> set[str]:
    """The `include=a,b` values, each checked against what the endpoint allows."""
    wanted = {v.strip() for v in (ctx.req.arg("include") or "").split(",") if v.strip()}
    for name in sorted(wanted - allowed):
        raise invalid(f"'{name}' is not an allowed include parameter for this resource.", parameter="include")
    return wanted


def metric_resource(ctx: Ctx, row: sqlite3.Row, *, with_flows: bool = False) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "created": row["created"],
        "updated": row["updated"],
        "integration": json.loads(row["integration"]),
    }
    relationships = None
    if with_flows:
        relationships = {
            "flow-triggers": {
                "data": [],
                "links": {
                    "self": ctx.url(f"/api/metrics/{row['id']}/relationships/flow-triggers"),
                    "related": ctx.url(f"/api/metrics/{row['id']}/flow-triggers"),
                },
            }
        }
    return resource(ctx, "metric", row["id"], sparse(ctx, "metric", attributes), relationships)
