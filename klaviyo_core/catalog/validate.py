"""Checking each product before anything is sent: one rule per field, the same rule the sandbox applies
(klaviyo_sandbox/catalog/routes.py), written down from facts §16 (required external_id, title, description and
url; price a number >= 0; published true/false).

Required fields make a row unusable (it is skipped, with the problem); a bad optional field (price, image URL,
published) is dropped with a warning on that row, so the product still goes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from klaviyo_core.catalog.files import SourceRow

TRUE = {"true", "yes", "y", "1", "active"}
FALSE = {"false", "no", "n", "0", "draft", "archived"}


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

    @property
    def ok(self) -> bool:
        return not self.errors


def is_https(value: str) -> bool:
    return value.startswith("https://") and len(value) > len("https://") and " " not in value


def parse_price(value: str) -> float | None:
    """A price as the file writes it ("42", "42.50", "$42.50", "1,299.00"); None if it is not one."""
    cleaned = value.replace("$", "").replace(",", "").strip()
    try:
        price = float(cleaned)
    except ValueError:
        return None
    return round(price, 2) if math.isfinite(price) and price >= 0 else None


def check_row(row: SourceRow) -> CheckedRow:
    values = row.values
    checked = CheckedRow(row.line, values.get("external_id", ""), {})
    for column in ("external_id", "title", "description"):
        if not values.get(column):
            checked.errors.append(Problem(row.line, column, "", f"{column} is required; fill it in."))
        elif column != "external_id":
            checked.attributes[column] = values[column]
    url = values.get("url", "")
    if is_https(url):
        checked.attributes["url"] = url
    else:
        checked.errors.append(Problem(row.line, "url", url, "give the product page's full https:// address."))
    _optional(row, checked)
    return checked


def _optional(row: SourceRow, checked: CheckedRow) -> None:
    price, image, published = (row.values.get(c, "") for c in ("price", "image_url", "published"))
    if price:
        parsed = parse_price(price)
        if parsed is None:
            checked.warnings.append(Problem(row.line, "price", price, "not a price >= 0; sent without a price."))
        else:
            checked.attributes["price"] = parsed
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
