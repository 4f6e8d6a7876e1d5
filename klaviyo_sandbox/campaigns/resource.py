"""The JSON:API `campaign` resource object, shared by the campaign reads (taggables/campaigns.py) and the
campaign-message routes beside this module (`include=campaign`, `/campaign-messages/{id}/campaign`)."""

from __future__ import annotations

import sqlite3
from typing import Any

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
