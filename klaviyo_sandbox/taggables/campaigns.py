"""Campaigns: the reads (list with its required channel filter, get, their tags and messages) and demo
seeding. Messages are read-only (campaigns/); audiences, sending and reporting are not modelled."""

from __future__ import annotations

from klaviyo_sandbox.campaigns.resource import add_messages, campaign_resource
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.taggables import store as taggablestore
from klaviyo_sandbox.tags.taggable import get_taggable, list_taggable
from klaviyo_spec import allowed_filters

CHANNELS = ("email", "sms", "mobile_push")
INCLUDES = {"campaign-messages", "tags"}
SORTS = {"created_at", "id", "name", "scheduled_at", "updated_at"}


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
    resp = list_taggable(
        ctx,
        "campaign",
        campaign_resource,
        sorts=SORTS,
        page=(100, 100),
        includes=INCLUDES,
        columns={"messages.channel": "channel"},
    )
    return _with_messages(ctx, resp)


@route("get_campaign")
def get_campaign(ctx: Ctx) -> Response:
    """One campaign with include=tags and include=campaign-messages; 404 names the campaign id when it does not
    exist."""
    return _with_messages(ctx, get_taggable(ctx, "campaign", campaign_resource, INCLUDES))


def _with_messages(ctx: Ctx, resp: Response) -> Response:
    include = {i.strip() for i in (ctx.req.arg("include") or "").split(",")}
    add_messages(ctx, resp.body, "campaign-messages" in include)
    return resp


seeder("campaigns")(taggablestore.seed_campaigns)
