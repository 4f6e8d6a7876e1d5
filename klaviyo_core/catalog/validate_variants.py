"""Checking each variant before anything is sent, with the rules the sandbox applies (klaviyo_sandbox/catalog/
rules.py), from the spec's `CatalogVariantCreateQueryResourceObject`: external_id, title, description, sku,
inventory_quantity, price and url are required, and the parent item; `inventory_policy` is 0, 1 or 2 (1: an
out-of-stock variant is hidden from product feeds and blocks; 0 and 2: shown whatever the stock).

A variant without a required field is skipped with the problem; a bad optional field (image URL, published,
inventory policy) is dropped with a warning.
"""

from __future__ import annotations

from klaviyo_core.catalog.files import SourceRow
from klaviyo_core.catalog.validate import FALSE, TRUE, CheckedRow, Problem, is_https, parse_price

POLICIES = {"0": 0, "1": 1, "2": 2, "deny": 1, "continue": 0}  # Shopify's "Variant Inventory Policy" words


def _required(row: SourceRow, checked: CheckedRow) -> None:
    values = row.values
    for column in ("external_id", "item_external_id", "title", "description", "sku"):
        if not values.get(column):
            checked.errors.append(Problem(row.line, column, "", f"{column} is required; fill it in."))
        elif column in ("title", "description", "sku"):
            checked.attributes[column] = values[column]
    url = values.get("url", "")
    if is_https(url):
        checked.attributes["url"] = url
    else:
        checked.errors.append(Problem(row.line, "url", url, "give the variant's full https:// address."))
    price = parse_price(values.get("price", ""))
    if price is None:
        checked.errors.append(Problem(row.line, "price", values.get("price", ""), "give a price >= 0."))
    else:
        checked.attributes["price"] = price
    quantity = values.get("inventory_quantity", "").replace(",", "")
    if quantity.lstrip("-").isdigit():
        checked.attributes["inventory_quantity"] = int(quantity)
    else:
        fix = "give the stock as a whole number (0 when sold out)."
        checked.errors.append(Problem(row.line, "inventory_quantity", quantity, fix))


def check_variant_row(row: SourceRow) -> CheckedRow:
    checked = CheckedRow(row.line, row.values.get("external_id", ""), {})
    _required(row, checked)
    policy, image, published = (row.values.get(c, "") for c in ("inventory_policy", "image_url", "published"))
    if policy:
        if policy.strip().lower() in POLICIES:
            checked.attributes["inventory_policy"] = POLICIES[policy.strip().lower()]
        else:
            fix = "use 0 or 2 (shown when out of stock) or 1 (hidden when out of stock); left as is."
            checked.warnings.append(Problem(row.line, "inventory_policy", policy, fix))
    if image:
        if is_https(image):
            checked.attributes["image_full_url"] = image
        else:
            checked.warnings.append(Problem(row.line, "image_url", image, "not an https:// URL; sent without it."))
    if published:
        flag = published.strip().lower()
        if flag in TRUE | FALSE:
            checked.attributes["published"] = flag in TRUE
        else:
            checked.warnings.append(Problem(row.line, "published", published, "use true or false; left as is."))
    return checked
