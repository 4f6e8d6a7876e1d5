"""Segment membership reads: /api/segments/{id}/profiles (+ relationships) and /api/profiles/{id}/segments.

The segments themselves (list, get, tags) are read in taggables/segments.py; who is a member is the rule in
segments/store.py, evaluated on every read.
"""

from __future__ import annotations

import sqlite3

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.resource import additional_fields, profile_resource
from klaviyo_sandbox.segments import store as segmentstore
from klaviyo_sandbox.taggables.resource import segment_resource
from klaviyo_spec import allowed_filters


def _member_page(ctx: Ctx, offset: int, size: int) -> list[sqlite3.Row]:
    segment_id = ctx.store.row_or_404("segments", ctx.params["id"], "segment")["id"]
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(ctx.operation.operation_id))
    sort = ctx.req.arg("sort") or "joined_group_at"
    if sort not in ("joined_group_at", "-joined_group_at"):
        raise invalid(f"'{sort}' is not a valid sort; use joined_group_at or -joined_group_at.", parameter="sort")
    return segmentstore.member_page(
        ctx.store, segment_id, conditions, descending=sort.startswith("-"), offset=offset, size=size
    )


@route("get_profiles_for_segment")
def get_profiles_for_segment(ctx: Ctx) -> Response:
    """A segment's members. EMULATOR CHOICE: each demo segment is a rule the sandbox evaluates on every read
    (Klaviyo re-computes segments in the background, so its membership can lag; the sandbox's never does)."""
    offset, size = page_window(ctx, 20, 100)
    extras = additional_fields(ctx)
    members = _member_page(ctx, offset, size)
    with ctx.store.read() as conn:
        loaded = [(profilestore.load_profile(conn, r[0]), r[1]) for r in members]
    items = [profile_resource(ctx, p, extras, joined_group_at=joined) for p, joined in loaded if p is not None]
    return Response(200, collection(ctx, items, offset, size))


@route("get_profile_ids_for_segment")
def get_profile_ids_for_segment(ctx: Ctx) -> Response:
    """The relationship form of a segment's members: ids only."""
    offset, size = page_window(ctx, 20, 100)
    items = [{"type": "profile", "id": r[0]} for r in _member_page(ctx, offset, size)]
    return Response(200, collection(ctx, items, offset, size))


@route("get_segments_for_profile")
def get_segments_for_profile(ctx: Ctx) -> Response:
    """The segments a profile is in (every demo segment's rule evaluated for that profile)."""
    profile_id = ctx.store.row_or_404("profiles", ctx.params["id"], "profile")["id"]
    rows = segmentstore.segments_of_profile(ctx.store, profile_id)
    return Response(200, document(ctx, [segment_resource(ctx, r) for r in rows]))


@route("get_segment_ids_for_profile")
def get_segment_ids_for_profile(ctx: Ctx) -> Response:
    """The relationship form of a profile's segments: ids only."""
    profile_id = ctx.store.row_or_404("profiles", ctx.params["id"], "profile")["id"]
    rows = segmentstore.segments_of_profile(ctx.store, profile_id)
    return Response(200, document(ctx, [{"type": "segment", "id": r["id"]} for r in rows]))
