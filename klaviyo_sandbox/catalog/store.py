"""Catalog items: one table keyed by the compound id `$custom:::$default:::<external_id>` (facts §16).

Variants (variants_store.py), categories (categories_store.py) and bulk jobs (jobs_store.py) have stores of
their own.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.errors import ApiError, conflict
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS catalog_items (
        id TEXT PRIMARY KEY,
        external_id TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        price REAL,
        url TEXT NOT NULL,
        image_full_url TEXT,
        image_thumbnail_url TEXT,
        images TEXT NOT NULL,
        custom_metadata TEXT,
        published INTEGER NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS catalog_items_created ON catalog_items(created, id);
    """,
    ("catalog_items",),
)

PREFIX = "$custom:::$default:::"
#: Columns a create or an update may set, in table order after `external_id`.
FIELDS = (
    "title",
    "description",
    "price",
    "url",
    "image_full_url",
    "image_thumbnail_url",
    "images",
    "custom_metadata",
    "published",
)
DEMO_ITEMS = (
    ("DEMO-SHIRT", "Ocean Blue Shirt", "Cotton shirt with a narrow collar.", 42.0),
    ("DEMO-MUG", "Sandbox Store Mug", "Stoneware mug, 350 ml.", 12.5),
    ("DEMO-TOTE", "Canvas Tote", "Heavy canvas tote bag.", 19.0),
)


def compound_id(external_id: str) -> str:
    return PREFIX + external_id


def column_value(name: str, value: Any) -> Any:
    if name == "images":
        return json.dumps(value or [])  # the official SDK sends null for an unset nullable field
    if name == "custom_metadata":
        return None if value is None else json.dumps(value)
    if name == "published":
        return 1 if value is None else int(bool(value))
    return value


def insert_item(store: Store, external_id: str, attributes: dict[str, Any]) -> str:
    """Create the item; 409 `duplicate_catalog_item` names the existing id (EMULATOR CHOICE)."""
    item_id = compound_id(external_id)
    stamp = timeutil.iso()
    values = [column_value(f, attributes.get(f, [] if f == "images" else None)) for f in FIELDS]
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM catalog_items WHERE id=?", (item_id,)).fetchone():
            raise duplicate(item_id)
        conn.execute(
            "INSERT INTO catalog_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item_id, external_id, *values, stamp, stamp),
        )
    return item_id


def duplicate(item_id: str) -> ApiError:
    return conflict("duplicate_catalog_item", f"A catalog item with id {item_id} already exists.", meta={"id": item_id})


def insert_items(store: Store, items: list[tuple[str, dict[str, Any]]]) -> list[str | None]:
    """Create many items in one statement (a bulk job's); per item its id, or None when the id exists already
    (in the account or earlier in `items`). One lookup and one executemany instead of two statements an item:
    the job worker holds the store lock meanwhile, and job POSTs wait for it."""
    stamp = timeutil.iso()
    ids = [compound_id(external_id) for external_id, _ in items]
    out: list[str | None] = []
    rows = []
    with store.write() as conn:
        taken = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM catalog_items WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
            )
        }
        for item_id, (external_id, attributes) in zip(ids, items, strict=True):
            if item_id in taken:
                out.append(None)
                continue
            taken.add(item_id)
            values = [column_value(f, attributes.get(f, [] if f == "images" else None)) for f in FIELDS]
            rows.append((item_id, external_id, *values, stamp, stamp))
            out.append(item_id)
        conn.executemany("INSERT INTO catalog_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return out


def update_item(store: Store, item_id: str, attributes: dict[str, Any]) -> None:
    """Set the given fields only (a PATCH); `updated` moves forward. A null for a field that cannot be empty
    (title, description, url, published) leaves it as it is (EMULATOR CHOICE)."""
    keep = ("title", "description", "url", "published")
    changes = {
        f: column_value(f, attributes[f])
        for f in FIELDS
        if f in attributes and not (f in keep and attributes[f] is None)
    }
    patch_row(store, "catalog_items", item_id, changes)


def patch_row(store: Store, table: str, row_id: str, changes: dict[str, Any]) -> None:
    """A PATCH's columns set on one row of a catalog table, `updated` moved forward (names and table: ours)."""
    changes = {**changes, "updated": timeutil.iso()}
    assignments = ", ".join(f"{name}=?" for name in changes)
    with store.write() as conn:
        conn.execute(f"UPDATE {table} SET {assignments} WHERE id=?", (*changes.values(), row_id))


def delete_item(store: Store, item_id: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM catalog_items WHERE id=?", (item_id,))


def all_items(store: Store) -> list[sqlite3.Row]:
    with store.read() as conn:
        return conn.execute("SELECT * FROM catalog_items").fetchall()


def item_row(store: Store, item_id: str) -> sqlite3.Row:
    return store.row_or_404("catalog_items", item_id, "catalog item")


def seed_catalog(store: Store, **_: Any) -> dict[str, int]:
    """Three demo products for the demo store (idempotent)."""
    existing = {r["external_id"] for r in all_items(store)}
    made = 0
    for external_id, title, description, price in DEMO_ITEMS:
        if external_id in existing:
            continue
        url = f"https://store.example.com/products/{external_id.lower()}"
        insert_item(store, external_id, {"title": title, "description": description, "price": price, "url": url})
        made += 1
    return {"catalog_items": made}


def item_exists(store: Store, item_id: str) -> bool:
    with store.read() as conn:
        return conn.execute("SELECT 1 FROM catalog_items WHERE id=?", (item_id,)).fetchone() is not None


def item_page(store: Store, offset: int, size: int, newest_first: bool) -> list[sqlite3.Row]:
    """One page in ±created order plus one row (it says whether a next page exists), in SQL: an unfiltered read
    of a 100,000-item catalog pages through it 1,000 times, which must neither sort nor count the whole table
    each time."""
    order = "DESC" if newest_first else "ASC"
    with store.read() as conn:
        return conn.execute(
            f"SELECT * FROM catalog_items ORDER BY created {order}, id {order} LIMIT ? OFFSET ?",  # order: ours
            (size + 1, offset),
        ).fetchall()
