"""Segments: the reads (list, get, their tags) and demo seeding. Definitions are not modelled: a demo
segment's membership is a rule segments/store.py evaluates (members are read in segments/routes.py)."""

from __future__ import annotations

from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.taggables import store as taggablestore
from klaviyo_sandbox.taggables.resource import segment_resource
from klaviyo_sandbox.tags.taggable import get_taggable, list_taggable

INCLUDES = {"tags"}


@route("get_segments")
def get_segments(ctx: Ctx) -> Response:
    """Segments, 10 a page (facts §6), with include=tags; definitions and membership are not computed."""
    sorts = {"created", "id", "name", "updated"}
    return list_taggable(ctx, "segment", segment_resource, sorts=sorts, page=(10, 10), includes=INCLUDES)


@route("get_segment")
def get_segment(ctx: Ctx) -> Response:
    """One segment with include=tags; 404 names the segment id when it does not exist."""
    return get_taggable(ctx, "segment", segment_resource, INCLUDES)


seeder("segments")(taggablestore.seed_segments)
