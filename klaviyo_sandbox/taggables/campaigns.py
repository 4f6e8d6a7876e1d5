"""Campaigns: the reads tagging needs (list with its required channel filter, get, their tags) and demo
seeding. Messages, audiences, sending and reporting are not modelled."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.taggables import store as taggablestore
from klaviyo_sandbox.tags.taggable import get_taggable, list_taggable
from klaviyo_spec import allowed_filters

CHANNELS = ("email", "sms", "mobile_push")
INCLUDES = {"tags"}
SORTS = {"created_at", "id", "name", "scheduled_at", "updated_at"}


def campaign_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    # tracking_options is left out: the spec's two variants overlap, so no value matches exactly one.
    attributes = {
        "name": row["name"],
        "status": row["status"],
        "archived": bool(row["archived"]),
        "audiences": {"included": [], "excluded": []},
        "send_options": {"use_smart_sending": True},
        "send_strategy": {"method": "immediate"},
        "created_at": row["created_at"],
        "scheduled_at": row["scheduled_at"],
        "updated_at": row["updated_at"],
        "send_time": row["send_time"],
    }
    return resource(ctx, "campaign", row["id"], sparse(ctx, "campaign", attributes), {}, f"/api/campaigns/{row['id']}")


@route("get_campaigns")
def get_campaigns(ctx: Ctx) -> Response:
    """Campaigns, 100 a page, with the filter on messages.channel Klaviyo requires (facts §7) and
    include=tags; 400 without it. Messages, audiences and sending are not modelled."""
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_campaigns"))
    channel = [c for c in conditions if c.field == "messages.channel"]
    if not channel or channel[0].value not in CHANNELS:
        raise invalid(
            "A channel filter is required, e.g. filter=equals(messages.channel,'email') "
            f"(one of {', '.join(CHANNELS)}).",
            parameter="filter",
        )
    return list_taggable(
        ctx,
        "campaign",
        campaign_resource,
        sorts=SORTS,
        page=(100, 100),
        includes=INCLUDES,
        columns={"messages.channel": "channel"},
    )


@route("get_campaign")
def get_campaign(ctx: Ctx) -> Response:
    """One campaign with include=tags; 404 names the campaign id when it does not exist."""
    return get_taggable(ctx, "campaign", campaign_resource, INCLUDES)


seeder("campaigns")(taggablestore.seed_campaigns)
