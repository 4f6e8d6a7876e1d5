"""Categories from a `categories` column: each product's categories by name, separated by `|` or `;` (commas
stay inside names). A category's external_id is its name in lower case with runs of other characters made
`-` ("Summer Shirts" -> "summer-shirts"), so the same name always finds the same category.

Missing categories are created, then items are related to theirs in the item's own create or update
(`relationships.categories`, which replaces the item's categories: what the file says is what the item has).
The file's column decides: a file without it leaves every item's categories alone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from klaviyo_core.catalog.plan import CREATE, ITEM_PREFIX, UNCHANGED, UPDATE, PlannedItem

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

_SPLIT = re.compile(r"[|;]")
_SLUG = re.compile(r"[^a-z0-9]+")


def category_id(name: str) -> str:
    return _SLUG.sub("-", name.strip().lower()).strip("-")


def parse_categories(cell: str) -> dict[str, str]:
    """external_id -> name, in the cell's order, without duplicates or empty names."""
    out: dict[str, str] = {}
    for name in _SPLIT.split(cell):
        if name.strip() and category_id(name):
            out.setdefault(category_id(name), name.strip())
    return out


def current_categories(client: KlaviyoClient) -> tuple[set[str], dict[str, set[str]]]:
    """(category external ids, item external id -> its category external ids), one read per category."""
    ids: set[str] = set()
    of_item: dict[str, set[str]] = {}
    for category in client.iter_resources("/api/catalog-categories"):
        external_id = str((category.get("attributes") or {}).get("external_id") or "")
        ids.add(external_id)
        for item in client.iter_resources(f"/api/catalog-categories/{category['id']}/relationships/items"):
            of_item.setdefault(str(item["id"]).removeprefix(ITEM_PREFIX), set()).add(external_id)
    return ids, of_item


def relate(
    items: list[PlannedItem], cells: dict[int, str], existing: set[str], of_item: dict[str, set[str]]
) -> dict[str, str]:
    """Set each planned item's categories (and turn an unchanged item whose categories differ into an update);
    returns the categories to create."""
    new: dict[str, str] = {}
    for item in items:
        if item.action not in (CREATE, UPDATE, UNCHANGED):
            continue
        wanted = parse_categories(cells.get(item.line, ""))
        new.update({k: v for k, v in wanted.items() if k not in existing})
        item.categories = tuple(wanted)
        if item.action != CREATE and set(wanted) != of_item.get(item.external_id, set()):
            item.action = UPDATE
            item.changed = tuple(sorted({*item.changed, "categories"}))
    return new
