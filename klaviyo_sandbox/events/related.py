"""An event's metric and profile: /api/events/{id}/metric, /profile and their relationships.

Kept beside events/routes.py (which lists and creates events) so the related reads stay small and separate.
"""

from __future__ import annotations

import sqlite3

from klaviyo_sandbox.engine.errors import not_found
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import document
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.metrics.resource import metric_resource
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.resource import profile_resource


def _event(ctx: Ctx) -> sqlite3.Row:
    with ctx.store.read() as conn:
        row = conn.execute("SELECT metric_id, profile_id FROM events WHERE id=?", (ctx.params["id"],)).fetchone()
    if row is None:
        raise not_found(f"An event with id {ctx.params['id']} does not exist.")
    return row  # type: ignore[no-any-return]


@route("get_metric_for_event")
def get_metric_for_event(ctx: Ctx) -> Response:
    metric = ctx.store.row_or_404("metrics", _event(ctx)["metric_id"], "metric")
    return Response(200, document(ctx, metric_resource(ctx, metric)))


@route("get_metric_id_for_event")
def get_metric_id_for_event(ctx: Ctx) -> Response:
    return Response(200, document(ctx, {"type": "metric", "id": _event(ctx)["metric_id"]}))


@route("get_profile_for_event")
def get_profile_for_event(ctx: Ctx) -> Response:
    profile_id = _event(ctx)["profile_id"]
    with ctx.store.read() as conn:
        profile = profilestore.load_profile(conn, profile_id)
    if profile is None:
        raise not_found(f"A profile with id {profile_id} does not exist.")
    return Response(200, document(ctx, profile_resource(ctx, profile)))


@route("get_profile_id_for_event")
def get_profile_id_for_event(ctx: Ctx) -> Response:
    return Response(200, document(ctx, {"type": "profile", "id": _event(ctx)["profile_id"]}))
