"""Flow actions and definitions: each flow gets a small believable path (wait, then send an email), written
when the flow is created; the definition is built from the flow's trigger and its actions on read.

EMULATOR CHOICE: Klaviyo's definitions carry many action and trigger kinds; the sandbox models a time delay and
a send-email action per flow, and the trigger that matches the flow's trigger type (list, metric, date or low
inventory). Flow messages, editing and creating flows are not modelled.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS flow_actions (
        id TEXT PRIMARY KEY,
        flow_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        action_type TEXT NOT NULL,
        status TEXT NOT NULL,
        definition TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS flow_actions_flow ON flow_actions(flow_id, position);
    """,
    ("flow_actions",),
)

#: flow name -> the metric its trigger listens to (demo flows with a Metric trigger)
TRIGGER_METRICS = {
    "Abandoned Cart": "Started Checkout",
    "Browse Abandonment": "Viewed Product",
    "Post-Purchase Thank You": "Placed Order",
}
ACTION_STATUSES = {"live": "live", "manual": "manual", "draft": "draft"}


def _action_id() -> str:
    return str(10_000_000 + secrets.randbelow(89_999_999))  # Klaviyo's action ids are numeric strings


def insert_actions(conn: sqlite3.Connection, flow_id: str, name: str, status: str) -> None:
    """A one-day delay, then an email named after the flow."""
    delay_id, email_id, stamp = _action_id(), _action_id(), timeutil.iso()
    action_status = ACTION_STATUSES.get(status, "draft")
    delay = {"unit": "days", "value": 1, "secondary_value": None, "timezone": "profile"}
    message = {
        "name": f"{name} email",
        "from_email": "hello@sandbox-store.example",
        "from_label": "Sandbox Store",
        "subject_line": name,
        "preview_text": f"{name}: something for you",
        "smart_sending_enabled": True,
        "transactional": False,
        "add_tracking_params": False,
    }
    rows = [
        (delay_id, 0, "time-delay", {"links": {"next": email_id}, "data": delay}),
        (email_id, 1, "send-email", {"links": {"next": None}, "data": {"status": action_status, "message": message}}),
    ]
    conn.executemany(
        "INSERT INTO flow_actions(id, flow_id, position, action_type, status, definition, created, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (aid, flow_id, pos, kind, action_status, json.dumps({"id": aid, "type": kind, **body}), stamp, stamp)
            for aid, pos, kind, body in rows
        ],
    )


def actions_of(store: Store, flow_id: str) -> list[sqlite3.Row]:
    with store.read() as conn:
        return conn.execute("SELECT * FROM flow_actions WHERE flow_id=? ORDER BY position", (flow_id,)).fetchall()


def _named_id(conn: sqlite3.Connection, table: str, name: str) -> str | None:
    row = conn.execute(f"SELECT id FROM {table} WHERE name=?", (name,)).fetchone()  # table: ours, fixed
    return None if row is None else str(row[0])


def _trigger(conn: sqlite3.Connection, flow: sqlite3.Row) -> dict[str, Any]:
    kind = flow["trigger_type"]
    if kind == "Added to List":
        return {"type": "list", "id": _named_id(conn, "lists", "Email Newsletter")}
    if kind == "Date Based":
        return {
            "type": "date",
            "date_field_type": "profile-property",
            "date_profile_property": "birthday",
            "timedelta_value_before_date": 0,
            "trigger_time": "09:00:00",
            "timezone": "profile",
        }
    if kind == "Low Inventory":
        return {
            "type": "low-inventory",
            "product_level": "product",
            "trigger_filter": {"condition_groups": []},
            "inventory_count": 10,
            "audience": ["viewed", "added-to-cart"],
        }
    metric = TRIGGER_METRICS.get(flow["name"])
    return {"type": "metric", "id": _named_id(conn, "metrics", metric) if metric else None}


def definition(store: Store, flow: sqlite3.Row) -> dict[str, Any] | None:
    """The flow's definition (additional-fields[flow]=definition): its trigger and its actions in order."""
    actions = actions_of(store, flow["id"])
    if not actions:
        return None  # a flow stored before actions were modelled
    with store.read() as conn:
        trigger = _trigger(conn, flow)
    return {
        "triggers": [trigger],
        "profile_filter": None,
        "actions": [json.loads(a["definition"]) for a in actions],
        "entry_action_id": actions[0]["id"],
        "reentry_criteria": None,
    }
