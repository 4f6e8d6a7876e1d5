"""Tag relationships in both directions: tag and untag lists, segments, campaigns and flows (204), read the
ids a tag labels, and read the tags on one resource (`/api/<resources>/{id}/tags` and `.../relationships/tags`).

A POST is all-or-nothing: every id must exist, no resource may pass 100 tags, and a resource may carry only
one tag of an exclusive group (409 `conflict`, EMULATOR CHOICE: Klaviyo's exact answer is unknown). Linking
twice is a no-op; removing a link that does not exist is a no-op.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.tags.routes import (
    MAX_TAGS_PER_RESOURCE,
    TAGGABLE,
    ensure_default_group,
    get_tag_row,
    limit_error,
    tag_resource,
)
from klaviyo_spec import allowed_filters

PLURAL = {"list": "lists", "segment": "segments", "campaign": "campaigns", "flow": "flows"}


def _body_ids(ctx: Ctx, type_: str) -> list[str]:
    data = ctx.json_body()["data"]
    if not isinstance(data, list) or not data:
        raise invalid(f"data must be a non-empty array of {type_} identifiers.", pointer="/data")
    out: list[str] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or item.get("type") != type_:
            raise invalid(f"data[{i}].type must be '{type_}'.", pointer=f"/data/{i}/type")
        if not isinstance(item.get("id"), str) or not item["id"]:
            raise invalid(f"data[{i}].id is required.", pointer=f"/data/{i}/id")
        if item["id"] not in out:
            out.append(item["id"])
    return out


def _check_resources_exist(conn: sqlite3.Connection, type_: str, resource_ids: list[str]) -> None:
    table = TAGGABLE[type_]
    for i, rid in enumerate(resource_ids):
        if not conn.execute(f"SELECT 1 FROM {table} WHERE id=?", (rid,)).fetchone():
            raise ApiError(
                404, "not_found", "Not found.", f"A {type_} with id {rid} does not exist.", pointer=f"/data/{i}/id"
            )


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
        raise ApiError(
            409,
            "conflict",
            "Conflict.",
            f"The tag group '{group['name']}' is exclusive and the {type_} {resource_id} already has its tag "
            f"'{clash[0]['name']}'. Remove that tag first.",
            pointer="/data",
            meta={"tag_group_id": tag["group_id"], "existing_tag_id": clash[0]["id"], "resource_id": resource_id},
        )


def _link(ctx: Ctx, type_: str) -> Response:
    tag = get_tag_row(ctx, ctx.params["id"])
    resource_ids = _body_ids(ctx, type_)
    with ctx.store.write() as conn:
        _check_resources_exist(conn, type_, resource_ids)
        for rid in resource_ids:
            _check_can_link(conn, tag, type_, rid)
            conn.execute(
                "INSERT OR IGNORE INTO tag_links(tag_id, resource_type, resource_id) VALUES (?, ?, ?)",
                (tag["id"], type_, rid),
            )
    return Response(204)


def _unlink(ctx: Ctx, type_: str) -> Response:
    tag = get_tag_row(ctx, ctx.params["id"])
    resource_ids = _body_ids(ctx, type_)
    with ctx.store.write() as conn:
        conn.executemany(
            "DELETE FROM tag_links WHERE tag_id=? AND resource_type=? AND resource_id=?",
            [(tag["id"], type_, rid) for rid in resource_ids],
        )
    return Response(204)


def _linked_ids(ctx: Ctx, type_: str) -> Response:
    tag = get_tag_row(ctx, ctx.params["id"])
    table = TAGGABLE[type_]
    with ctx.store.read() as conn:
        rows = conn.execute(
            f"SELECT l.resource_id FROM tag_links l JOIN {table} r ON r.id=l.resource_id "
            "WHERE l.tag_id=? AND l.resource_type=? ORDER BY l.resource_id",
            (tag["id"], type_),
        ).fetchall()
    return Response(200, document(ctx, [{"type": type_, "id": r["resource_id"]} for r in rows]))


def tags_of(ctx: Ctx, type_: str, resource_id: str) -> list[sqlite3.Row]:
    """The tags on one resource (404 when the resource does not exist)."""
    with ctx.store.read() as conn:
        if not conn.execute(f"SELECT 1 FROM {TAGGABLE[type_]} WHERE id=?", (resource_id,)).fetchone():
            raise not_found(f"A {type_} with id {resource_id} does not exist.")
        return conn.execute(
            "SELECT t.* FROM tag_links l JOIN tags t ON t.id=l.tag_id "
            "WHERE l.resource_type=? AND l.resource_id=? ORDER BY t.name, t.id",
            (type_, resource_id),
        ).fetchall()


def tags_relationship(ctx: Ctx, type_: str, resource_id: str, with_data: bool) -> dict[str, Any]:
    """The `relationships.tags` member of a list/segment/campaign/flow resource."""
    base = ctx.url(f"/api/{PLURAL[type_]}/{resource_id}")
    rel: dict[str, Any] = {"links": {"self": f"{base}/relationships/tags", "related": f"{base}/tags"}}
    if with_data:
        rel = {"data": [{"type": "tag", "id": r["id"]} for r in tags_of(ctx, type_, resource_id)], **rel}
    return rel


def _register(type_: str) -> None:
    plural = PLURAL[type_]
    route(f"tag_{plural}")(lambda ctx: _link(ctx, type_))
    route(f"remove_tag_from_{plural}")(lambda ctx: _unlink(ctx, type_))
    route(f"get_{type_}_ids_for_tag")(lambda ctx: _linked_ids(ctx, type_))
    route(f"get_tags_for_{type_}")(
        lambda ctx: Response(200, document(ctx, [tag_resource(ctx, r) for r in tags_of(ctx, type_, ctx.params["id"])]))
    )
    route(f"get_tag_ids_for_{type_}")(
        lambda ctx: Response(
            200, document(ctx, [{"type": "tag", "id": r["id"]} for r in tags_of(ctx, type_, ctx.params["id"])])
        )
    )


for _type in PLURAL:
    _register(_type)


# -- reads of taggable resources (taggables/) -------------------------------------
def _includes(ctx: Ctx, allowed: set[str]) -> set[str]:
    include = {i.strip() for i in (ctx.req.arg("include") or "").split(",") if i.strip()}
    if include - allowed:
        raise invalid(f"Invalid include {sorted(include - allowed)}; allowed: {sorted(allowed)}.", parameter="include")
    return include


def with_tags(ctx: Ctx, type_: str, obj: dict[str, Any], include: set[str], extra: dict[str, Any]) -> dict[str, Any]:
    """Add `relationships.tags` to a resource object; with include=tags also collect the tags in `included`."""
    obj.setdefault("relationships", {})["tags"] = tags_relationship(ctx, type_, obj["id"], "tags" in include)
    if "tags" in include:
        seen = {i["id"] for i in extra.setdefault("included", [])}
        for row in tags_of(ctx, type_, obj["id"]):
            if row["id"] not in seen:
                seen.add(row["id"])
                extra["included"].append(tag_resource(ctx, row))
    return obj


def list_taggable(
    ctx: Ctx,
    type_: str,
    make: Any,
    *,
    sorts: set[str],
    page: tuple[int, int],
    includes: set[str],
    columns: dict[str, str] | None = None,
) -> Response:
    """GET a collection of a taggable resource: filter (spec fields), sort, cursor page, include=tags.

    `make(ctx, row)` builds the resource object without relationships; `columns` maps filter fields to
    table columns when they differ (e.g. messages.channel -> channel); boolean columns hold 0/1.
    """
    offset, size = page_window(ctx, *page)
    include = _includes(ctx, includes)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(ctx.operation.operation_id))
    sort = ctx.req.arg("sort") or "id"
    if sort.lstrip("-") not in sorts:
        raise invalid(f"'{sort}' is not a valid sort field; use one of {sorted(sorts)}.", parameter="sort")
    with ctx.store.read() as conn:
        rows = conn.execute(f"SELECT * FROM {TAGGABLE[type_]}").fetchall()
    columns = columns or {}
    rows = [r for r in rows if all(matches(c, _cell(r, columns.get(c.field, c.field))) for c in conditions)]
    rows.sort(key=lambda r: (r[sort.lstrip("-")] or "", r["id"]), reverse=sort.startswith("-"))
    extra: dict[str, Any] = {}
    window = rows[offset : offset + size + 1]
    items = [with_tags(ctx, type_, make(ctx, r), include, extra) for r in window[:size]]
    items += [{}] * (len(window) - len(items))  # a look-ahead marker: collection() only counts it
    return Response(200, collection(ctx, items, offset, size, **extra))


def get_taggable(ctx: Ctx, type_: str, make: Any, includes: set[str]) -> Response:
    include = _includes(ctx, includes)
    with ctx.store.read() as conn:
        row = conn.execute(f"SELECT * FROM {TAGGABLE[type_]} WHERE id=?", (ctx.params["id"],)).fetchone()
    if row is None:
        raise not_found(f"A {type_} with id {ctx.params['id']} does not exist.")
    extra: dict[str, Any] = {}
    return Response(200, document(ctx, with_tags(ctx, type_, make(ctx, row), include, extra), **extra))


def _cell(row: sqlite3.Row, column: str) -> Any:
    value = row[column]
    return bool(value) if column in BOOLEAN_COLUMNS else value


BOOLEAN_COLUMNS = {"is_active", "is_starred", "archived"}


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


@seeder("tags")
def seed_tags(store: Store, **_: Any) -> dict[str, int]:
    """Two demo groups (one exclusive) and a few links to the demo campaigns, flows and segments."""
    from klaviyo_sandbox.taggables import campaigns, flows, segments

    counts: dict[str, int] = {}
    for seed_fn in (segments.seed_segments, campaigns.seed_campaigns, flows.seed_flows):
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
