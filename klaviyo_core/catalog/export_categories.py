"""Which columns of a store export are its products' categories, as the `categories` cell plan_categories reads.

What a marketer means by a product's category is the shop's own grouping, the one its menus and collections
are built from; tags are labels ("summer", "sale") and are left out. Klaviyo's categories are flat names, so a
path ("Clothing > Hoodies") becomes one category per level: in the store the product is found under each.
- Shopify (help.shopify.com/manual/products/import-export/using-csv): `Type` (the merchant's own product type;
  `Custom Product Type` in older exports) and the last level of `Product Category` (Shopify's Standard Product
  Taxonomy, "Apparel & Accessories > Clothing > Shirts": its upper levels are Shopify's, not the shop's, and
  would put every shirt and sock of a store in one "Apparel & Accessories" category). `Tags` are not read.
- WooCommerce (its built-in product CSV exporter): `Categories`, paths joined by ", " with levels joined by
  " > " ("Clothing > Hoodies, Music"); a comma inside a name is written `\\,`. Every level is a category.
- Merchant Center (support.google.com/merchants/answer/6324406, product_type): `product_type`, the merchant's own
  path ("Home > Lighting > Lamps"; several separated by commas): every level. `google_product_category` is
  Google's taxonomy (an id such as "2271" or a path) and is used only when there is no product_type: its last
  level, never a bare id (its name would need Google's taxonomy file).
A file without any of these columns leaves every item's categories alone (the `categories` key is absent); an
empty cell in a file with the column clears that item's categories, as the template's column does.
"""

from __future__ import annotations

import re

from klaviyo_core.catalog.rows import Table

SEPARATOR = " | "  # what plan_categories splits a cell on
SHOPIFY_COLUMNS = ("type", "custom product type", "product category")
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def _levels(path: str) -> list[str]:
    return [level.strip() for level in path.split(">") if level.strip()]


def _join(names: list[str]) -> str:
    return SEPARATOR.join(dict.fromkeys(n for n in names if n))


def shopify_categories(table: Table, cells: dict[str, str]) -> dict[str, str]:
    """{"categories": ...} when the export has a category column, else {}."""
    if not any(c in table.columns for c in SHOPIFY_COLUMNS):
        return {}
    own = cells.get("type", "") or cells.get("custom product type", "")
    taxonomy = cells.get("product category", "")
    leaf = _levels(taxonomy)[-1:] if taxonomy and not taxonomy.startswith("gid://") else []
    return {"categories": _join([own.strip(), *leaf])}


def woocommerce_categories(table: Table, cells: dict[str, str]) -> dict[str, str]:
    if "categories" not in table.columns:
        return {}
    paths = [p.replace("\\,", ",") for p in _UNESCAPED_COMMA.split(cells.get("categories", ""))]
    return {"categories": _join([level for path in paths for level in _levels(path)])}


def merchant_categories(columns: set[str], cells: dict[str, str]) -> dict[str, str]:
    """`columns` and `cells` with underscores for spaces, as merchant_feed.py reads them."""
    if "product_type" not in columns and "google_product_category" not in columns:
        return {}
    own = cells.get("product_type", "")
    if own:
        return {"categories": _join([level for path in own.split(",") for level in _levels(path)])}
    leaf = _levels(cells.get("google_product_category", ""))[-1:]
    return {"categories": _join([name for name in leaf if not name.isdigit()])}
