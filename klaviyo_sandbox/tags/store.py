"""Tags storage: tag groups, tags and the generic link table, with Klaviyo's account limits.

Tables: `tag_groups(id, name, exclusive, is_default, created)`, `tags(id, name, group_id, created)` and
`tag_links(tag_id, resource_type, resource_id)` (resource_type is the JSON:API type: list, segment, campaign,
flow; the resource rows live in lists/store.py and taggables/store.py). The EMULATOR CHOICES (duplicates are
409 with the existing id in `meta`, limits are 400 `invalid` with `meta.limit`) are listed in tags/routes.py.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.errors import ApiError, conflict, not_found
from klaviyo_sandbox.engine.store import Store, register_schema
from klaviyo_sandbox.taggables import store as taggablestore

register_schema(
    """
    CREATE TABLE IF NOT EXISTS tag_groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        exclusive INTEGER NOT NULL DEFAULT 0,
        is_default INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS tags (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        group_id TEXT NOT NULL REFERENCES tag_groups(id) ON DELETE CASCADE,
        created TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tags_group ON tags(group_id);
    CREATE TABLE IF NOT EXISTS tag_links (
        tag_id TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        resource_type TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        PRIMARY KEY (tag_id, resource_type, resource_id)
    );
    CREATE INDEX IF NOT EXISTS tag_links_resource ON tag_links(resource_type, resource_id);
    """,
    ("tag_links", "tags", "tag_groups"),
)

MAX_TAGS = 500
MAX_GROUPS = 50
MAX_TAGS_PER_RESOURCE = 100
DEFAULT_GROUP_NAME = "Default"
#: JSON:API type -> table holding that resource (lists/store.py, taggables/store.py).
TAGGABLE = {"list": "lists", "segment": "segments", "campaign": "campaigns", "flow": "flows"}


def limit_error(limit: str, detail: str, maximum: int) -> ApiError:
    return ApiError(400, "invalid", "Invalid input.", detail, pointer="/data", meta={"limit": limit, "max": maximum})


# -- groups -----------------------------------------------------------------------------------------------
def ensure_default_group(store: Store) -> str:
    """The id of the account's one default group, creating it on first use."""
    with store.write() as conn:
        row = conn.execute("SELECT id FROM tag_groups WHERE is_default=1").fetchone()
        if row:
            return str(row["id"])
        group_id = ids.new_uuid()
        conn.execute(
            "INSERT INTO tag_groups(id, name, exclusive, is_default, created) VALUES (?, ?, 0, 1, ?)",
            (group_id, DEFAULT_GROUP_NAME, timeutil.iso()),
        )
        return group_id


def group_row(store: Store, group_id: str) -> sqlite3.Row:
    return store.row_or_404("tag_groups", group_id, "tag group")


def all_groups(store: Store) -> list[sqlite3.Row]:
    with store.read() as conn:
        return conn.execute("SELECT * FROM tag_groups").fetchall()


def _assert_unique_group(conn: sqlite3.Connection, name: str, own_id: str = "") -> None:
    row = conn.execute("SELECT id FROM tag_groups WHERE lower(name)=lower(?) AND id<>?", (name, own_id)).fetchone()
    if row:
        raise conflict(
            "duplicate_tag_group",
            f"A tag group named '{name}' already exists.",
            pointer="/data/attributes/name",
            meta={"duplicate_tag_group_id": row["id"]},
        )


def create_group(store: Store, name: str, exclusive: bool) -> str:
    group_id = ids.new_uuid()
    with store.write() as conn:
        if conn.execute("SELECT COUNT(*) FROM tag_groups").fetchone()[0] >= MAX_GROUPS:
            raise limit_error(
                "tag_groups_per_account", f"An account cannot have more than {MAX_GROUPS} tag groups.", MAX_GROUPS
            )
        _assert_unique_group(conn, name)
        conn.execute(
            "INSERT INTO tag_groups(id, name, exclusive, is_default, created) VALUES (?, ?, ?, 0, ?)",
            (group_id, name, int(exclusive), timeutil.iso()),
        )
    return group_id


def rename_group(store: Store, group_id: str, name: str) -> None:
    with store.write() as conn:
        _assert_unique_group(conn, name, group_id)
        conn.execute("UPDATE tag_groups SET name=? WHERE id=?", (name, group_id))


def delete_group(store: Store, group_id: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM tag_groups WHERE id=?", (group_id,))


# -- tags -------------------------------------------------------------------------------------------------
def tag_row(store: Store, tag_id: str) -> sqlite3.Row:
    return store.row_or_404("tags", tag_id, "tag")


def tags_in(store: Store, group_id: str | None = None) -> list[sqlite3.Row]:
    """Every tag, or the tags of one group, by id."""
    with store.read() as conn:
        if group_id is None:
            return conn.execute("SELECT * FROM tags").fetchall()
        return conn.execute("SELECT * FROM tags WHERE group_id=? ORDER BY id", (group_id,)).fetchall()


def _assert_unique_tag(conn: sqlite3.Connection, group_id: str, name: str, own_id: str = "") -> None:
    row = conn.execute(
        "SELECT id FROM tags WHERE group_id=? AND lower(name)=lower(?) AND id<>?", (group_id, name, own_id)
    ).fetchone()
    if row:
        raise conflict(
            "duplicate_tag",
            f"A tag named '{name}' already exists in this tag group.",
            pointer="/data/attributes/name",
            meta={"duplicate_tag_id": row["id"]},
        )


def create_tag(store: Store, name: str, group_id: str) -> str:
    tag_id = ids.new_uuid()
    with store.write() as conn:
        if not conn.execute("SELECT 1 FROM tag_groups WHERE id=?", (group_id,)).fetchone():
            raise not_found(f"A tag group with id {group_id} does not exist.")
        if conn.execute("SELECT COUNT(*) FROM tags").fetchone()[0] >= MAX_TAGS:
            raise limit_error("tags_per_account", f"An account cannot have more than {MAX_TAGS} tags.", MAX_TAGS)
        _assert_unique_tag(conn, group_id, name)
        conn.execute(
            "INSERT INTO tags(id, name, group_id, created) VALUES (?, ?, ?, ?)",
            (tag_id, name, group_id, timeutil.iso()),
        )
    return tag_id


def rename_tag(store: Store, row: sqlite3.Row, name: str) -> None:
    with store.write() as conn:
        _assert_unique_tag(conn, row["group_id"], name, row["id"])
        conn.execute("UPDATE tags SET name=? WHERE id=?", (name, row["id"]))


def delete_tag(store: Store, tag_id: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM tags WHERE id=?", (tag_id,))


# -- links ------------------------------------------------------------------------------------------------
def tags_of(store: Store, type_: str, resource_id: str) -> list[sqlite3.Row]:
    """The tags on one resource (404 when the resource does not exist)."""
    with store.read() as conn:
        if not conn.execute(f"SELECT 1 FROM {TAGGABLE[type_]} WHERE id=?", (resource_id,)).fetchone():
            raise not_found(f"A {type_} with id {resource_id} does not exist.")
        return conn.execute(
            "SELECT t.* FROM tag_links l JOIN tags t ON t.id=l.tag_id "
            "WHERE l.resource_type=? AND l.resource_id=? ORDER BY t.name, t.id",
            (type_, resource_id),
        ).fetchall()


def taggable_rows(store: Store, type_: str) -> list[sqlite3.Row]:
    """Every list, segment, campaign or flow (callers filter, sort and page)."""
    with store.read() as conn:
        return conn.execute(f"SELECT * FROM {TAGGABLE[type_]}").fetchall()


def linked_ids(store: Store, tag_id: str, type_: str) -> list[str]:
    """The ids of the resources of this type that the tag labels (links to deleted resources are left out)."""
    with store.read() as conn:
        rows = conn.execute(
            f"SELECT l.resource_id FROM tag_links l JOIN {TAGGABLE[type_]} r ON r.id=l.resource_id "
            "WHERE l.tag_id=? AND l.resource_type=? ORDER BY l.resource_id",
            (tag_id, type_),
        ).fetchall()
    return [r["resource_id"] for r in rows]


def _check_resources_exist(conn: sqlite3.Connection, type_: str, resource_ids: list[str]) -> None:
    table = TAGGABLE[type_]
    for i, rid in enumerate(resource_ids):
        if not conn.execute(f"SELECT 1 FROM {table} WHERE id=?", (rid,)).fetchone():
            raise not_found(f"A {type_} with id {rid} does not exist.", pointer=f"/data/{i}/id")


def _check_can_link(conn: sqlite3.Connection, tag: sqlite3.Row, type_: str, resource_id: str) -> None:
    current = conn.execute(
        "SELECT t.id, t.name, t.group_id FROM tag_links l JOIN tags t ON t.id=l.tag_id "
        "WHERE l.resource_type=? AND l.resource_id=?",
        (type_, resource_id),
    ).fetchall()
    if any(r["id"] == tag["id"] for r in current):
        return
    if len(current) >= MAX_TAGS_PER_RESOURCE:
        raise limit_error(
            "tags_per_resource",
            f"The {type_} {resource_id} already has {MAX_TAGS_PER_RESOURCE} tags, the most one {type_} can carry.",
            MAX_TAGS_PER_RESOURCE,
        )
    group = conn.execute("SELECT name, exclusive FROM tag_groups WHERE id=?", (tag["group_id"],)).fetchone()
    clash = [r for r in current if r["group_id"] == tag["group_id"]]
    if group["exclusive"] and clash:
        raise conflict(
            "conflict",
            f"The tag group '{group['name']}' is exclusive and the {type_} {resource_id} already has its tag "
            f"'{clash[0]['name']}'. Remove that tag first.",
            pointer="/data",
            meta={"tag_group_id": tag["group_id"], "existing_tag_id": clash[0]["id"], "resource_id": resource_id},
        )


def link(store: Store, tag: sqlite3.Row, type_: str, resource_ids: list[str]) -> None:
    """All or nothing: every resource must exist and accept the tag (limits, exclusive groups)."""
    with store.write() as conn:
        _check_resources_exist(conn, type_, resource_ids)
        for rid in resource_ids:
            _check_can_link(conn, tag, type_, rid)
            conn.execute(
                "INSERT OR IGNORE INTO tag_links(tag_id, resource_type, resource_id) VALUES (?, ?, ?)",
                (tag["id"], type_, rid),
            )


def unlink(store: Store, tag_id: str, type_: str, resource_ids: list[str]) -> None:
    with store.write() as conn:
        conn.executemany(
            "DELETE FROM tag_links WHERE tag_id=? AND resource_type=? AND resource_id=?",
            [(tag_id, type_, rid) for rid in resource_ids],
        )


# -- demo data ------------------------------------------------------------------------------------------
DEMO_TAGS = {
    ("Season", True): ("Summer", "Autumn", "Holiday"),
    ("Strategy", False): ("Promotional", "Retention", "Onboarding"),
}
DEMO_LINKS = (
    ("Summer", "campaign", "Summer Sale Launch"),
    ("Summer", "campaign", "Summer Sale Last Chance"),
    ("Promotional", "campaign", "Summer Sale Launch"),
    ("Holiday", "campaign", "Black Friday Early Access"),
    ("Autumn", "campaign", "New Arrivals: Autumn"),
    ("Onboarding", "flow", "Welcome Series"),
    ("Retention", "flow", "Abandoned Cart"),
    ("Retention", "segment", "VIP customers"),
)


def seed_demo(store: Store, **_: Any) -> dict[str, int]:
    """Two demo groups (one exclusive) and a few links to the demo campaigns, flows and segments."""
    counts: dict[str, int] = {}
    for seed_fn in (taggablestore.seed_segments, taggablestore.seed_campaigns, taggablestore.seed_flows):
        counts.update(seed_fn(store))  # idempotent: the tags need their resources first
    ensure_default_group(store)
    with store.write() as conn:
        tag_ids, created = _demo_tags(conn)
        links = 0
        for tag, type_, resource_name in DEMO_LINKS:
            row = conn.execute(f"SELECT id FROM {TAGGABLE[type_]} WHERE name=?", (resource_name,)).fetchone()
            if row:
                links += conn.execute(
                    "INSERT OR IGNORE INTO tag_links(tag_id, resource_type, resource_id) VALUES (?, ?, ?)",
                    (tag_ids[tag], type_, row["id"]),
                ).rowcount
    return {**counts, "tags": created, "tag_links": links}


def _demo_tags(conn: sqlite3.Connection) -> tuple[dict[str, str], int]:
    """The demo groups and tags (created when missing): tag name -> id, and how many tags were created."""
    tag_ids: dict[str, str] = {}
    created = 0
    for (group, exclusive), names in DEMO_TAGS.items():
        row = conn.execute("SELECT id FROM tag_groups WHERE name=?", (group,)).fetchone()
        group_id = row["id"] if row else ids.new_uuid()
        if not row:
            conn.execute(
                "INSERT INTO tag_groups(id, name, exclusive, is_default, created) VALUES (?, ?, ?, 0, ?)",
                (group_id, group, int(exclusive), timeutil.iso()),
            )
        for name in names:
            found = conn.execute("SELECT id FROM tags WHERE group_id=? AND name=?", (group_id, name)).fetchone()
            tag_ids[name] = found["id"] if found else ids.new_uuid()
            if not found:
                created += 1
                conn.execute(
                    "INSERT INTO tags(id, name, group_id, created) VALUES (?, ?, ?, ?)",
                    (tag_ids[name], name, group_id, timeutil.iso()),
                )
    return tag_ids, created
