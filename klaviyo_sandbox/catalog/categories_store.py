"""Catalog categories and the item <-> category links, keyed by `$custom:::$default:::<external_id>`.

Links go away with either side (ON DELETE CASCADE). The spec's category has no `created` attribute but sorts by
`created`, so the column is stored and only `updated` is served."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from klaviyo_sandbox.catalog.store import compound_id
from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.errors import conflict, invalid
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS catalog_categories (
        id TEXT PRIMARY KEY,
        external_id TEXT NOT NULL,
        name TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS catalog_item_categories (
        item_id TEXT NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
        category_id TEXT NOT NULL REFERENCES catalog_categories(id) ON DELETE CASCADE,
        PRIMARY KEY (item_id, category_id)
    );
    CREATE INDEX IF NOT EXISTS catalog_item_categories_category ON catalog_item_categories(category_id);
    """,
    ("catalog_item_categories", "catalog_categories"),
)

DEMO_CATEGORIES = (
    ("DEMO-APPAREL", "Apparel", ("DEMO-SHIRT", "DEMO-TOTE")),
    ("DEMO-KITCHEN", "Kitchen", ("DEMO-MUG",)),
)


def insert_category(store: Store, external_id: str, name: str) -> str:
    """Create the category; 409 `duplicate_catalog_category` names the existing id (EMULATOR CHOICE)."""
    category_id = compound_id(external_id)
    stamp = timeutil.iso()
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM catalog_categories WHERE id=?", (category_id,)).fetchone():
            raise conflict(
                "duplicate_catalog_category",
                f"A catalog category with id {category_id} already exists.",
                meta={"id": category_id},
            )
        conn.execute(
            "INSERT INTO catalog_categories VALUES (?, ?, ?, ?, ?)", (category_id, external_id, name, stamp, stamp)
        )
    return category_id


def rename_category(store: Store, category_id: str, name: str) -> None:
    with store.write() as conn:
        conn.execute("UPDATE catalog_categories SET name=?, updated=? WHERE id=?", (name, timeutil.iso(), category_id))


def delete_category(store: Store, category_id: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM catalog_categories WHERE id=?", (category_id,))


def all_categories(store: Store) -> list[sqlite3.Row]:
    with store.read() as conn:
        return conn.execute("SELECT * FROM catalog_categories").fetchall()


def category_row(store: Store, category_id: str) -> sqlite3.Row:
    return store.row_or_404("catalog_categories", category_id, "catalog category")


def _existing(conn: sqlite3.Connection, table: str, ids: Iterable[str], what: str, pointer: str) -> list[str]:
    wanted = list(dict.fromkeys(ids))
    for i, row_id in enumerate(wanted):
        if not conn.execute(f"SELECT 1 FROM {table} WHERE id=?", (row_id,)).fetchone():  # table: ours, fixed
            raise invalid(f"A {what} with id {row_id} does not exist.", pointer=f"{pointer}/{i}/id")
    return wanted


def link(store: Store, pairs: Iterable[tuple[str, str]]) -> None:
    with store.write() as conn:
        conn.executemany("INSERT OR IGNORE INTO catalog_item_categories VALUES (?, ?)", list(pairs))


def unlink(store: Store, pairs: Iterable[tuple[str, str]]) -> None:
    with store.write() as conn:
        conn.executemany("DELETE FROM catalog_item_categories WHERE item_id=? AND category_id=?", list(pairs))


def set_item_categories(store: Store, item_id: str, category_ids: list[str]) -> None:
    """Replace an item's categories; 400 (nothing changed) when one of them does not exist."""
    with store.write() as conn:
        wanted = _existing(
            conn, "catalog_categories", category_ids, "catalog category", "/relationships/categories/data"
        )
        conn.execute("DELETE FROM catalog_item_categories WHERE item_id=?", (item_id,))
        link(store, ((item_id, c) for c in wanted))


def set_category_items(store: Store, category_id: str, item_ids: list[str]) -> None:
    """Replace a category's items; 400 (nothing changed) when one of them does not exist."""
    with store.write() as conn:
        wanted = _existing(conn, "catalog_items", item_ids, "catalog item", "/relationships/items/data")
        conn.execute("DELETE FROM catalog_item_categories WHERE category_id=?", (category_id,))
        link(store, ((i, category_id) for i in wanted))


def check_exist(store: Store, table: str, ids: list[str], what: str, pointer: str) -> list[str]:
    with store.read() as conn:
        return _existing(conn, table, ids, what, pointer)


def categories_of(store: Store, item_id: str) -> list[str]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT category_id FROM catalog_item_categories WHERE item_id=? ORDER BY category_id", (item_id,)
        ).fetchall()
    return [r[0] for r in rows]


def items_of(store: Store, category_id: str) -> list[str]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT item_id FROM catalog_item_categories WHERE category_id=? ORDER BY item_id", (category_id,)
        ).fetchall()
    return [r[0] for r in rows]


def seed_categories(store: Store) -> int:
    """Two demo categories holding the demo products (idempotent)."""
    existing = {r["external_id"] for r in all_categories(store)}
    made = 0
    for external_id, name, items in DEMO_CATEGORIES:
        if external_id not in existing:
            insert_category(store, external_id, name)
            made += 1
        link(store, ((compound_id(i), compound_id(external_id)) for i in items))
    return made
