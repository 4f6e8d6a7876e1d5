"""SDK calls for the catalog operations beyond item CRUD (variants, categories, relationships, bulk jobs);
`tests/compat/test_official_sdk.py` merges them into its CALLS table. Each call makes the resources it needs,
so calls run on their own, in any order."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from openapi_client import models

Call = Callable[[Any, dict[str, str]], Any]
URL = "https://shop.example.com/p"
KINDS = {"item": ("Item", "items"), "variant": ("Variant", "variants"), "category": ("Category", "categories")}


def _body(model: str, doc: dict[str, Any]) -> Any:
    return getattr(models, model).from_dict(doc)


def _data(result: Any) -> Any:
    return (result if isinstance(result, dict) else result.to_dict())["data"]


def _fresh(prefix: str) -> str:
    return f"{prefix}-{time.monotonic_ns()}"


def _item_attrs() -> dict[str, Any]:
    return {"external_id": _fresh("SDK-I"), "title": "Mug", "description": "Stoneware", "url": URL}


def _variant_resource(item_id: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"external_id": _fresh("SDK-V"), "title": "Mug / S", "description": "Small"}
    attrs["sku"] = "MUG-S"
    attrs |= {"inventory_quantity": 3, "inventory_policy": 1, "price": 9.5, "url": URL}
    relationships = {"item": {"data": {"type": "catalog-item", "id": item_id}}}
    return {"type": "catalog-variant", "attributes": attrs, "relationships": relationships}


def item(sdk: Any) -> str:
    doc = {"data": {"type": "catalog-item", "attributes": _item_attrs()}}
    return str(_data(sdk.Catalogs.create_catalog_item(_body("CatalogItemCreateQuery", doc)))["id"])


def variant(sdk: Any) -> str:
    doc = {"data": _variant_resource(item(sdk))}
    return str(_data(sdk.Catalogs.create_catalog_variant(_body("CatalogVariantCreateQuery", doc)))["id"])


def category(sdk: Any, item_id: str | None = None) -> str:
    doc: dict[str, Any] = {
        "data": {"type": "catalog-category", "attributes": {"external_id": _fresh("SDK-C"), "name": "Kitchen"}}
    }
    if item_id:
        doc["data"]["relationships"] = {"items": {"data": [{"type": "catalog-item", "id": item_id}]}}
    return str(_data(sdk.Catalogs.create_catalog_category(_body("CatalogCategoryCreateQuery", doc)))["id"])


def _job_resource(sdk: Any, kind: str, action: str) -> dict[str, Any]:
    type_ = f"catalog-{kind}"
    if action == "create":
        if kind == "item":
            return {"type": type_, "attributes": _item_attrs()}
        if kind == "variant":
            return _variant_resource(item(sdk))
        return {"type": type_, "attributes": {"external_id": _fresh("SDK-C"), "name": "Garden"}}
    made = {"item": item, "variant": variant, "category": category}[kind](sdk)
    if action == "delete":
        return {"type": type_, "id": made}
    attrs = {"name": "Renamed"} if kind == "category" else {"price": 11.0}
    return {"type": type_, "id": made, "attributes": attrs}


def job(sdk: Any, kind: str, action: str) -> str:
    """Submit a one-resource bulk job with the SDK; returns the job id."""
    name, group = KINDS[kind]
    doc = {
        "data": {
            "type": f"catalog-{kind}-bulk-{action}-job",
            "attributes": {group: {"data": [_job_resource(sdk, kind, action)]}},
        }
    }
    model = f"Catalog{name}{action.title()}JobCreateQuery"
    method = getattr(sdk.Catalogs, f"bulk_{action}_catalog_{group}")
    return str(_data(method(_body(model, doc)))["id"])


def _job_reads(kind: str, action: str) -> dict[str, Call]:
    _, group = KINDS[kind]
    stem = f"get_bulk_{action}_catalog_items" if kind == "item" else f"get_bulk_{action}_{group}"
    include = {} if action == "delete" else {"include": [group]}  # delete jobs have no include (spec)
    return {
        f"bulk_{action}_catalog_{group}": lambda s, i: job(s, kind, action),
        f"{stem}_job": lambda s, i: getattr(s.Catalogs, f"{stem}_job")(job(s, kind, action), **include),
        f"{stem}_jobs": lambda s, i: getattr(s.Catalogs, f"{stem}_jobs")(filter="equals(status,'complete')"),
    }


def _ids(kind: str, ids: list[str]) -> dict[str, Any]:
    return {"data": [{"type": f"catalog-{kind}", "id": i} for i in ids]}


def _variant_update(sdk: Any) -> Any:
    variant_id = variant(sdk)
    doc = {"data": {"type": "catalog-variant", "id": variant_id, "attributes": {"inventory_quantity": 0}}}
    return sdk.Catalogs.update_catalog_variant(variant_id, _body("CatalogVariantUpdateQuery", doc))


def _category_update(sdk: Any) -> Any:
    category_id = category(sdk)
    doc = {"data": {"type": "catalog-category", "id": category_id, "attributes": {"name": "Home"}}}
    return sdk.Catalogs.update_catalog_category(category_id, _body("CatalogCategoryUpdateQuery", doc))


def _item_categories(sdk: Any, method: str) -> Any:
    item_id = item(sdk)
    op = _body("CatalogItemCategoryOp", _ids("category", [category(sdk)]))
    return getattr(sdk.Catalogs, method)(item_id, op)


def _category_items(sdk: Any, method: str) -> Any:
    op = _body("CatalogCategoryItemOp", _ids("item", [item(sdk)]))
    return getattr(sdk.Catalogs, method)(category(sdk), op)


def catalog_calls() -> dict[str, Call]:
    calls: dict[str, Call] = {
        "get_catalog_variants": lambda s, i: s.Catalogs.get_catalog_variants(filter="equals(published,true)"),
        "get_catalog_variant": lambda s, i: s.Catalogs.get_catalog_variant(variant(s)),
        "create_catalog_variant": lambda s, i: variant(s),
        "update_catalog_variant": lambda s, i: _variant_update(s),
        "delete_catalog_variant": lambda s, i: s.Catalogs.delete_catalog_variant(variant(s)),
        "get_variants_for_catalog_item": lambda s, i: s.Catalogs.get_variants_for_catalog_item(item(s)),
        "get_variant_ids_for_catalog_item": lambda s, i: s.Catalogs.get_variant_ids_for_catalog_item(item(s)),
        "get_catalog_categories": lambda s, i: s.Catalogs.get_catalog_categories(sort="-created"),
        "get_catalog_category": lambda s, i: s.Catalogs.get_catalog_category(category(s)),
        "create_catalog_category": lambda s, i: category(s),
        "update_catalog_category": lambda s, i: _category_update(s),
        "delete_catalog_category": lambda s, i: s.Catalogs.delete_catalog_category(category(s)),
        "get_items_for_catalog_category": lambda s, i: s.Catalogs.get_items_for_catalog_category(category(s, item(s))),
        "get_item_ids_for_catalog_category": lambda s, i: s.Catalogs.get_item_ids_for_catalog_category(category(s)),
        "get_categories_for_catalog_item": lambda s, i: s.Catalogs.get_categories_for_catalog_item(item(s)),
        "get_category_ids_for_catalog_item": lambda s, i: s.Catalogs.get_category_ids_for_catalog_item(item(s)),
        "add_categories_to_catalog_item": lambda s, i: _item_categories(s, "add_categories_to_catalog_item"),
        "update_categories_for_catalog_item": lambda s, i: _item_categories(s, "update_categories_for_catalog_item"),
        "remove_categories_from_catalog_item": lambda s, i: _item_categories(s, "remove_categories_from_catalog_item"),
        "add_items_to_catalog_category": lambda s, i: _category_items(s, "add_items_to_catalog_category"),
        "update_items_for_catalog_category": lambda s, i: _category_items(s, "update_items_for_catalog_category"),
        "remove_items_from_catalog_category": lambda s, i: _category_items(s, "remove_items_from_catalog_category"),
    }
    for kind in KINDS:
        for action in ("create", "update", "delete"):
            calls.update(_job_reads(kind, action))
    return calls
