"""Catalog resources as the spec serialises them (items, variants, categories), for the routes and the bulk
job reads (`include=items|variants|categories`)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse

_SHARED = ("price", "url", "image_full_url", "image_thumbnail_url")


def _common(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "images": json.loads(row["images"]),
        "custom_metadata": None if row["custom_metadata"] is None else json.loads(row["custom_metadata"]),
        "published": bool(row["published"]),
        "created": row["created"],
        "updated": row["updated"],
    }


def item_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "external_id": row["external_id"],
        "title": row["title"],
        "description": row["description"],
        **{name: row[name] for name in _SHARED},
        **_common(row),
    }
    path = f"/api/catalog-items/{row['id']}"
    return resource(ctx, "catalog-item", row["id"], sparse(ctx, "catalog-item", attributes), None, path)


def variant_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    quantity = row["inventory_quantity"]
    attributes = {
        "external_id": row["external_id"],
        "title": row["title"],
        "description": row["description"],
        "sku": row["sku"],
        "inventory_policy": row["inventory_policy"],
        "inventory_quantity": int(quantity) if float(quantity).is_integer() else quantity,
        **{name: row[name] for name in _SHARED},
        **_common(row),
    }
    path = f"/api/catalog-variants/{row['id']}"
    links = {"self": ctx.url(f"{path}/relationships/item"), "related": ctx.url(f"{path}/item")}
    relationships = {"item": {"data": {"type": "catalog-item", "id": row["item_id"]}, "links": links}}
    return resource(ctx, "catalog-variant", row["id"], sparse(ctx, "catalog-variant", attributes), relationships, path)


def category_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {"external_id": row["external_id"], "name": row["name"], "updated": row["updated"]}
    path = f"/api/catalog-categories/{row['id']}"
    return resource(ctx, "catalog-category", row["id"], sparse(ctx, "catalog-category", attributes), None, path)
