"""Catalog variants: GET (filters ids/item.id/sku/title/published, sort ±created, 100 a page), GET one, POST,
PATCH, DELETE, and an item's variants (`/api/catalog-items/{id}/variants` and its relationship ids).

Required on create (spec `CatalogVariantCreateQueryResourceObject`): external_id, title, description, sku,
inventory_quantity, price, url and `relationships.item`; `inventory_policy` is 0, 1 or 2 (default 0). The id is
compound like an item's. EMULATOR CHOICE: a variant of an item that does not exist is 400 pointing at the
relationship; a repeated external id is 409 `duplicate_catalog_variant`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from klaviyo_sandbox.catalog import store as catalogstore
from klaviyo_sandbox.catalog import variants_store, writes
from klaviyo_sandbox.catalog.reads import checked, filtered, path_id, sort_created
from klaviyo_sandbox.catalog.resources import variant_resource
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_spec import allowed_filters


def _value(row: sqlite3.Row, field: str) -> Any:
    if field == "published":
        return bool(row["published"])
    return {"ids": row["id"], "item.id": row["item_id"], "sku": row["sku"], "title": row["title"]}.get(field)


def _page(
    ctx: Ctx, operation: str, item_id: str | None, serialise: Callable[[sqlite3.Row], dict[str, Any]]
) -> Response:
    offset, size = page_window(ctx, 100, 100)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(operation))
    rows = sort_created(ctx, filtered(variants_store.all_variants(ctx.store, item_id), conditions, _value))
    items = [serialise(r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))


@route("get_catalog_variants")
def get_catalog_variants(ctx: Ctx) -> Response:
    """Variants, 100 a page; filters ids (any), item.id, sku (equals), title (contains), published."""
    return _page(ctx, "get_catalog_variants", None, lambda r: variant_resource(ctx, r))


@route("get_variants_for_catalog_item")
def get_variants_for_catalog_item(ctx: Ctx) -> Response:
    """One item's variants (404 for an unknown item), with the same filters and sort."""
    item_id = catalogstore.item_row(ctx.store, path_id(ctx))["id"]
    return _page(ctx, "get_variants_for_catalog_item", item_id, lambda r: variant_resource(ctx, r))


@route("get_variant_ids_for_catalog_item")
def get_variant_ids_for_catalog_item(ctx: Ctx) -> Response:
    """One item's variants as {type, id} pairs."""
    item_id = catalogstore.item_row(ctx.store, path_id(ctx))["id"]
    return _page(ctx, "get_variant_ids_for_catalog_item", item_id, lambda r: {"type": "catalog-variant", "id": r["id"]})


@route("get_catalog_variant")
def get_catalog_variant(ctx: Ctx) -> Response:
    """One variant by its compound id; 404 names the id."""
    return Response(200, document(ctx, variant_resource(ctx, variants_store.variant_row(ctx.store, path_id(ctx)))))


@route("create_catalog_variant")
def create_catalog_variant(ctx: Ctx) -> Response:
    """201 with the variant; the spec's required fields and the item relationship are checked."""
    data = request_data(ctx.json_body()["data"], "catalog-variant")
    made = checked("/data", lambda: writes.create_variant(ctx.store, data)) or ""
    return Response(201, document(ctx, variant_resource(ctx, variants_store.variant_row(ctx.store, made))))


@route("update_catalog_variant")
def update_catalog_variant(ctx: Ctx) -> Response:
    """200 with the variant; only the fields sent change (a PATCH)."""
    row = variants_store.variant_row(ctx.store, path_id(ctx))
    data = request_data(ctx.json_body()["data"], "catalog-variant", url_id=row["id"])
    checked("/data", lambda: writes.update_variant(ctx.store, row["id"], data))
    return Response(200, document(ctx, variant_resource(ctx, variants_store.variant_row(ctx.store, row["id"]))))


@route("delete_catalog_variant")
def delete_catalog_variant(ctx: Ctx) -> Response:
    """204; the variant is gone (its item stays)."""
    variants_store.delete_variant(ctx.store, variants_store.variant_row(ctx.store, path_id(ctx))["id"])
    return Response(204)
