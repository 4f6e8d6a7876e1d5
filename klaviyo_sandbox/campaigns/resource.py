"""The JSON:API `campaign` and `campaign-message` resource objects, shared by the campaign reads
(taggables/campaigns.py, incl. `include=campaign-messages`) and the campaign-message routes beside this module."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.campaigns import store as messagestore
from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse


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


def message_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    send_times = [{"datetime": row["send_time"], "is_local": False}] if row["send_time"] else []
    attributes = {
        "definition": json.loads(row["definition"]),
        "send_times": send_times,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    base = ctx.url(f"/api/campaign-messages/{row['id']}")
    campaign = {
        "data": {"type": "campaign", "id": row["campaign_id"]},
        "links": {"self": f"{base}/relationships/campaign", "related": f"{base}/campaign"},
    }
    relationships = {"campaign": campaign}
    attrs = sparse(ctx, "campaign-message", attributes)
    return resource(ctx, "campaign-message", row["id"], attrs, relationships, f"/api/campaign-messages/{row['id']}")


def messages_relationship(ctx: Ctx, campaign_id: str, with_data: bool) -> dict[str, Any]:
    base = ctx.url(f"/api/campaigns/{campaign_id}")
    rel: dict[str, Any] = {
        "links": {"self": f"{base}/relationships/campaign-messages", "related": f"{base}/campaign-messages"}
    }
    if with_data:
        rows = messagestore.messages_of(ctx.store, campaign_id)
        rel = {"data": [{"type": "campaign-message", "id": r["id"]} for r in rows], **rel}
    return rel


def add_messages(ctx: Ctx, body: dict[str, Any], included: bool) -> None:
    """Give each campaign in a document its `campaign-messages` relationship; with `included`, the messages."""
    data = body["data"]
    for campaign in data if isinstance(data, list) else [data]:
        campaign.setdefault("relationships", {})["campaign-messages"] = messages_relationship(
            ctx, campaign["id"], included
        )
        if included:
            rows = messagestore.messages_of(ctx.store, campaign["id"])
            body.setdefault("included", []).extend(message_resource(ctx, r) for r in rows)
