"""Catalog variants: one table keyed by the compound id `$custom:::$default:::<external_id>` (facts §16), each
row naming its parent item. Deleting an item deletes its variants (EMULATOR CHOICE: Klaviyo does not say; a
variant cannot exist without its item, as its create requires the item relationship)."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.catalog.store import column_value, compound_id, patch_row
from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.errors import conflict
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS catalog_variants (
        id TEXT PRIMARY KEY,
        external_id TEXT NOT NULL,
        item_id TEXT NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        sku TEXT NOT NULL,
        inventory_policy INTEGER NOT NULL,
        inventory_quantity REAL NOT NULL,
        price REAL NOT NULL,
        url TEXT NOT NULL,
        image_full_url TEXT,
        image_thumbnail_url TEXT,
        images TEXT NOT NULL,
        custom_metadata TEXT,
        published INTEGER NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS catalog_variants_item ON catalog_variants(item_id);
    """,
    ("catalog_variants",),
)

#: Columns a create or an update may set, in table order after `item_id`.
FIELDS = (
    "title",
    "description",
    "sku",
    "inventory_policy",
    "inventory_quantity",
    "price",
    "url",
    "image_full_url",
    "image_thumbnail_url",
    "images",
    "custom_metadata",
    "published",
)
#: A null in an update leaves these as they are (they cannot be empty).
KEEP_ON_NULL = ("title", "description", "sku", "inventory_quantity", "price", "url", "published", "inventory_policy")
DEMO_VARIANTS = (
    ("DEMO-SHIRT-S", "DEMO-SHIRT", "Ocean Blue Shirt / S", "SHIRT-BLUE-S", 12, 42.0),
    ("DEMO-SHIRT-M", "DEMO-SHIRT", "Ocean Blue Shirt / M", "SHIRT-BLUE-M", 0, 42.0),
    ("DEMO-MUG-350", "DEMO-MUG", "Sandbox Store Mug / 350 ml", "MUG-350", 40, 12.5),
    ("DEMO-TOTE-NATURAL", "DEMO-TOTE", "Canvas Tote / Natural", "TOTE-NAT", 7, 19.0),
)


def _value(name: str, value: Any) -> Any:
    if name == "inventory_policy":
        return 0 if value is None else int(value)
    return column_value(name, value)


def insert_variant(store: Store, external_id: str, item_id: str, attributes: dict[str, Any]) -> str:
    """Create the variant under an existing item (404 otherwise); 409 `duplicate_catalog_variant` names the
    existing id (EMULATOR CHOICE, as for items)."""
    variant_id = compound_id(external_id)
    stamp = timeutil.iso()
    values = [_value(f, attributes.get(f, [] if f == "images" else None)) for f in FIELDS]
    with store.write() as conn:
        store.row_or_404("catalog_items", item_id, "catalog item")
        if conn.execute("SELECT 1 FROM catalog_variants WHERE id=?", (variant_id,)).fetchone():
            raise conflict(
                "duplicate_catalog_variant",
                f"A catalog variant with id {variant_id} already exists.",
                meta={"id": variant_id},
            )
        marks = ", ".join("?" * (len(FIELDS) + 5))
        conn.execute(
            f"INSERT INTO catalog_variants VALUES ({marks})",
            (variant_id, external_id, item_id, *values, stamp, stamp),
        )
    return variant_id


def update_variant(store: Store, variant_id: str, attributes: dict[str, Any]) -> None:
    """Set the given fields only (a PATCH); a null for a field that cannot be empty leaves it as it is."""
    changes = {
        f: _value(f, attributes[f])
        for f in FIELDS
        if f in attributes and not (f in KEEP_ON_NULL and attributes[f] is None)
    }
    patch_row(store, "catalog_variants", variant_id, changes)


def delete_variant(store: Store, variant_id: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM catalog_variants WHERE id=?", (variant_id,))


def all_variants(store: Store, item_id: str | None = None) -> list[sqlite3.Row]:
    with store.read() as conn:
        if item_id is None:
            return conn.execute("SELECT * FROM catalog_variants").fetchall()
        return conn.execute("SELECT * FROM catalog_variants WHERE item_id=?", (item_id,)).fetchall()


def variant_row(store: Store, variant_id: str) -> sqlite3.Row:
    return store.row_or_404("catalog_variants", variant_id, "catalog variant")


def seed_variants(store: Store) -> int:
    """The demo products' variants (idempotent; the medium shirt is out of stock with policy 1)."""
    existing = {r["external_id"] for r in all_variants(store)}
    made = 0
    for external_id, item, title, sku, quantity, price in DEMO_VARIANTS:
        if external_id in existing:
            continue
        attributes = {
            "title": title,
            "description": title,
            "sku": sku,
            "inventory_quantity": quantity,
            "inventory_policy": 1,
            "price": price,
            "url": f"https://store.example.com/products/{item.lower()}?variant={sku}",
        }
        insert_variant(store, external_id, compound_id(item), attributes)
        made += 1
    return made
