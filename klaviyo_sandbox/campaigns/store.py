"""Campaign messages: one read-only message per campaign, written when the campaign is created.

Content is derived from the campaign's name and channel so demo campaigns read like real ones (subject,
preview text, sender; an SMS body); send times follow the campaign (sent or scheduled time). Editing
messages, templates and images is not modelled.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS campaign_messages (
        id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        definition TEXT NOT NULL,
        send_time TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS campaign_messages_campaign ON campaign_messages(campaign_id);
    """,
    ("campaign_messages",),
)

SENDER = {"from_email": "hello@sandbox-store.example", "from_label": "Sandbox Store"}


def definition_for(name: str, channel: str) -> dict[str, Any] | None:
    """What a marketer would have written for a campaign of this name (None for push: not modelled)."""
    if channel == "email":
        content: dict[str, str | None] = {"subject": name, "preview_text": f"{name}: inside, this week only", **SENDER}
        content |= {"reply_to_email": None, "cc_email": None, "bcc_email": None}
        return {"channel": "email", "label": f"{name} (email)", "content": content}
    if channel == "sms":
        body = f"Sandbox Store: {name}! Shop now at https://sandbox-store.example. Reply STOP to opt out."
        return {"channel": "sms", "content": {"body": body, "media_url": None}}
    return None


def insert_message(conn: sqlite3.Connection, campaign_id: str, name: str, channel: str, send_time: str | None) -> str:
    message_id = ids.ulid()
    stamp = timeutil.iso()
    conn.execute(
        "INSERT INTO campaign_messages(id, campaign_id, channel, definition, send_time, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (message_id, campaign_id, channel, json.dumps(definition_for(name, channel)), send_time, stamp, stamp),
    )
    return message_id


def messages_of(store: Store, campaign_id: str) -> list[sqlite3.Row]:
    with store.read() as conn:
        return conn.execute(
            "SELECT * FROM campaign_messages WHERE campaign_id=? ORDER BY id", (campaign_id,)
        ).fetchall()


def recipient_estimate(store: Store, channel: str) -> int:
    """Profiles that can receive marketing on this channel (the demo campaigns target the whole account)."""
    if channel not in ("email", "sms"):
        return 0
    with store.read() as conn:
        row = conn.execute(
            "SELECT count(*) FROM profiles WHERE json_extract(subscriptions, ?) = 'SUBSCRIBED'",
            (f"$.{channel}.marketing.consent",),
        ).fetchone()
    return int(row[0])
