"""Catalog items: GET (filters ids/title/published, sort ±created, 100 a page), GET one, POST, PATCH, DELETE.

Tables and queries live in catalog/store.py. The id is compound: `$custom:::$default:::<external_id>` (facts §16).

EMULATOR CHOICES (Klaviyo does not document them):
- Creating an item whose external id exists is 409 `duplicate_catalog_item` with the existing id in `meta`.
- `url` (and image URLs) must be absolute https:// URLs (the core's validator has the same rule); `price` a
  finite number >= 0; `custom_metadata` a flat object of at most 100 KB (facts §16).
NOT MODELLED: variants, categories, bulk jobs, the `category.id` filter (it matches nothing).
"""

from __future__ import annotations

import json
import math
import sqlite3
from typing import Any
from urllib.parse import unquote

from klaviyo_sandbox.catalog import store as catalogstore
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.seed import seeder
from klaviyo_spec import allowed_filters

REQUIRED = ("external_id", "title", "description", "url")
URL_FIELDS = ("url", "image_full_url", "image_thumbnail_url")
MAX_METADATA_BYTES = 100 * 1024


def item_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "external_id": row["external_id"],
        "title": row["title"],
        "description": row["description"],
        "price": row["price"],
        "url": row["url"],
        "image_full_url": row["image_full_url"],
        "image_thumbnail_url": row["image_thumbnail_url"],
        "images": json.loads(row["images"]),
        "custom_metadata": None if row["custom_metadata"] is None else json.loads(row["custom_metadata"]),
        "published": bool(row["published"]),
        "created": row["created"],
        "updated": row["updated"],
    }
    return resource(
        ctx, "catalog-item", row["id"], sparse(ctx, "catalog-item", attributes), None, f"/api/catalog-items/{row['id']}"
    )


def _check_url(name: str, value: Any) -> None:
    if value is None:  # create requires url (checked before); a null in an update leaves it as it is
        return
    if not isinstance(value, str) or not value.startswith("https://") or " " in value:
        raise invalid(f"'{name}' must be an absolute https:// URL.", pointer=f"/data/attributes/{name}")


def _check_attributes(attributes: dict[str, Any]) -> None:
    """One rule per field, the same the core's validator states (catalog/validate.py)."""
    for name in ("title", "description"):
        if attributes.get(name) is not None and not isinstance(attributes[name], str):
            raise invalid(f"'{name}' must be a string.", pointer=f"/data/attributes/{name}")
    for name in URL_FIELDS:
        if name in attributes:
            _check_url(name, attributes[name])
    price = attributes.get("price")
    if price is not None and (
        isinstance(price, bool) or not isinstance(price, int | float) or not math.isfinite(price) or price < 0
    ):
        raise invalid("'price' must be a number of at least 0.", pointer="/data/attributes/price")
    metadata = attributes.get("custom_metadata")
    if metadata is not None and (
        not isinstance(metadata, dict) or len(json.dumps(metadata).encode()) > MAX_METADATA_BYTES
    ):
        raise invalid(
            "'custom_metadata' must be an object of at most 100 KB.", pointer="/data/attributes/custom_metadata"
        )


def _item_id(ctx: Ctx) -> str:
    """The compound id from the URL, percent-decoded: SDKs send `$` and `:` as %24 and %3A."""
    return unquote(ctx.params["id"])


@route("get_catalog_items")
def get_catalog_items(ctx: Ctx) -> Response:
    """Catalog items, 100 a page (facts §16); filters ids/title/published; sort created or -created."""
    offset, size = page_window(ctx, 100, 100)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_catalog_items"))
    sort = ctx.req.arg("sort") or "created"
    if sort.lstrip("-") != "created":
        raise invalid(f"'{sort}' is not a valid sort field; use 'created' or '-created'.", parameter="sort")
    rows = [r for r in catalogstore.all_items(ctx.store) if all(matches(c, _value(r, c.field)) for c in conditions)]
    rows.sort(key=lambda r: (r["created"], r["id"]), reverse=sort.startswith("-"))
    items = [item_resource(ctx, r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))


def _value(row: sqlite3.Row, field: str) -> Any:
    return {"ids": row["id"], "title": row["title"], "published": bool(row["published"])}.get(field)


@route("get_catalog_item")
def get_catalog_item(ctx: Ctx) -> Response:
    """One item by its compound id; 404 names the id."""
    return Response(200, document(ctx, item_resource(ctx, catalogstore.item_row(ctx.store, _item_id(ctx)))))


@route("create_catalog_item")
def create_catalog_item(ctx: Ctx) -> Response:
    """201 with the item; external_id, title, description and url are required (facts §16)."""
    attributes = request_data(ctx.json_body()["data"], "catalog-item")["attributes"]
    for name in REQUIRED:
        if not isinstance(attributes.get(name), str) or not attributes[name].strip():
            raise invalid(f"'{name}' is required.", pointer=f"/data/attributes/{name}")
    if attributes.get("integration_type", "$custom") not in (None, "$custom"):
        raise invalid("Only the '$custom' integration is supported.", pointer="/data/attributes/integration_type")
    _check_attributes(attributes)
    item_id = catalogstore.insert_item(ctx.store, attributes["external_id"], attributes)
    return Response(201, document(ctx, item_resource(ctx, catalogstore.item_row(ctx.store, item_id))))


@route("update_catalog_item")
def update_catalog_item(ctx: Ctx) -> Response:
    """200 with the item; only the fields sent change (a PATCH)."""
    row = catalogstore.item_row(ctx.store, _item_id(ctx))
    attributes = request_data(ctx.json_body()["data"], "catalog-item", url_id=row["id"])["attributes"]
    _check_attributes(attributes)
    catalogstore.update_item(ctx.store, row["id"], attributes)
    return Response(200, document(ctx, item_resource(ctx, catalogstore.item_row(ctx.store, row["id"]))))


@route("delete_catalog_item")
def delete_catalog_item(ctx: Ctx) -> Response:
    """204; the item is gone."""
    catalogstore.delete_item(ctx.store, catalogstore.item_row(ctx.store, _item_id(ctx))["id"])
    return Response(204)


seeder("catalog")(catalogstore.seed_catalog)
