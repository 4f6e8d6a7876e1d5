"""Planning variants and deletes against the account.

Variants: create / update (with the changed fields) / unchanged / skip, like items; a variant whose product is
neither in the account nor planned for creation is skipped with the problem. Deletes (only when asked): the
items the account has and the file does not name (a row skipped for a problem still names its item, so a typo
never deletes a product), and, when the file gives variants, the variants it does not name; the variants of an
item planned for deletion are deleted first, explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from klaviyo_core.catalog.files import SourceRow
from klaviyo_core.catalog.plan import CREATE, DELETE, ITEM_PREFIX, SKIP, UNCHANGED, UPDATE, PlannedItem
from klaviyo_core.catalog.validate import Problem, check_variant_row

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient


def current_variants(client: KlaviyoClient) -> dict[str, dict[str, Any]]:
    """external_id -> attributes (plus `item_external_id`) of every variant in the account (100 a page)."""
    out: dict[str, dict[str, Any]] = {}
    for r in client.iter_resources("/api/catalog-variants"):
        attrs = r.get("attributes") or {}
        item_id = (((r.get("relationships") or {}).get("item") or {}).get("data") or {}).get("id", "")
        if attrs.get("external_id"):
            out[str(attrs["external_id"])] = {**attrs, "item_external_id": str(item_id).removeprefix(ITEM_PREFIX)}
    return out


def _decide(planned: PlannedItem, existing: dict[str, Any] | None) -> None:
    if existing is None:
        planned.action = CREATE
        return
    changes = {k: v for k, v in planned.attributes.items() if existing.get(k) != v}
    planned.action = UPDATE if changes else UNCHANGED
    planned.attributes, planned.changed = changes, tuple(sorted(changes))


def plan_variants(rows: Iterable[SourceRow], current: dict[str, dict[str, Any]], items: set[str]) -> list[PlannedItem]:
    """`items`: the external ids of products that exist or will (in the account, or created by this plan)."""
    seen: dict[str, int] = {}
    out: list[PlannedItem] = []
    for row in rows:
        checked = check_variant_row(row)
        parent = row.values.get("item_external_id", "")
        planned = PlannedItem(row.line, checked.external_id, SKIP, checked.attributes, kind="variant", parent=parent)
        planned.problems = checked.errors
        if checked.ok and checked.external_id in seen:
            fix = f"the same external_id as line {seen[checked.external_id]}; keep one row per variant."
            planned.problems = [Problem(row.line, "external_id", checked.external_id, fix)]
        elif checked.ok and parent not in items:
            fix = "no product with this external_id in the file or the account; add the product first."
            planned.problems = [Problem(row.line, "item_external_id", parent, fix)]
        elif checked.ok:
            existing = current.get(checked.external_id)
            if existing is not None and existing.get("item_external_id") != parent:
                fix = f"this variant belongs to product {existing.get('item_external_id')!r} in the account."
                planned.problems = [Problem(row.line, "item_external_id", parent, fix)]
            else:
                seen[checked.external_id] = row.line
                planned.problems = checked.warnings
                _decide(planned, existing)
        out.append(planned)
    return out


def plan_deletes(
    named_items: set[str],
    current_items: Iterable[str],
    named_variants: set[str] | None,
    variants: dict[str, dict[str, Any]],
) -> list[PlannedItem]:
    """Variants first, then items: what the account has and the file does not name (`named_variants` None:
    the file gives no variants, so only the variants of deleted items go)."""
    gone_items = sorted(set(current_items) - named_items)
    gone = set(gone_items)
    out = [
        PlannedItem(0, external_id, DELETE, {}, kind="variant", parent=attrs.get("item_external_id", ""))
        for external_id, attrs in sorted(variants.items())
        if attrs.get("item_external_id") in gone or (named_variants is not None and external_id not in named_variants)
    ]
    out += [PlannedItem(0, external_id, DELETE, {}) for external_id in gone_items]
    return out
