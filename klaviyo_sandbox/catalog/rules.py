"""One rule per catalog field, shared by the single-resource routes and the bulk job worker.

Each check raises a 400 `invalid` whose pointer is relative to the resource (`/attributes/<field>`); callers
prefix it with where the resource sits in their request (`/data`, or `/data/attributes/items/data/<i>`).
The core's validators state the same rules (klaviyo_core/catalog/validate.py, validate_variants.py).

Sources: required fields and the `inventory_policy` enum are the spec's (`CatalogItemCreateQueryResourceObject`,
`CatalogVariantCreateQueryResourceObject`; policy 1 hides an out-of-stock variant from feeds, 0 and 2 do not);
custom_metadata "may not exceed 100kb" is in the same schemas.
EMULATOR CHOICES: URLs must be absolute https:// URLs, every entry of `images` too (facts §16; the pointer names
the entry, `/attributes/images/<i>`); price >= 0; inventory_quantity a whole number (facts §16 has it as a
number; a fractional stock count is refused); the spec's "Flat JSON blob" for custom_metadata is read as no
value that is itself an object or a list (the pointer names the key), and its 100kb as 100 * 1024 bytes of its
JSON; klaviyo_core/catalog/validate.py states the same rules, so a checked row is never refused here.
"""

from __future__ import annotations

import json
import math
from typing import Any

from klaviyo_sandbox.engine.errors import ApiError, invalid

ITEM_REQUIRED = ("external_id", "title", "description", "url")
VARIANT_REQUIRED = ("external_id", "title", "description", "sku", "inventory_quantity", "price", "url")
CATEGORY_REQUIRED = ("external_id", "name")
URL_FIELDS = ("url", "image_full_url", "image_thumbnail_url")
MAX_METADATA_BYTES = 100 * 1024
INVENTORY_POLICIES = (0, 1, 2)


def at(pointer: str, err: ApiError) -> ApiError:
    """The same error with its resource-relative pointer placed under `pointer` (an error about the resource as
    a whole, e.g. a 409 for an existing id, points at the resource)."""
    relative = err.pointer or ""
    err.pointer = pointer + relative if relative.startswith(("/attributes", "/relationships", "/id")) else pointer
    return err


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _is_https(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("https://")
        and len(value) > len("https://")
        and not any(c.isspace() for c in value)
    )


def _check_url(name: str, value: Any) -> None:
    if value is None:  # create requires url (checked before); a null in an update leaves it as it is
        return
    if not _is_https(value):
        raise invalid(f"'{name}' must be an absolute https:// URL.", pointer=f"/attributes/{name}")


def _check_images(images: Any) -> None:
    if images is None:
        return
    if not isinstance(images, list):
        raise invalid("'images' must be a list of https:// URLs.", pointer="/attributes/images")
    for i, url in enumerate(images):
        if not _is_https(url):
            raise invalid(f"'images' entry {i} must be an absolute https:// URL.", pointer=f"/attributes/images/{i}")


def _pointer_key(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")  # RFC 6901


def _check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    where = "/attributes/custom_metadata"
    if not isinstance(metadata, dict):
        raise invalid("'custom_metadata' must be a flat JSON object.", pointer=where)
    for key, value in metadata.items():
        if isinstance(value, dict | list):
            raise invalid(
                f"'custom_metadata' must be flat: the value of '{key}' is an object or a list.",
                pointer=f"{where}/{_pointer_key(str(key))}",
            )
    size = len(json.dumps(metadata).encode())
    if size > MAX_METADATA_BYTES:
        raise invalid(f"'custom_metadata' is {size} bytes; it may not exceed 100kb.", pointer=where)


def check_required(attributes: dict[str, Any], required: tuple[str, ...]) -> None:
    for name in required:
        value = attributes.get(name)
        if isinstance(value, str) and value.strip():
            continue
        if value is not None and not isinstance(value, str) and name in ("inventory_quantity", "price"):
            continue  # numbers: their type is checked by check_attributes
        raise invalid(f"'{name}' is required.", pointer=f"/attributes/{name}")
    if attributes.get("integration_type", "$custom") not in (None, "$custom"):
        raise invalid("Only the '$custom' integration is supported.", pointer="/attributes/integration_type")
    if attributes.get("catalog_type", "$default") not in (None, "$default"):
        raise invalid("Only the '$default' catalog is supported.", pointer="/attributes/catalog_type")


def check_attributes(attributes: dict[str, Any]) -> None:
    """The field rules of items and variants (a field absent or null is not checked)."""
    for name in ("title", "description", "sku", "name"):
        if attributes.get(name) is not None and not isinstance(attributes[name], str):
            raise invalid(f"'{name}' must be a string.", pointer=f"/attributes/{name}")
    for name in URL_FIELDS:
        if name in attributes:
            _check_url(name, attributes[name])
    price = attributes.get("price")
    if price is not None and (not _number(price) or price < 0):
        raise invalid("'price' must be a number of at least 0.", pointer="/attributes/price")
    quantity = attributes.get("inventory_quantity")
    if quantity is not None and (not _number(quantity) or float(quantity) != int(quantity)):
        raise invalid("'inventory_quantity' must be a whole number.", pointer="/attributes/inventory_quantity")
    policy = attributes.get("inventory_policy")
    if policy is not None and (isinstance(policy, bool) or policy not in INVENTORY_POLICIES):
        raise invalid("'inventory_policy' must be 0, 1 or 2.", pointer="/attributes/inventory_policy")
    _check_images(attributes.get("images"))
    _check_metadata(attributes.get("custom_metadata"))


def related_ids(relationships: Any, name: str, type_: str, *, many: bool = True) -> list[str] | None:
    """The ids in `relationships.<name>.data` (None when the relationship is absent); 400 when malformed."""
    if not isinstance(relationships, dict) or name not in relationships:
        return None
    data = relationships[name].get("data") if isinstance(relationships[name], dict) else None
    entries = data if many else [data]
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and e.get("type") == type_ and isinstance(e.get("id"), str) for e in entries
    ):
        shape = f"[{{type: '{type_}', id}}]" if many else f"{{type: '{type_}', id}}"
        raise invalid(f"relationships.{name}.data must be {shape}.", pointer=f"/relationships/{name}/data")
    return [e["id"] for e in entries]
