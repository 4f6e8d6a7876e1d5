"""Email templates: a few demo templates so connectors that read /api/templates by default get real rows.

Read-only: creating, editing, rendering and cloning templates are not modelled.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS templates (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        editor_type TEXT NOT NULL,
        html TEXT NOT NULL,
        text TEXT,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
    ("templates",),
)

DEMO_TEMPLATES = (
    ("Summer Sale", "SYSTEM_DRAGGABLE", "Summer Sale: up to 40% off, this week only."),
    ("Welcome Email", "CODE", "Welcome to Sandbox Store! Here is 10% off your first order."),
    ("Abandoned Cart Reminder", "SIMPLE", "You left something in your cart."),
)


def _html(body: str) -> str:
    return f"<html><body><h1>Sandbox Store</h1><p>{body}</p></body></html>"


def seed_templates(store: Store, **_: Any) -> dict[str, int]:
    with store.write() as conn:
        existing = {r[0] for r in conn.execute("SELECT name FROM templates")}
        stamp = timeutil.iso()
        rows = [
            (ids.short_id(), name, editor, _html(text), text, stamp, stamp)
            for name, editor, text in DEMO_TEMPLATES
            if name not in existing
        ]
        conn.executemany("INSERT INTO templates VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return {"templates": len(rows)}


def all_templates(store: Store) -> list[sqlite3.Row]:
    with store.read() as conn:
        return conn.execute("SELECT * FROM templates").fetchall()
