"""An event's metric and profile: /api/events/{id}/metric, /profile and their relationships.

Kept beside events/routes.py (which lists and creates events) so the related reads stay small and separate.
"""

from __future__ import annotations

import sqlite3

from klaviyo_sandbox.engine.errors import not_found
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import document
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.metrics.resource import metric_resource
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.resource import profile_resource


def _event(ctx: Ctx) -> sqlite3.Row:
    with ctx.store.read() as conn:
        row = eventstore.event_row(conn, ctx.params["id"])
    if row is None:
        raise not_found(f"An event with id {ctx.params['id']} does not exist.")
    return row


@route("get_metric_for_event")
def get_metric_for_event(ctx: Ctx) -> Response:
    """The metric an event was recorded under (created on the event's first use of its name)."""
    metric = ctx.store.row_or_404("metrics", _event(ctx)["metric_id"], "metric")
    return Response(200, document(ctx, metric_resource(ctx, metric)))


@route("get_metric_id_for_event")
def get_metric_id_for_event(ctx: Ctx) -> Response:
    """The relationship form of an event's metric: its id only."""
    return Response(200, document(ctx, {"type": "metric", "id": _event(ctx)["metric_id"]}))


@route("get_profile_for_event")
def get_profile_for_event(ctx: Ctx) -> Response:
    """The profile an event is attached to."""
    profile_id = _event(ctx)["profile_id"]
    with ctx.store.read() as conn:
        profile = profilestore.load_profile(conn, profile_id)
    if profile is None:
        raise not_found(f"A profile with id {profile_id} does not exist.")
    return Response(200, document(ctx, profile_resource(ctx, profile)))


@route("get_profile_id_for_event")
def get_profile_id_for_event(ctx: Ctx) -> Response:
    """The relationship form of an event's profile: its id only."""
    return Response(200, document(ctx, {"type": "profile", "id": _event(ctx)["profile_id"]}))
