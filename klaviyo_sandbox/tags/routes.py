"""Tags and tag groups: CRUD, the default group, Klaviyo's account limits.

Tables and queries live in tags/store.py. Links to a resource that has since been deleted are ignored on read.
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

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.tags import store as tagstore
from klaviyo_sandbox.tags.resource import group_resource, tag_resource
from klaviyo_spec import allowed_filters

MAX_NAME = 100
SORTS = {"id", "name"}


def clean_name(value: Any, pointer: str = "/data/attributes/name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("A name is required and cannot be blank.", pointer=pointer)
    name = value.strip()
    if len(name) > MAX_NAME:
        raise invalid(f"A name can be at most {MAX_NAME} characters long.", pointer=pointer)
    return name


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
        extra["included"] = [group_resource(ctx, tagstore.group_row(ctx.store, g)) for g in group_ids]
    return Response(200, collection(ctx, [tag_resource(ctx, r) for r in window], offset, size, **extra))


# -- tags -------------------------------------------------------------------------------------------------
@route("get_tags")
def get_tags(ctx: Ctx) -> Response:
    """Tags, 50 a page, name filters, include=tag-group (facts §7, §13); the default group is made on first use."""
    tagstore.ensure_default_group(ctx.store)
    return tags_collection(ctx, tagstore.tags_in(ctx.store), "get_tags")


@route("get_tag")
def get_tag(ctx: Ctx) -> Response:
    """One tag (facts §13); 404 names the tag id when it does not exist."""
    return Response(200, document(ctx, tag_resource(ctx, tagstore.tag_row(ctx.store, ctx.params["id"]))))


def _tag_body(ctx: Ctx, *, creating: bool) -> dict[str, Any]:
    return request_data(ctx.json_body()["data"], "tag", url_id=None if creating else ctx.params["id"])


@route("create_tag")
def create_tag(ctx: Ctx) -> Response:
    """201 with the tag; without a group it goes into the default group (facts §13). EMULATOR CHOICES
    (module docstring): 500 tags at most, names 1..100 characters, unique in their group (409 duplicate_tag)."""
    data = _tag_body(ctx, creating=True)
    name = clean_name(data["attributes"].get("name"))
    group_ref = ((data.get("relationships") or {}).get("tag-group") or {}).get("data")
    if group_ref is not None and (not isinstance(group_ref, dict) or group_ref.get("type") != "tag-group"):
        raise invalid("relationships.tag-group.data must be a tag-group identifier.", pointer="/data/relationships")
    group_id = group_ref["id"] if group_ref else tagstore.ensure_default_group(ctx.store)
    tag_id = tagstore.create_tag(ctx.store, name, group_id)
    return Response(201, document(ctx, tag_resource(ctx, tagstore.tag_row(ctx.store, tag_id))))


@route("update_tag")
def update_tag(ctx: Ctx) -> Response:
    """PATCH renames only and answers 204 with no body; a tag cannot move to another group (facts §13)."""
    row = tagstore.tag_row(ctx.store, ctx.params["id"])
    data = _tag_body(ctx, creating=False)
    name = clean_name(data["attributes"].get("name"))
    tagstore.rename_tag(ctx.store, row, name)
    return Response(204)


@route("delete_tag")
def delete_tag(ctx: Ctx) -> Response:
    """204; every link of the tag to a campaign, flow, list or segment goes with it (facts §13)."""
    tagstore.delete_tag(ctx.store, tagstore.tag_row(ctx.store, ctx.params["id"])["id"])
    return Response(204)


@route("get_tag_group_for_tag")
def get_tag_group_for_tag(ctx: Ctx) -> Response:
    """The tag's group (facts §13)."""
    row = tagstore.tag_row(ctx.store, ctx.params["id"])
    return Response(200, document(ctx, group_resource(ctx, tagstore.group_row(ctx.store, row["group_id"]))))


@route("get_tag_group_id_for_tag")
def get_tag_group_id_for_tag(ctx: Ctx) -> Response:
    """The tag's group as a {type, id} pair (facts §13)."""
    row = tagstore.tag_row(ctx.store, ctx.params["id"])
    return Response(200, document(ctx, {"type": "tag-group", "id": row["group_id"]}))


