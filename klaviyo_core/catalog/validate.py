"""Checking each product and variant before anything is sent: one rule per field, the same rule the sandbox
applies (klaviyo_sandbox/catalog/rules.py), written down from the spec and facts §16:
- items require external_id, title, description and url (SPEC CatalogItemCreateQueryResourceObject);
  variants require external_id, title, description, sku, inventory_quantity, price and url, and name their
  item (SPEC CatalogVariantCreateQueryResourceObject);
- URLs (url, image_url, every entry of images) are absolute https:// addresses;
- price is a number >= 0 ("42", "$42.50", "1,299.00", "12.99 USD"; "12,99" and "1.299,00" only in a
  semicolon file, where the comma is the decimal mark: in a comma file "12,99" is refused, never read as 1299);
- inventory_quantity is a whole number (Shopify exports negative stock when oversold: it is kept);
- inventory_policy is 0, 1 or 2 (SPEC: 1 hides an out-of-stock variant from feeds and blocks, 0 and 2 do
  not); Shopify's `deny` is 1 and `continue` is 0 (the spec's default);
- custom_metadata is a flat JSON object of at most 100 KB, measured as the sandbox does (SPEC
  CatalogItemCreateQueryResourceObject.custom_metadata: "May not exceed 100kb").

A missing or bad required field makes the row unusable (skipped, with the problem); a bad optional field is
dropped with a warning on that row, so the product still goes (DESIGN §1b "nothing silently lost").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from klaviyo_core.catalog.rows import SourceRow

TRUE = {"true", "yes", "y", "1", "active"}
FALSE = {"false", "no", "n", "0", "draft", "archived"}
MAX_METADATA_BYTES = 100 * 1024
INVENTORY_POLICIES = {"0": 0, "1": 1, "2": 2, "deny": 1, "continue": 0}
_CURRENCY = re.compile(r"^(?:[A-Za-z]{3}\s*)?([^A-Za-z]*?)(?:\s*[A-Za-z]{3})?$")  # "12.99 USD", "EUR 12,99"
_DOT_DECIMAL = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$")
_INTEGER = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell, and how to fix it."""

    line: int
    column: str
    value: str
    fix: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column} {self.value!r}: {self.fix}"


@dataclass
class CheckedRow:
    line: int
    external_id: str
    attributes: dict[str, Any]  # what would be sent (never external_id: it is the id)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    item_external_id: str = ""  # a variant's item (its relationship, not an attribute)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_https(value: str) -> bool:
    return value.startswith("https://") and len(value) > len("https://") and not any(c.isspace() for c in value)


def parse_price(value: str, decimal_comma: bool = False) -> float | None:
    """A price as the file writes it; None if it is not a number >= 0 in the file's number style."""
    match = _CURRENCY.match(value.strip())
    if match is None:
        return None
    cleaned = match.group(1).strip().lstrip("$€£").strip()
    pattern = _COMMA_DECIMAL if decimal_comma else _DOT_DECIMAL
    if not pattern.match(cleaned):
        return None
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    price = float(cleaned.replace(",", ""))
    return round(price, 2) if math.isfinite(price) else None


def parse_metadata(value: str) -> tuple[dict[str, Any] | None, str]:
    """The custom_metadata object, or None and why it cannot be sent."""
    try:
        doc = json.loads(value)
    except ValueError:
        return None, 'not JSON: write an object such as {"brand": "Acme"}; sent without it.'
    if not isinstance(doc, dict):
        return None, 'not a JSON object: write one such as {"brand": "Acme"}; sent without it.'
    if any(isinstance(v, dict | list) for v in doc.values()):
        return None, "Klaviyo takes a flat object (no nested objects or lists); sent without it."
    size = len(json.dumps(doc).encode())
    if size > MAX_METADATA_BYTES:
        return None, f"{size:,} bytes, over Klaviyo's 100 KB limit; shorten it. Sent without it."
    return doc, ""


def _required_text(row: SourceRow, checked: CheckedRow, columns: tuple[str, ...]) -> None:
    for column in columns:
        if not row.values.get(column):
            checked.errors.append(Problem(row.line, column, "", f"{column} is required; fill it in."))
        elif column != "external_id":
            checked.attributes[column] = row.values[column]


