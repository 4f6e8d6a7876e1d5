"""A Google Merchant Center product feed as a delimited file (TSV, as Google recommends, or CSV).

Attributes read (Google's product data specification, support.google.com/merchants/answer/7052112: English
names, words joined by underscores; we also accept spaces): id, title, description, link, image_link,
additional_image_link (comma-separated), price ("12.99 USD"), availability (in_stock, out_of_stock, preorder,
backorder; the older spellings with a space too) and item_group_id.

Choices:
- a row without item_group_id is an item (external_id = id); rows sharing an item_group_id are variants
  (external_id and sku = their id) of one item whose external_id is the item_group_id and whose title,
  description, link, image and price are its first row's (Google has no parent row);
- Google gives availability, not stock counts: a variant's inventory_quantity is 0 when out_of_stock and 1
  otherwise, with inventory_policy `deny` so that Klaviyo keeps out-of-stock variants out of recommendations
  (the spec's meaning of inventory_policy 1); an item's availability has no catalog field and is not sent;
- the price is `price`: a sale_price has dates the catalog cannot follow, so it is not sent (as WooCommerce's);
- an item's categories are every level of its product_type, else the last level of its google_product_category
  (export_categories.py says why); a group's are its first row's.
"""

from __future__ import annotations

from klaviyo_core.catalog.export_categories import merchant_categories
from klaviyo_core.catalog.rows import CatalogFile, Record, Source, SourceRow, Table

DETECT = frozenset({"id", "title", "link"})
OUT_OF_STOCK = {"out_of_stock", "out of stock"}


def columns_of(table: Table) -> set[str]:
    return {c.replace(" ", "_") for c in table.columns}


def is_merchant_feed(table: Table) -> bool:
    return columns_of(table) >= DETECT


def _cells(record: Record) -> dict[str, str]:
    return {k.replace(" ", "_"): v for k, v in record.cells.items()}


def _item_values(columns: set[str], cells: dict[str, str], external_id: str) -> dict[str, str]:
    extra = [u.strip() for u in cells.get("additional_image_link", "").split(",") if u.strip()]
    image = cells.get("image_link", "")
    images = [image, *extra] if image else extra
    return {
        "external_id": external_id,
        "title": cells.get("title", ""),
        "description": cells.get("description", ""),
        "url": cells.get("link", ""),
        "price": cells.get("price", ""),
        "image_url": image,
        "published": "",
        "images": ", ".join(images) if len(images) > 1 else "",
        "custom_metadata": "",
        **merchant_categories(columns, cells),
    }


def read_merchant_feed(table: Table) -> CatalogFile:
    columns = columns_of(table)
    items: list[SourceRow] = []
    groups: dict[str, SourceRow] = {}
    variants: list[SourceRow] = []
    for record in table.records:
        cells = _cells(record)
        group = cells.get("item_group_id", "")
        if not group:
            items.append(table.row(record.line, _item_values(columns, cells, cells.get("id", ""))))
            continue
        if group not in groups:
            groups[group] = table.row(record.line, _item_values(columns, cells, group))
            items.append(groups[group])
        available = cells.get("availability", "").strip().lower()
        variants.append(
            table.row(
                record.line,
                {
                    "external_id": cells.get("id", ""),
                    "item_external_id": group,
                    "title": cells.get("title", ""),
                    "description": cells.get("description", ""),
                    "sku": cells.get("id", ""),
                    "url": cells.get("link", ""),
                    "price": cells.get("price", ""),
                    "inventory_quantity": "0" if available in OUT_OF_STOCK else "1",
                    "inventory_policy": "deny",
                    "image_url": cells.get("image_link", ""),
                    "published": "",
                },
            )
        )
    return CatalogFile(Source.MERCHANT_CENTER, tuple(items), tuple(variants))
