"""Catalog categories: GET (filters ids/item.id/name, sort ±created, 100 a page), GET one, POST, PATCH, DELETE,
and the item <-> category relationships from both sides.

The id is compound like an item's; `external_id` and `name` are required on create. EMULATOR CHOICES: a repeated
external id is 409 `duplicate_catalog_category`; naming an item or category that does not exist in a
relationship is 400 pointing at it, and nothing changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from klaviyo_sandbox.catalog import categories_store, writes
from klaviyo_sandbox.catalog import store as catalogstore
from klaviyo_sandbox.catalog.reads import checked, filtered, path_id, sort_created
from klaviyo_sandbox.catalog.resources import category_resource, item_resource
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import Condition, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_spec import allowed_filters


def _value(ctx: Ctx, row: sqlite3.Row, field: str) -> Any:
    if field == "item.id":
        return categories_store.items_of(ctx.store, row["id"])
    return {"ids": row["id"], "name": row["name"]}.get(field)


@route("get_catalog_categories")
def get_catalog_categories(ctx: Ctx) -> Response:
    """Categories, 100 a page; filters ids (any), item.id (equals: the item is in it), name (contains)."""
    offset, size = page_window(ctx, 100, 100)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_catalog_categories"))
    conditions = [Condition("contains", c.field, c.value) if c.field == "item.id" else c for c in conditions]
    rows = filtered(categories_store.all_categories(ctx.store), conditions, lambda r, f: _value(ctx, r, f))
    rows = sort_created(ctx, rows)
    items = [category_resource(ctx, r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))


@route("get_catalog_category")
def get_catalog_category(ctx: Ctx) -> Response:
    """One category by its compound id; 404 names the id."""
    row = categories_store.category_row(ctx.store, path_id(ctx))
    return Response(200, document(ctx, category_resource(ctx, row)))


@route("create_catalog_category")
def create_catalog_category(ctx: Ctx) -> Response:
    """201 with the category; `relationships.items` (optional) names existing items to put in it."""
    data = request_data(ctx.json_body()["data"], "catalog-category")
    made = checked("/data", lambda: writes.create_category(ctx.store, data)) or ""
    return Response(201, document(ctx, category_resource(ctx, categories_store.category_row(ctx.store, made))))


@route("update_catalog_category")
def update_catalog_category(ctx: Ctx) -> Response:
    """200 with the category; `name` renames it, `relationships.items` replaces its items."""
    row = categories_store.category_row(ctx.store, path_id(ctx))
    data = request_data(ctx.json_body()["data"], "catalog-category", url_id=row["id"])
    checked("/data", lambda: writes.update_category(ctx.store, row["id"], data))
    return Response(200, document(ctx, category_resource(ctx, categories_store.category_row(ctx.store, row["id"]))))


@route("delete_catalog_category")
def delete_catalog_category(ctx: Ctx) -> Response:
    """204; the category is gone, its items stay."""
    categories_store.delete_category(ctx.store, categories_store.category_row(ctx.store, path_id(ctx))["id"])
    return Response(204)


def _identifiers(ctx: Ctx, type_: str) -> list[str]:
    data = ctx.json_body()["data"]
    if not isinstance(data, list) or not all(
        isinstance(e, dict) and e.get("type") == type_ and isinstance(e.get("id"), str) for e in data
    ):
        raise invalid(f"data must be a list of {{type: '{type_}', id}}.", pointer="/data")
    return [e["id"] for e in data]


def _page_of(ctx: Ctx, ids: list[str], serialise: Callable[[str], dict[str, Any]]) -> Response:
    offset, size = page_window(ctx, 100, 100)
    return Response(200, collection(ctx, [serialise(i) for i in ids[offset : offset + size]], offset, size, len(ids)))


@route("get_items_for_catalog_category")
def get_items_for_catalog_category(ctx: Ctx) -> Response:
    """The category's items, 100 a page (404 for an unknown category)."""
    ids = categories_store.items_of(ctx.store, categories_store.category_row(ctx.store, path_id(ctx))["id"])
    return _page_of(ctx, ids, lambda i: item_resource(ctx, catalogstore.item_row(ctx.store, i)))


@route("get_item_ids_for_catalog_category")
def get_item_ids_for_catalog_category(ctx: Ctx) -> Response:
    """The category's items as {type, id} pairs."""
    ids = categories_store.items_of(ctx.store, categories_store.category_row(ctx.store, path_id(ctx))["id"])
    return _page_of(ctx, ids, lambda i: {"type": "catalog-item", "id": i})


@route("get_categories_for_catalog_item")
def get_categories_for_catalog_item(ctx: Ctx) -> Response:
    """The item's categories, 100 a page (404 for an unknown item)."""
    ids = categories_store.categories_of(ctx.store, catalogstore.item_row(ctx.store, path_id(ctx))["id"])
    return _page_of(ctx, ids, lambda i: category_resource(ctx, categories_store.category_row(ctx.store, i)))


@route("get_category_ids_for_catalog_item")
def get_category_ids_for_catalog_item(ctx: Ctx) -> Response:
    """The item's categories as {type, id} pairs."""
    ids = categories_store.categories_of(ctx.store, catalogstore.item_row(ctx.store, path_id(ctx))["id"])
    return _page_of(ctx, ids, lambda i: {"type": "catalog-category", "id": i})


def _change_links(ctx: Ctx, *, from_item: bool, how: str) -> Response:
    """204 after adding (`add`), removing (`remove`) or replacing (`set`) links from one side."""
    if from_item:
        own = catalogstore.item_row(ctx.store, path_id(ctx))["id"]
        others = _identifiers(ctx, "catalog-category")
        categories_store.check_exist(ctx.store, "catalog_categories", others, "catalog category", "/data")
        pairs = [(own, o) for o in others]
    else:
        own = categories_store.category_row(ctx.store, path_id(ctx))["id"]
        others = _identifiers(ctx, "catalog-item")
        categories_store.check_exist(ctx.store, "catalog_items", others, "catalog item", "/data")
        pairs = [(o, own) for o in others]
    if how == "add":
        categories_store.link(ctx.store, pairs)
    elif how == "remove":
        categories_store.unlink(ctx.store, pairs)
    elif from_item:
        categories_store.set_item_categories(ctx.store, own, others)
    else:
        categories_store.set_category_items(ctx.store, own, others)
    return Response(204)


@route("add_categories_to_catalog_item")
def add_categories_to_catalog_item(ctx: Ctx) -> Response:
    """204; the named categories (which must exist) now hold the item."""
    return _change_links(ctx, from_item=True, how="add")


@route("update_categories_for_catalog_item")
def update_categories_for_catalog_item(ctx: Ctx) -> Response:
    """204; the item's categories are exactly the named ones."""
    return _change_links(ctx, from_item=True, how="set")


@route("remove_categories_from_catalog_item")
def remove_categories_from_catalog_item(ctx: Ctx) -> Response:
    """204; the item leaves the named categories."""
    return _change_links(ctx, from_item=True, how="remove")


@route("add_items_to_catalog_category")
def add_items_to_catalog_category(ctx: Ctx) -> Response:
    """204; the named items (which must exist) join the category."""
    return _change_links(ctx, from_item=False, how="add")


@route("update_items_for_catalog_category")
def update_items_for_catalog_category(ctx: Ctx) -> Response:
    """204; the category holds exactly the named items."""
    return _change_links(ctx, from_item=False, how="set")


@route("remove_items_from_catalog_category")
def remove_items_from_catalog_category(ctx: Ctx) -> Response:
    """204; the named items leave the category."""
    return _change_links(ctx, from_item=False, how="remove")
