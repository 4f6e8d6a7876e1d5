"""Shopify's product export (Products > Export, "CSV for Excel or Numbers" or plain CSV): one row per variant.

The first row of a Handle carries the product (Title, Body (HTML), Published, Image Src) and its first
variant; later rows with the same Handle carry further variants (Option1..3 Value, Variant SKU, Variant Price,
Variant Inventory Qty, Variant Inventory Policy, Variant Image) and/or further product images (Image Src only).

Choices (the export has no URLs nor variant ids):
- an item's external_id is its Handle and its URL `<store_url>/products/<Handle>` (Shopify's product path);
  a variant's URL is its product's URL;
- a variant's external_id is its Variant SKU, or `<Handle>-<n>` when the SKU is blank (n counts the Handle's
  variant rows from 1, in file order): stable as long as the export keeps its order, and never a guess at an
  id the store does not have; a blank SKU is filled the same way, since Klaviyo requires one;
- a variant's title is the product title plus its option values ("Shirt - Blue / M"); Shopify's placeholder
  option "Default Title" (a product without options) adds nothing;
- a variant's description, published flag and (when it has no Variant Image) image are its product's;
- an item's images are every Image Src of its Handle, in file order (the first is its image_url);
- Variant Inventory Policy is kept as Shopify writes it (`deny` / `continue`); validate.py maps it;
- an item's categories are its Type and the last level of its Product Category (export_categories.py says why).
"""

from __future__ import annotations

from klaviyo_core.catalog.export_categories import shopify_categories
from klaviyo_core.catalog.rows import CatalogFile, Record, Source, SourceRow, Table, store_base

DETECT = frozenset({"handle", "variant price"})
DEFAULT_OPTION = "default title"
_VARIANT_FIELDS = ("option1 value", "option2 value", "option3 value", "variant sku", "variant price")


def is_shopify(table: Table) -> bool:
    return set(table.columns) >= DETECT


def _published(cells: dict[str, str]) -> str:
    """`Status` (active/draft/archived) when the export has it, else `Published` (TRUE/FALSE), which some
    exports call `Published on online store`."""
    return cells.get("status", "") or cells.get("published", "") or cells.get("published on online store", "")


def _variant_title(title: str, cells: dict[str, str]) -> str:
    options = [cells.get(f"option{i} value", "") for i in (1, 2, 3)]
    named = [o for o in options if o and o.lower() != DEFAULT_OPTION]
    return f"{title} - {' / '.join(named)}" if named and title else title


def read_shopify(table: Table, store_url: str | None) -> CatalogFile:
    base = store_base(store_url, "Shopify's export")
    items: dict[str, SourceRow] = {}
    images: dict[str, list[str]] = {}
    variants: list[SourceRow] = []
    counts: dict[str, int] = {}
    for record in table.records:
        handle = record.cells.get("handle", "")
        if not handle:
            continue
        if handle not in items:
            items[handle] = _item(table, record, base)
            images[handle] = []
        image = record.cells.get("image src", "")
        if image and image not in images[handle]:
            images[handle].append(image)
        if any(record.cells.get(c) for c in _VARIANT_FIELDS):
            counts[handle] = counts.get(handle, 0) + 1
            variants.append(_variant(table, record, items[handle], counts[handle]))
    rows = []
    for handle, item in items.items():
        values = dict(item.values)
        values["image_url"] = values["image_url"] or (images[handle][0] if images[handle] else "")
        values["images"] = ", ".join(images[handle]) if len(images[handle]) > 1 else ""
        rows.append(table.row(item.line, values))
    return CatalogFile(Source.SHOPIFY, tuple(rows), tuple(variants))


def _item(table: Table, record: Record, base: str) -> SourceRow:
    cells, handle = record.cells, record.cells["handle"]
    return table.row(
        record.line,
        {
            "external_id": handle,
            "title": cells.get("title", ""),
            "description": cells.get("body (html)", ""),
            "url": f"{base}/products/{handle}",
            "price": cells.get("variant price", ""),
            "image_url": cells.get("image src", ""),
            "published": _published(cells),
            "images": "",
            "custom_metadata": "",
            **shopify_categories(table, cells),
        },
    )


def _variant(table: Table, record: Record, item: SourceRow, n: int) -> SourceRow:
    cells, product = record.cells, item.values
    sku = cells.get("variant sku", "")
    return table.row(
        record.line,
        {
            "external_id": sku or f"{product['external_id']}-{n}",
            "item_external_id": product["external_id"],
            "title": _variant_title(product["title"], cells),
            "description": product["description"],
            "sku": sku or f"{product['external_id']}-{n}",
            "url": product["url"],
            "price": cells.get("variant price", ""),
            "inventory_quantity": cells.get("variant inventory qty", ""),
            "inventory_policy": cells.get("variant inventory policy", ""),
            "image_url": cells.get("variant image", "") or product["image_url"],
            "published": product["published"],
        },
    )
