"""Flows: the reads (list, get, their tags; with include=flow-actions and additional-fields[flow]=definition on
GET /api/flows/{id}) and demo seeding. Actions are read in flows/routes.py."""

from __future__ import annotations

from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.flows import store as flowstore
from klaviyo_sandbox.flows.resource import action_resource, flow_resource
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.taggables import store as taggablestore
from klaviyo_sandbox.tags.taggable import get_taggable, list_taggable

INCLUDES = {"tags"}
GET_INCLUDES = {"flow-actions", "tags"}
SORTS = {"created", "id", "name", "status", "trigger_type", "updated"}


@route("get_flows")
def get_flows(ctx: Ctx) -> Response:
    """Flows, 50 a page (facts §6), with include=tags; actions and definitions are not modelled."""
    return list_taggable(ctx, "flow", flow_resource, sorts=SORTS, page=(50, 50), includes=INCLUDES)


@route("get_flow")
def get_flow(ctx: Ctx) -> Response:
    """One flow with include=tags and include=flow-actions (each demo flow: a one-day delay, then an email);
    404 names the flow id when it does not exist."""
    resp = get_taggable(ctx, "flow", flow_resource, GET_INCLUDES)
    if "flow-actions" in {i.strip() for i in (ctx.req.arg("include") or "").split(",")}:
        rows = flowstore.actions_of(ctx.store, ctx.params["id"])
        resp.body["data"]["relationships"]["flow-actions"]["data"] = [
            {"type": "flow-action", "id": r["id"]} for r in rows
        ]
        resp.body.setdefault("included", []).extend(action_resource(ctx, r) for r in rows)
    return resp


seeder("flows")(taggablestore.seed_flows)
