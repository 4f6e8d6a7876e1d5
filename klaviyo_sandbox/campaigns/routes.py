"""Campaign messages (read-only) and recipient estimations, beside the campaigns in taggables/campaigns.py.

Routes: GET /api/campaign-messages/{id}, /api/campaigns/{id}/campaign-messages (+ relationships),
/api/campaign-messages/{id}/campaign (+ relationships) and /api/campaign-recipient-estimations/{id}.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.campaigns import store as messagestore
from klaviyo_sandbox.campaigns.resource import campaign_resource, message_resource
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import document, resource, sparse
from klaviyo_sandbox.engine.routes import route


def _message_row(ctx: Ctx) -> sqlite3.Row:
    return ctx.store.row_or_404("campaign_messages", ctx.params["id"], "campaign message")


def _included_campaign(ctx: Ctx, campaign_id: str) -> dict[str, Any]:
    """`included` with the parent campaign for include=campaign; templates and images are not modelled."""
    wanted = {i.strip() for i in (ctx.req.arg("include") or "").split(",") if i.strip()}
    if wanted - {"campaign"}:
        raise invalid(
            f"Invalid include {sorted(wanted - {'campaign'})}: the sandbox models only include=campaign here "
            "(templates and images are not modelled).",
            parameter="include",
        )
    if not wanted:
        return {}
    return {"included": [campaign_resource(ctx, ctx.store.row_or_404("campaigns", campaign_id, "campaign"))]}


@route("get_campaign_message")
def get_campaign_message(ctx: Ctx) -> Response:
    """One campaign message. Klaviyo gives each campaign one message per channel; the sandbox writes one read-only
    message when a demo campaign is created (email: subject, preview text, sender; SMS: body)."""
    row = _message_row(ctx)
    return Response(200, document(ctx, message_resource(ctx, row), **_included_campaign(ctx, row["campaign_id"])))


@route("get_messages_for_campaign")
def get_messages_for_campaign(ctx: Ctx) -> Response:
    """A campaign's messages (one per demo campaign: the sandbox models no multi-message A/B campaigns)."""
    campaign_id = ctx.store.row_or_404("campaigns", ctx.params["id"], "campaign")["id"]
    data = [message_resource(ctx, r) for r in messagestore.messages_of(ctx.store, campaign_id)]
    return Response(200, document(ctx, data, **_included_campaign(ctx, campaign_id)))


@route("get_message_ids_for_campaign")
def get_message_ids_for_campaign(ctx: Ctx) -> Response:
    """The relationship form of a campaign's messages: ids only."""
    ctx.store.row_or_404("campaigns", ctx.params["id"], "campaign")
    rows = messagestore.messages_of(ctx.store, ctx.params["id"])
    data = [{"type": "campaign-message", "id": r["id"]} for r in rows]
    return Response(200, document(ctx, data))


@route("get_campaign_for_campaign_message")
def get_campaign_for_campaign_message(ctx: Ctx) -> Response:
    """The campaign a message belongs to."""
    row = ctx.store.row_or_404("campaigns", _message_row(ctx)["campaign_id"], "campaign")
    return Response(200, document(ctx, campaign_resource(ctx, row)))


@route("get_campaign_id_for_campaign_message")
def get_campaign_id_for_campaign_message(ctx: Ctx) -> Response:
    """The relationship form of a message's campaign: its id only."""
    row = _message_row(ctx)
    return Response(200, document(ctx, {"type": "campaign", "id": row["campaign_id"]}))


@route("get_campaign_recipient_estimation")
def get_campaign_recipient_estimation(ctx: Ctx) -> Response:
    """How many profiles a campaign would reach. EMULATOR CHOICE: the profiles subscribed on the campaign's
    channel (Klaviyo also applies audiences, exclusions and smart sending, which the sandbox does not model)."""
    row = ctx.store.row_or_404("campaigns", ctx.params["id"], "campaign")
    count = messagestore.recipient_estimate(ctx.store, row["channel"])
    attrs = sparse(ctx, "campaign-recipient-estimation", {"estimated_recipient_count": count})
    path = f"/api/campaign-recipient-estimations/{row['id']}"
    obj = resource(ctx, "campaign-recipient-estimation", row["id"], attrs, None, path)
    return Response(200, document(ctx, obj))
