"""One create or update of an item, a variant or a category, from a request's `data` or a bulk job's entry.

The single-resource routes and the bulk job worker call the same functions, so a job refuses exactly what a
single request would (rules.py). Errors point inside the resource (`/attributes/title`); callers place them.
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.catalog import categories_store, rules, variants_store
from klaviyo_sandbox.catalog import store as catalogstore
from klaviyo_sandbox.engine.errors import ApiError, invalid
from klaviyo_sandbox.engine.store import Store

_CATEGORY_POINTER = "/relationships/categories/data"
_ITEMS_POINTER = "/relationships/items/data"


def _category_ids(store: Store, data: dict[str, Any]) -> list[str] | None:
    ids = rules.related_ids(data.get("relationships"), "categories", "catalog-category")
    if ids:
        categories_store.check_exist(store, "catalog_categories", ids, "catalog category", _CATEGORY_POINTER)
    return ids


def create_item(store: Store, data: dict[str, Any]) -> str:
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid("attributes must be an object.", pointer="/attributes")
    rules.check_required(attributes, rules.ITEM_REQUIRED)
    rules.check_attributes(attributes)
    category_ids = _category_ids(store, data)
    with store.write():
        item_id = catalogstore.insert_item(store, attributes["external_id"], attributes)
        if category_ids:
            categories_store.set_item_categories(store, item_id, category_ids)
    return item_id


def create_items(store: Store, entries: list[Any]) -> tuple[list[str | None], dict[int, ApiError]]:
    """A create job's items: each checked as `create_item` does, the valid ones stored in one statement.
    Returns per entry its id (None when refused) and the refusals by index."""
    errors: dict[int, ApiError] = {}
    valid: list[tuple[int, dict[str, Any], list[str] | None]] = []
    for index, data in enumerate(entries):
        try:
            attributes = data.get("attributes") if isinstance(data, dict) else None
            if not isinstance(attributes, dict):
                raise invalid("attributes must be an object.", pointer="/attributes")
            rules.check_required(attributes, rules.ITEM_REQUIRED)
            rules.check_attributes(attributes)
            valid.append((index, attributes, _category_ids(store, data)))
        except ApiError as err:
            errors[index] = err
    ids: list[str | None] = [None] * len(entries)
    with store.write():
        made = catalogstore.insert_items(store, [(a["external_id"], a) for _, a, _ in valid])
        for (index, attributes, category_ids), item_id in zip(valid, made, strict=True):
            if item_id is None:
                errors[index] = catalogstore.duplicate(catalogstore.compound_id(attributes["external_id"]))
                continue
            ids[index] = item_id
            if category_ids:
                categories_store.set_item_categories(store, item_id, category_ids)
    return ids, errors


def update_item(store: Store, item_id: str, data: dict[str, Any]) -> str:
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid("attributes must be an object.", pointer="/attributes")
    rules.check_attributes(attributes)
    category_ids = _category_ids(store, data)
    with store.write():
        catalogstore.update_item(store, item_id, attributes)
        if category_ids is not None:
            categories_store.set_item_categories(store, item_id, category_ids)
    return item_id


def create_variant(store: Store, data: dict[str, Any]) -> str:
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid("attributes must be an object.", pointer="/attributes")
    item = rules.related_ids(data.get("relationships"), "item", "catalog-item", many=False)
    if not item:
        raise invalid("relationships.item is required.", pointer="/relationships/item/data")
    rules.check_required(attributes, rules.VARIANT_REQUIRED)
    rules.check_attributes(attributes)
    if not catalogstore.item_exists(store, item[0]):
        raise invalid(f"A catalog item with id {item[0]} does not exist.", pointer="/relationships/item/data/id")
    return variants_store.insert_variant(store, attributes["external_id"], item[0], attributes)


def update_variant(store: Store, variant_id: str, data: dict[str, Any]) -> str:
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid("attributes must be an object.", pointer="/attributes")
    rules.check_attributes(attributes)
    variants_store.update_variant(store, variant_id, attributes)
    return variant_id


def _item_ids(store: Store, data: dict[str, Any]) -> list[str] | None:
    ids = rules.related_ids(data.get("relationships"), "items", "catalog-item")
    if ids:
        categories_store.check_exist(store, "catalog_items", ids, "catalog item", _ITEMS_POINTER)
    return ids


def create_category(store: Store, data: dict[str, Any]) -> str:
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid("attributes must be an object.", pointer="/attributes")
    rules.check_required(attributes, rules.CATEGORY_REQUIRED)
    item_ids = _item_ids(store, data)
    with store.write():
        category_id = categories_store.insert_category(store, attributes["external_id"], attributes["name"])
        if item_ids:
            categories_store.set_category_items(store, category_id, item_ids)
    return category_id


def update_category(store: Store, category_id: str, data: dict[str, Any]) -> str:
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise invalid("attributes must be an object.", pointer="/attributes")
    name = attributes.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise invalid("'name' must be a non-empty string.", pointer="/attributes/name")
    item_ids = _item_ids(store, data)
    with store.write():
        if name is not None:
            categories_store.rename_category(store, category_id, name)
        if item_ids is not None:
            categories_store.set_category_items(store, category_id, item_ids)
    return category_id
