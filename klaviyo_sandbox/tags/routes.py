"""Tags and tag groups: CRUD, the default group, Klaviyo's account limits.

Tables: `tag_groups(id, name, exclusive, is_default, created)`, `tags(id, name, group_id, created)` and the
generic link table `tag_links(tag_id, resource_type, resource_id)` (resource_type is the JSON:API type:
list, segment, campaign, flow). Links to a resource that has since been deleted are ignored on read.
The relationship routes (tag and untag, both directions) live in links.py.

EMULATOR CHOICES (Klaviyo does not document them; facts §13):
- Every account has one default group, named "Default", created on first use; it cannot be deleted (400).
- Names are trimmed, 1..100 characters. Tag names are unique within their group and group names unique in
  the account, both case-insensitively: a duplicate is 409 `duplicate_tag` / `duplicate_tag_group` with
  the existing id in `meta`.
- Breaching a limit (500 tags, 50 groups, 100 tags on one resource) is 400 `invalid` with
  `meta.limit` naming it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store, register_schema
from klaviyo_spec import allowed_filters

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
MAX_NAME = 100
DEFAULT_GROUP_NAME = "Default"
#: JSON:API type -> table holding that resource (lists/, taggables/).
TAGGABLE = {"list": "lists", "segment": "segments", "campaign": "campaigns", "flow": "flows"}
SORTS = {"id", "name"}


def limit_error(limit: str, detail: str, maximum: int) -> ApiError:
    return ApiError(400, "invalid", "Invalid input.", detail, pointer="/data", meta={"limit": limit, "max": maximum})


# -- storage helpers --------------------------------------------------------------------------------------
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


def live_links_sql(alias: str = "l") -> str:
    """A WHERE fragment keeping only links whose resource still exists."""
    return " OR ".join(
        f"({alias}.resource_type='{t}' AND EXISTS (SELECT 1 FROM {table} r WHERE r.id={alias}.resource_id))"
        for t, table in TAGGABLE.items()
    )


def get_tag_row(ctx: Ctx, tag_id: str) -> sqlite3.Row:
    return ctx.store.row_or_404("tags", tag_id, "tag")


def get_group_row(ctx: Ctx, group_id: str) -> sqlite3.Row:
    return ctx.store.row_or_404("tag_groups", group_id, "tag group")


def clean_name(value: Any, pointer: str = "/data/attributes/name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("A name is required and cannot be blank.", pointer=pointer)
    name = value.strip()
    if len(name) > MAX_NAME:
        raise invalid(f"A name can be at most {MAX_NAME} characters long.", pointer=pointer)
    return name


# -- resource objects -------------------------------------------------------------------------------------
def _rel(base: str, name: str) -> dict[str, Any]:
    return {"links": {"self": f"{base}/relationships/{name}", "related": f"{base}/{name}"}}


def tag_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    base = ctx.url(f"/api/tags/{row['id']}")
    rels: dict[str, Any] = {
        "tag-group": {"data": {"type": "tag-group", "id": row["group_id"]}, **_rel(base, "tag-group")}
    }
    for name in ("lists", "segments", "campaigns", "flows"):
        rels[name] = _rel(base, name)
    attrs = sparse(ctx, "tag", {"name": row["name"]})
    return resource(ctx, "tag", row["id"], attrs, rels, self_path=f"/api/tags/{row['id']}")


def group_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    base = ctx.url(f"/api/tag-groups/{row['id']}")
    attrs = {"name": row["name"], "exclusive": bool(row["exclusive"]), "default": bool(row["is_default"])}
    return resource(
        ctx,
        "tag-group",
        row["id"],
        sparse(ctx, "tag-group", attrs),
        {"tags": _rel(base, "tags")},
        self_path=f"/api/tag-groups/{row['id']}",
    )


def _filtered_sorted(ctx: Ctx, rows: list[sqlite3.Row], op_id: str, columns: dict[str, str]) -> list[sqlite3.Row]:
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(op_id))
    sort = ctx.req.arg("sort") or "id"
    if sort.lstrip("-") not in SORTS:
        raise invalid(f"'{sort}' is not a valid sort field; use one of {sorted(SORTS)}.", parameter="sort")
    rows = [r for r in rows if all(matches(c, _value(r, columns[c.field])) for c in conditions)]
    return sorted(rows, key=lambda r: (r[sort.lstrip("-")], r["id"]), reverse=sort.startswith("-"))


def _value(row: sqlite3.Row, column: str) -> Any:
    value = row[column]
    return bool(value) if column in ("exclusive", "is_default") else value


def tags_collection(ctx: Ctx, rows: list[sqlite3.Row], op_id: str) -> Response:
    offset, size = page_window(ctx, 50, 50)
    rows = _filtered_sorted(ctx, rows, op_id, {"name": "name"})
    window = rows[offset : offset + size + 1]
    extra: dict[str, Any] = {}
    include = {i.strip() for i in (ctx.req.arg("include") or "").split(",") if i.strip()}
    if include - {"tag-group"}:
        raise invalid(f"Invalid include: {sorted(include)}; only 'tag-group' is allowed.", parameter="include")
    if include:
        group_ids = sorted({r["group_id"] for r in window[:size]})
        extra["included"] = [group_resource(ctx, get_group_row(ctx, g)) for g in group_ids]
    return Response(200, collection(ctx, [tag_resource(ctx, r) for r in window], offset, size, **extra))


# -- tags -------------------------------------------------------------------------------------------------
@route("get_tags")
def get_tags(ctx: Ctx) -> Response:
    ensure_default_group(ctx.store)
    with ctx.store.read() as conn:
        rows = conn.execute("SELECT * FROM tags").fetchall()
    return tags_collection(ctx, rows, "get_tags")


@route("get_tag")
def get_tag(ctx: Ctx) -> Response:
    return Response(200, document(ctx, tag_resource(ctx, get_tag_row(ctx, ctx.params["id"]))))


def _tag_body(ctx: Ctx, *, creating: bool) -> dict[str, Any]:
    return request_data(ctx.json_body()["data"], "tag", url_id=None if creating else ctx.params["id"])


def _assert_unique_tag(conn: sqlite3.Connection, group_id: str, name: str, own_id: str = "") -> None:
    row = conn.execute(
        "SELECT id FROM tags WHERE group_id=? AND lower(name)=lower(?) AND id<>?", (group_id, name, own_id)
    ).fetchone()
    if row:
        raise ApiError(
            409,
            "duplicate_tag",
            "Conflict.",
            f"A tag named '{name}' already exists in this tag group.",
            pointer="/data/attributes/name",
            meta={"duplicate_tag_id": row["id"]},
        )


@route("create_tag")
def create_tag(ctx: Ctx) -> Response:
    data = _tag_body(ctx, creating=True)
    name = clean_name(data["attributes"].get("name"))
    group_ref = ((data.get("relationships") or {}).get("tag-group") or {}).get("data")
    if group_ref is not None and (not isinstance(group_ref, dict) or group_ref.get("type") != "tag-group"):
        raise invalid("relationships.tag-group.data must be a tag-group identifier.", pointer="/data/relationships")
    group_id = group_ref["id"] if group_ref else ensure_default_group(ctx.store)
    tag_id = ids.new_uuid()
    with ctx.store.write() as conn:
        if not conn.execute("SELECT 1 FROM tag_groups WHERE id=?", (group_id,)).fetchone():
            raise not_found(f"A tag group with id {group_id} does not exist.")
        if conn.execute("SELECT COUNT(*) FROM tags").fetchone()[0] >= MAX_TAGS:
            raise limit_error("tags_per_account", f"An account cannot have more than {MAX_TAGS} tags.", MAX_TAGS)
        _assert_unique_tag(conn, group_id, name)
        conn.execute(
            "INSERT INTO tags(id, name, group_id, created) VALUES (?, ?, ?, ?)",
            (tag_id, name, group_id, timeutil.iso()),
        )
    return Response(201, document(ctx, tag_resource(ctx, get_tag_row(ctx, tag_id))))


@route("update_tag")
def update_tag(ctx: Ctx) -> Response:
    row = get_tag_row(ctx, ctx.params["id"])
    data = _tag_body(ctx, creating=False)
    name = clean_name(data["attributes"].get("name"))
    with ctx.store.write() as conn:
        _assert_unique_tag(conn, row["group_id"], name, row["id"])
        conn.execute("UPDATE tags SET name=? WHERE id=?", (name, row["id"]))
    return Response(204)


@route("delete_tag")
def delete_tag(ctx: Ctx) -> Response:
    get_tag_row(ctx, ctx.params["id"])
    with ctx.store.write() as conn:
        conn.execute("DELETE FROM tags WHERE id=?", (ctx.params["id"],))
    return Response(204)


@route("get_tag_group_for_tag")
def get_tag_group_for_tag(ctx: Ctx) -> Response:
    row = get_tag_row(ctx, ctx.params["id"])
    return Response(200, document(ctx, group_resource(ctx, get_group_row(ctx, row["group_id"]))))


@route("get_tag_group_id_for_tag")
def get_tag_group_id_for_tag(ctx: Ctx) -> Response:
    row = get_tag_row(ctx, ctx.params["id"])
    return Response(200, document(ctx, {"type": "tag-group", "id": row["group_id"]}))


# -- tag groups -------------------------------------------------------------------------------------------
@route("get_tag_groups")
def get_tag_groups(ctx: Ctx) -> Response:
    ensure_default_group(ctx.store)
    offset, size = page_window(ctx, 25, 25)
    with ctx.store.read() as conn:
        rows = conn.execute("SELECT * FROM tag_groups").fetchall()
    columns = {"name": "name", "exclusive": "exclusive", "default": "is_default"}
    rows = _filtered_sorted(ctx, rows, "get_tag_groups", columns)
    items = [group_resource(ctx, r) for r in rows[offset : offset + size + 1]]
    return Response(200, collection(ctx, items, offset, size))


@route("get_tag_group")
def get_tag_group(ctx: Ctx) -> Response:
    return Response(200, document(ctx, group_resource(ctx, get_group_row(ctx, ctx.params["id"]))))


def _group_body(ctx: Ctx, *, creating: bool) -> tuple[str, bool]:
    data = request_data(ctx.json_body()["data"], "tag-group", url_id=None if creating else ctx.params["id"])
    attrs: dict[str, Any] = data["attributes"]
    exclusive = attrs.get("exclusive")
    if exclusive is not None and not isinstance(exclusive, bool):
        raise invalid("exclusive must be true or false.", pointer="/data/attributes/exclusive")
    if not creating and ("exclusive" in attrs or "default" in attrs):
        raise invalid("Only a tag group's name can be changed.", pointer="/data/attributes")
    return clean_name(attrs.get("name")), bool(exclusive)


def _assert_unique_group(conn: sqlite3.Connection, name: str, own_id: str = "") -> None:
    row = conn.execute("SELECT id FROM tag_groups WHERE lower(name)=lower(?) AND id<>?", (name, own_id)).fetchone()
    if row:
        raise ApiError(
            409,
            "duplicate_tag_group",
            "Conflict.",
            f"A tag group named '{name}' already exists.",
            pointer="/data/attributes/name",
            meta={"duplicate_tag_group_id": row["id"]},
        )


@route("create_tag_group")
def create_tag_group(ctx: Ctx) -> Response:
    name, exclusive = _group_body(ctx, creating=True)
    ensure_default_group(ctx.store)
    group_id = ids.new_uuid()
    with ctx.store.write() as conn:
        if conn.execute("SELECT COUNT(*) FROM tag_groups").fetchone()[0] >= MAX_GROUPS:
            raise limit_error(
                "tag_groups_per_account", f"An account cannot have more than {MAX_GROUPS} tag groups.", MAX_GROUPS
            )
        _assert_unique_group(conn, name)
        conn.execute(
            "INSERT INTO tag_groups(id, name, exclusive, is_default, created) VALUES (?, ?, ?, 0, ?)",
            (group_id, name, int(exclusive), timeutil.iso()),
        )
    return Response(201, document(ctx, group_resource(ctx, get_group_row(ctx, group_id))))


@route("update_tag_group")
def update_tag_group(ctx: Ctx) -> Response:
    row = get_group_row(ctx, ctx.params["id"])
    name, _ = _group_body(ctx, creating=False)
    with ctx.store.write() as conn:
        _assert_unique_group(conn, name, row["id"])
        conn.execute("UPDATE tag_groups SET name=? WHERE id=?", (name, row["id"]))
    return Response(204)


@route("delete_tag_group")
def delete_tag_group(ctx: Ctx) -> Response:
    row = get_group_row(ctx, ctx.params["id"])
    if row["is_default"]:
        raise invalid("The default tag group cannot be deleted.", pointer="/data/id")
    with ctx.store.write() as conn:
        conn.execute("DELETE FROM tag_groups WHERE id=?", (row["id"],))
    return Response(204)


@route("get_tags_for_tag_group")
def get_tags_for_tag_group(ctx: Ctx) -> Response:
    group = get_group_row(ctx, ctx.params["id"])
    with ctx.store.read() as conn:
        rows = conn.execute("SELECT * FROM tags WHERE group_id=?", (group["id"],)).fetchall()
    return tags_collection(ctx, rows, "get_tags_for_tag_group")


@route("get_tag_ids_for_tag_group")
def get_tag_ids_for_tag_group(ctx: Ctx) -> Response:
    group = get_group_row(ctx, ctx.params["id"])
    with ctx.store.read() as conn:
        rows = conn.execute("SELECT id FROM tags WHERE group_id=? ORDER BY id", (group["id"],)).fetchall()
    return Response(200, document(ctx, [{"type": "tag", "id": r["id"]} for r in rows]))
