"""Flow actions (read-only): /api/flows/{id}/flow-actions (+ relationships), /api/flow-actions/{id} and its
flow. Flows themselves are read in taggables/flows.py; actions are written with the flow (flows/store.py)."""

from __future__ import annotations

import sqlite3

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.flows import store as flowstore
from klaviyo_sandbox.flows.resource import action_resource, flow_resource
from klaviyo_spec import allowed_filters

SORTS = {"action_type", "created", "id", "status", "updated"}


def _actions(ctx: Ctx) -> list[sqlite3.Row]:
    """The flow's actions after filter and sort (both from the spec's lists for this operation)."""
    flow_id = ctx.store.row_or_404("flows", ctx.params["id"], "flow")["id"]
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(ctx.operation.operation_id))
    sort = ctx.req.arg("sort")
    if sort is not None and sort.lstrip("-") not in SORTS:
        raise invalid(f"'{sort}' is not a valid sort field; use one of {sorted(SORTS)}.", parameter="sort")
    rows = [r for r in flowstore.actions_of(ctx.store, flow_id) if all(matches(c, r[c.field]) for c in conditions)]
    if sort:
        rows.sort(key=lambda r: (r[sort.lstrip("-")], r["id"]), reverse=sort.startswith("-"))
    return rows


@route("get_actions_for_flow")
def get_actions_for_flow(ctx: Ctx) -> Response:
    """A flow's actions. EMULATOR CHOICE: each demo flow is a one-day time delay, then an email (Klaviyo's
    flows branch and split; the sandbox runs none of them)."""
    offset, size = page_window(ctx, 50, 50)
    rows = _actions(ctx)
    items = [action_resource(ctx, r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))


@route("get_action_ids_for_flow")
def get_action_ids_for_flow(ctx: Ctx) -> Response:
    """The relationship form of a flow's actions: ids only."""
    offset, size = page_window(ctx, 50, 50)
    rows = _actions(ctx)
    items = [{"type": "flow-action", "id": r["id"]} for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))


def _action(ctx: Ctx) -> sqlite3.Row:
    return ctx.store.row_or_404("flow_actions", ctx.params["id"], "flow action")


@route("get_flow_action")
def get_flow_action(ctx: Ctx) -> Response:
    """One flow action."""
    return Response(200, document(ctx, action_resource(ctx, _action(ctx))))


@route("get_flow_for_flow_action")
def get_flow_for_flow_action(ctx: Ctx) -> Response:
    """The flow an action belongs to."""
    flow = ctx.store.row_or_404("flows", _action(ctx)["flow_id"], "flow")
    return Response(200, document(ctx, flow_resource(ctx, flow)))


@route("get_flow_id_for_flow_action")
def get_flow_id_for_flow_action(ctx: Ctx) -> Response:
    """The relationship form of an action's flow: its id only."""
    return Response(200, document(ctx, {"type": "flow", "id": _action(ctx)["flow_id"]}))