def _url(row: SourceRow, checked: CheckedRow) -> None:
    url = row.values.get("url", "")
    if is_https(url):
        checked.attributes["url"] = url
    else:
        checked.errors.append(Problem(row.line, "url", url, "give the product page's full https:// address."))


def check_row(row: SourceRow) -> CheckedRow:
    """An item row (TEMPLATE_COLUMNS) -> what would be sent, with its errors and warnings."""
    checked = CheckedRow(row.line, row.values.get("external_id", ""), {})
    _required_text(row, checked, ("external_id", "title", "description"))
    _url(row, checked)
    price = row.values.get("price", "")
    if price:
        parsed = parse_price(price, row.decimal_comma)
        if parsed is None:
            checked.warnings.append(Problem(row.line, "price", price, _price_fix(row) + " sent without a price."))
        else:
            checked.attributes["price"] = parsed
    _optional(row, checked)
    _images(row, checked)
    metadata = row.values.get("custom_metadata", "")
    if metadata:
        doc, why = parse_metadata(metadata)
        if doc is None:
            checked.warnings.append(Problem(row.line, "custom_metadata", _short(metadata), why))
        else:
            checked.attributes["custom_metadata"] = doc
    return checked


def check_variant_row(row: SourceRow) -> CheckedRow:
    """A variant row (VARIANT_COLUMNS) -> what would be sent, with its errors and warnings.

    `attributes` holds everything but external_id (the id) and item_external_id (the relationship, in
    `CheckedRow.item_external_id`)."""
    values = row.values
    checked = CheckedRow(
        row.line, values.get("external_id", ""), {}, item_external_id=values.get("item_external_id", "")
    )
    _required_text(row, checked, ("external_id", "item_external_id", "title", "description", "sku"))
    checked.attributes.pop("item_external_id", None)
    _url(row, checked)
    price = values.get("price", "")
    parsed = parse_price(price, row.decimal_comma) if price else None
    if parsed is None:
        fix = _price_fix(row) if price else "a variant needs a price; fill it in."
        checked.errors.append(Problem(row.line, "price", price, fix))
    else:
        checked.attributes["price"] = parsed
    stock = values.get("inventory_quantity", "").strip()
    if _INTEGER.match(stock):
        checked.attributes["inventory_quantity"] = int(stock)
    else:
        fix = "a whole number of items in stock (e.g. 12)." if stock else "a variant needs a stock count; fill it in."
        checked.errors.append(Problem(row.line, "inventory_quantity", stock, fix))
    policy = values.get("inventory_policy", "")
    if policy:
        if policy.strip().lower() in INVENTORY_POLICIES:
            checked.attributes["inventory_policy"] = INVENTORY_POLICIES[policy.strip().lower()]
        else:
            fix = "use deny (hide when out of stock) or continue (0, 1 or 2 also work); sent without it."
            checked.warnings.append(Problem(row.line, "inventory_policy", policy, fix))
    _optional(row, checked)
    return checked


def _price_fix(row: SourceRow) -> str:
    if row.decimal_comma:
        return "not a price >= 0 (write 12,99 or 1.299,00 in this semicolon file);"
    if re.search(r"\d,\d{1,2}$", row.values.get("price", "")):
        return "a decimal comma only works in a semicolon-separated file; write 12.99 here;"
    return "not a price >= 0 (write 12.99);"


def _short(value: str) -> str:
    return value if len(value) <= 80 else value[:77] + "..."


def _optional(row: SourceRow, checked: CheckedRow) -> None:
    image, published = (row.values.get(c, "") for c in ("image_url", "published"))
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


def _images(row: SourceRow, checked: CheckedRow) -> None:
    """`images`: comma-separated URLs; a bad one is dropped (with a warning), the others still go."""
    urls = [u.strip() for u in row.values.get("images", "").split(",") if u.strip()]
    good = [u for u in urls if is_https(u)]
    for bad in (u for u in urls if not is_https(u)):
        checked.warnings.append(Problem(row.line, "images", bad, "not an https:// URL; that image is left out."))
    if good:
        checked.attributes["images"] = good
