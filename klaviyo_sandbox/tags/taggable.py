"""Reads of taggable resources (lists, segments, campaigns, flows): one shared path for filter, sort, cursor
pages and `include=tags`, used by lists/routes.py and taggables/*.py. Not a route module itself."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window
from klaviyo_sandbox.tags import store as tagstore
from klaviyo_sandbox.tags.resource import tag_resource
from klaviyo_spec import allowed_filters

PLURAL = {"list": "lists", "segment": "segments", "campaign": "campaigns", "flow": "flows"}
TAGGABLE = tagstore.TAGGABLE


def tags_relationship(ctx: Ctx, type_: str, resource_id: str, with_data: bool) -> dict[str, Any]:
    """The `relationships.tags` member of a list/segment/campaign/flow resource."""
    base = ctx.url(f"/api/{PLURAL[type_]}/{resource_id}")
    rel: dict[str, Any] = {"links": {"self": f"{base}/relationships/tags", "related": f"{base}/tags"}}
    if with_data:
        rel = {"data": [{"type": "tag", "id": r["id"]} for r in tagstore.tags_of(ctx.store, type_, resource_id)], **rel}
    return rel


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
        for row in tagstore.tags_of(ctx.store, type_, obj["id"]):
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
    rows = tagstore.taggable_rows(ctx.store, type_)
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
    row = ctx.store.row_or_404(TAGGABLE[type_], ctx.params["id"], type_)
    extra: dict[str, Any] = {}
    return Response(200, document(ctx, with_tags(ctx, type_, make(ctx, row), include, extra), **extra))


def _cell(row: sqlite3.Row, column: str) -> Any:
    value = row[column]
    return bool(value) if column in BOOLEAN_COLUMNS else value


BOOLEAN_COLUMNS = {"is_active", "is_starred", "archived"}
