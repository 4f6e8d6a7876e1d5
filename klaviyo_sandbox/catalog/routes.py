"""Catalog items: GET (filters ids/title/published/category.id, sort ±created, 100 a page, include=variants),
GET one, POST, PATCH, DELETE. Variants live in variants.py, categories in categories.py, bulk jobs in bulk_jobs.py.

Tables and queries live in the catalog stores; field rules in rules.py. The id is compound:
`$custom:::$default:::<external_id>` (facts §16).

EMULATOR CHOICES (Klaviyo does not document them):
- Creating an item whose external id exists is 409 `duplicate_catalog_item` with the existing id in `meta`.
- `url`, image URLs and every `images` entry must be absolute https:// URLs (the core's validator has the same
  rule); `price` a finite number >= 0; `custom_metadata` a flat object of at most 100 KB (facts §16; rules.py).
- Deleting an item deletes its variants and its category links.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.catalog import categories_store, variants_store, writes
from klaviyo_sandbox.catalog import store as catalogstore
from klaviyo_sandbox.catalog.reads import checked, filtered, path_id, sort_created
from klaviyo_sandbox.catalog.resources import item_resource, variant_resource
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import Condition, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.seed import seeder
from klaviyo_spec import allowed_filters


def _value(store: Store, row: sqlite3.Row, field: str) -> Any:
    if field == "category.id":
        return categories_store.categories_of(store, row["id"])
    return {"ids": row["id"], "title": row["title"], "published": bool(row["published"])}.get(field)


def _with_variants(ctx: Ctx, items: list[dict[str, Any]]) -> dict[str, Any]:
    """`include=variants`: each item's variant ids in `relationships.variants`, the variants in `included`."""
    include = {p.strip() for p in (ctx.req.arg("include") or "").split(",") if p.strip()}
    if include - {"variants"}:
        raise invalid(
            f"'{sorted(include - {'variants'})[0]}' is not an allowed include parameter.", parameter="include"
        )
    if not include:
        return {}
    included = []
    for item in items:
        variants = variants_store.all_variants(ctx.store, item["id"])
        item["relationships"] = {"variants": {"data": [{"type": "catalog-variant", "id": v["id"]} for v in variants]}}
        included += [variant_resource(ctx, v) for v in variants]
    return {"included": included}


def _category_match(conditions: list[Condition]) -> list[Condition]:
    """`equals(category.id,X)` asks whether X is among the item's categories."""
    return [Condition("contains", c.field, c.value) if c.field == "category.id" else c for c in conditions]


@route("get_catalog_items")
def get_catalog_items(ctx: Ctx) -> Response:
    """Catalog items, 100 a page (facts §16); filters ids/title/published/category.id; sort created or -created."""
    offset, size = page_window(ctx, 100, 100)
    conditions = _category_match(parse_filter(ctx.req.arg("filter"), allowed_filters("get_catalog_items")))
    if not conditions:
        sort_created(ctx, [])  # checks the sort
        page = catalogstore.item_page(ctx.store, offset, size, (ctx.req.arg("sort") or "").startswith("-"))
        items = [item_resource(ctx, r) for r in page]
        return Response(200, collection(ctx, items, offset, size, **_with_variants(ctx, items[:size])))
    rows = filtered(catalogstore.all_items(ctx.store), conditions, lambda r, f: _value(ctx.store, r, f))
    rows = sort_created(ctx, rows)
    items = [item_resource(ctx, r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows), **_with_variants(ctx, items)))


@route("get_catalog_item")
def get_catalog_item(ctx: Ctx) -> Response:
    """One item by its compound id (include=variants adds its variants); 404 names the id."""
    item = item_resource(ctx, catalogstore.item_row(ctx.store, path_id(ctx)))
    return Response(200, document(ctx, item, **_with_variants(ctx, [item])))


@route("create_catalog_item")
def create_catalog_item(ctx: Ctx) -> Response:
    """201 with the item; external_id, title, description and url are required (facts §16); categories named in
    `relationships.categories` must exist."""
    data = request_data(ctx.json_body()["data"], "catalog-item")
    item_id = checked("/data", lambda: writes.create_item(ctx.store, data)) or ""
    return Response(201, document(ctx, item_resource(ctx, catalogstore.item_row(ctx.store, item_id))))


@route("update_catalog_item")
def update_catalog_item(ctx: Ctx) -> Response:
    """200 with the item; only the fields sent change (a PATCH); `relationships.categories` replaces them."""
    row = catalogstore.item_row(ctx.store, path_id(ctx))
    data = request_data(ctx.json_body()["data"], "catalog-item", url_id=row["id"])
    checked("/data", lambda: writes.update_item(ctx.store, row["id"], data))
    return Response(200, document(ctx, item_resource(ctx, catalogstore.item_row(ctx.store, row["id"]))))


@route("delete_catalog_item")
def delete_catalog_item(ctx: Ctx) -> Response:
    """204; the item is gone, with its variants and category links (EMULATOR CHOICE)."""
    catalogstore.delete_item(ctx.store, catalogstore.item_row(ctx.store, path_id(ctx))["id"])
    return Response(204)


@seeder("catalog")
def seed_catalog(store: Store, **_: Any) -> dict[str, int]:
    """Demo products, their variants and two categories (idempotent)."""
    made = catalogstore.seed_catalog(store)
    made["catalog_variants"] = variants_store.seed_variants(store)
    made["catalog_categories"] = categories_store.seed_categories(store)
    return made
