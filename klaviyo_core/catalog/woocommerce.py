"""WooCommerce's built-in product export (Products > Export): one row per product and one per variation.

Columns read: ID, Type (simple, variable, variation, external, grouped; several joined by ", " as in
"simple, virtual"), SKU, Name, Description (else Short description), Published (1 published, 0 private,
-1 draft), Regular price, Sale price, Stock, In stock?, Backorders allowed?, Images (a comma-separated list of
URLs), Parent (a variation's parent, written "id:<ID>" or as the parent's SKU) and Attribute N value(s).

Choices (the export has no product URLs and its variations often have no description):
- an item's external_id is its SKU, or `woo-<ID>` when it has none; a variation's likewise;
- an item's URL is its "Permalink" column when the file has one (some export plugins add it), else
  `<store_url>/product/<Slug>/` when there is a "Slug" column (WooCommerce's default product base), else
  `<store_url>/?post_type=product&p=<ID>`, which WordPress answers with a redirect to the product's page;
  a variation's URL is its parent's (variations have no page of their own);
- the price is the Regular price: a Sale price has dates the catalog cannot follow, so it is not sent;
- a variation's empty Description, Images and Stock ("parent" or blank) come from its parent; its title is
  its Name, or the parent's Name plus its attribute values when the Name is blank;
- Published 1 is published; 0 (private) and -1 (draft) are not;
- Backorders allowed? 0 -> `deny` (Klaviyo hides it when out of stock), 1 or notify -> `continue`;
- an item's categories are every level of its Categories paths (export_categories.py says why).
"""

from __future__ import annotations

from klaviyo_core.catalog.export_categories import woocommerce_categories
from klaviyo_core.catalog.rows import CatalogFile, Record, Source, SourceRow, Table, store_base

DETECT = frozenset({"type", "sku", "name", "regular price"})
PUBLISHED = {"1": "true", "0": "false", "-1": "false"}
BACKORDERS = {"0": "deny", "1": "continue", "notify": "continue"}


def is_woocommerce(table: Table) -> bool:
    return set(table.columns) >= DETECT


def _types(cells: dict[str, str]) -> set[str]:
    return {t.strip().lower() for t in cells.get("type", "").split(",") if t.strip()}


def _external_id(cells: dict[str, str]) -> str:
    sku, woo_id = cells.get("sku", ""), cells.get("id", "")
    return sku or (f"woo-{woo_id}" if woo_id else "")


def _images(cells: dict[str, str]) -> list[str]:
    return [u.strip() for u in cells.get("images", "").split(",") if u.strip()]


def _url(cells: dict[str, str], store_url: str | None) -> str:
    permalink = cells.get("permalink", "")
    if permalink:
        return permalink
    base = store_base(store_url, "WooCommerce's export")
    if cells.get("slug"):
        return f"{base}/product/{cells['slug']}/"
    return f"{base}/?post_type=product&p={cells.get('id', '')}" if cells.get("id") else ""


def read_woocommerce(table: Table, store_url: str | None) -> CatalogFile:
    if "permalink" not in table.columns:
        store_base(store_url, "WooCommerce's export")  # fail before reading anything
    items: list[SourceRow] = []
    parents: dict[str, tuple[SourceRow, str]] = {}  # "id:<ID>" and the SKU -> the parent's row and Stock
    pending: list[Record] = []
    for record in table.records:
        if "variation" in _types(record.cells):
            pending.append(record)
            continue
        row = _item(table, record, store_url)
        items.append(row)
        for key in (f"id:{record.cells.get('id', '')}", record.cells.get("sku", "")):
            if key not in ("id:", ""):
                parents[key] = (row, record.cells.get("stock", ""))
    variants = tuple(_variant(table, r, parents.get(r.cells.get("parent", ""))) for r in pending)
    return CatalogFile(Source.WOOCOMMERCE, tuple(items), variants)


def _item(table: Table, record: Record, store_url: str | None) -> SourceRow:
    cells, images = record.cells, _images(record.cells)
    return table.row(
        record.line,
        {
            "external_id": _external_id(cells),
            "title": cells.get("name", ""),
            "description": cells.get("description", "") or cells.get("short description", ""),
            "url": _url(cells, store_url),
            "price": cells.get("regular price", ""),
            "image_url": images[0] if images else "",
            "published": PUBLISHED.get(cells.get("published", ""), cells.get("published", "")),
            "images": ", ".join(images) if len(images) > 1 else "",
            "custom_metadata": "",
            **woocommerce_categories(table, cells),
        },
    )


def _variant(table: Table, record: Record, parent: tuple[SourceRow, str] | None) -> SourceRow:
    cells, images = record.cells, _images(record.cells)
    product = parent[0].values if parent else {}
    attributes = [cells[k] for k in sorted(cells) if k.startswith("attribute ") and "value" in k and cells[k]]
    title = cells.get("name", "") or (
        f"{product.get('title', '')} - {', '.join(attributes)}" if attributes else product.get("title", "")
    )
    stock = cells.get("stock", "")
    if stock.lower() == "parent":  # the parent manages the stock of its variations
        stock = parent[1] if parent else ""
    published = cells.get("published", "")
    return table.row(
        record.line,
        {
            "external_id": _external_id(cells),
            "item_external_id": product.get("external_id", ""),
            "title": title,
            "description": cells.get("description", "") or product.get("description", ""),
            "sku": cells.get("sku", "") or _external_id(cells),
            "url": product.get("url", ""),
            "price": cells.get("regular price", ""),
            "inventory_quantity": stock,
            "inventory_policy": BACKORDERS.get(cells.get("backorders allowed?", "").lower(), ""),
            "image_url": images[0] if images else product.get("image_url", ""),
            "published": PUBLISHED.get(published, published) if published else product.get("published", ""),
        },
    )