# -- tag groups -------------------------------------------------------------------------------------------
@route("get_tag_groups")
def get_tag_groups(ctx: Ctx) -> Response:
    """Tag groups, 25 a page, filters on name/exclusive/default (facts §13); the default group is made
    on first use."""
    tagstore.ensure_default_group(ctx.store)
    offset, size = page_window(ctx, 25, 25)
    rows = tagstore.all_groups(ctx.store)
    columns = {"name": "name", "exclusive": "exclusive", "default": "is_default"}
    rows = _filtered_sorted(ctx, rows, "get_tag_groups", columns)
    items = [group_resource(ctx, r) for r in rows[offset : offset + size + 1]]
    return Response(200, collection(ctx, items, offset, size))


@route("get_tag_group")
def get_tag_group(ctx: Ctx) -> Response:
    """One tag group (facts §13); 404 names the group id when it does not exist."""
    return Response(200, document(ctx, group_resource(ctx, tagstore.group_row(ctx.store, ctx.params["id"]))))


def _group_body(ctx: Ctx, *, creating: bool) -> tuple[str, bool]:
    data = request_data(ctx.json_body()["data"], "tag-group", url_id=None if creating else ctx.params["id"])
    attrs: dict[str, Any] = data["attributes"]
    exclusive = attrs.get("exclusive")
    if exclusive is not None and not isinstance(exclusive, bool):
        raise invalid("exclusive must be true or false.", pointer="/data/attributes/exclusive")
    if not creating and ("exclusive" in attrs or "default" in attrs):
        raise invalid("Only a tag group's name can be changed.", pointer="/data/attributes")
    return clean_name(attrs.get("name")), bool(exclusive)


@route("create_tag_group")
def create_tag_group(ctx: Ctx) -> Response:
    """201 with {name, exclusive, default}; exclusive defaults to false; 50 groups at most (facts §13).
    EMULATOR CHOICE: group names are unique in the account (409 duplicate_tag_group)."""
    name, exclusive = _group_body(ctx, creating=True)
    tagstore.ensure_default_group(ctx.store)
    group_id = tagstore.create_group(ctx.store, name, exclusive)
    return Response(201, document(ctx, group_resource(ctx, tagstore.group_row(ctx.store, group_id))))


@route("update_tag_group")
def update_tag_group(ctx: Ctx) -> Response:
    """PATCH renames only and answers 204; exclusive and default cannot change (400) (facts §13)."""
    row = tagstore.group_row(ctx.store, ctx.params["id"])
    name, _ = _group_body(ctx, creating=False)
    tagstore.rename_group(ctx.store, row["id"], name)
    return Response(204)


@route("delete_tag_group")
def delete_tag_group(ctx: Ctx) -> Response:
    """204, deleting the group's tags and their links (facts §13); the default group cannot be
    deleted (EMULATOR CHOICE: 400)."""
    row = tagstore.group_row(ctx.store, ctx.params["id"])
    if row["is_default"]:
        raise invalid("The default tag group cannot be deleted.", pointer="/data/id")
    tagstore.delete_group(ctx.store, row["id"])
    return Response(204)


@route("get_tags_for_tag_group")
def get_tags_for_tag_group(ctx: Ctx) -> Response:
    """The group's tags, 50 a page (facts §13)."""
    group = tagstore.group_row(ctx.store, ctx.params["id"])
    return tags_collection(ctx, tagstore.tags_in(ctx.store, group["id"]), "get_tags_for_tag_group")


@route("get_tag_ids_for_tag_group")
def get_tag_ids_for_tag_group(ctx: Ctx) -> Response:
    """The group's tags as {type, id} pairs (facts §13)."""
    group = tagstore.group_row(ctx.store, ctx.params["id"])
    rows = tagstore.tags_in(ctx.store, group["id"])
    return Response(200, document(ctx, [{"type": "tag", "id": r["id"]} for r in rows]))
