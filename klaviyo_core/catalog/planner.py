"""`plan_catalog`: read the account once, then plan items, categories, variants and (when asked) deletes.

The plan records the target it was read from, so apply refuses to send it anywhere else (DESIGN §1b).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from klaviyo_core.accounts.target import Target, target_or_own
from klaviyo_core.catalog.files import CatalogFile, SourceRow
from klaviyo_core.catalog.plan import CREATE, CatalogPlan, current_items, make_plan
from klaviyo_core.catalog.plan_categories import current_categories, relate
from klaviyo_core.catalog.plan_variants import current_variants, plan_deletes, plan_variants
from klaviyo_core.catalog.settle import settle_unfinished

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient


def plan_catalog(
    client: KlaviyoClient,
    catalog_file: CatalogFile,
    *,
    target: Target | None = None,
    variants: Sequence[SourceRow] | None = None,
    delete_missing: bool = False,
) -> CatalogPlan:
    """Read the account's catalog and plan every row; the plan is bound to the account it was read from.

    `variants`: rows of a separate variants file (the file's own variant rows are used otherwise).
    `delete_missing`: also plan deleting what the account has and the file does not name.
    Jobs an interrupted run sent are waited for first (settle.py), so their resources are read, not re-sent."""
    bound = target_or_own(client, target)
    settle_unfinished(client, bound.account_id)  # an interrupted run's jobs first: never planned twice
    items = current_items(client)
    plan = make_plan(catalog_file, items)
    plan.target = bound
    if any("categories" in row.values for row in catalog_file.rows):
        existing, of_item = current_categories(client)
        cells = {row.line: row.values.get("categories", "") for row in catalog_file.rows}
        plan.new_categories = relate(plan.items, cells, existing, of_item)
    variant_rows = list(variants) if variants is not None else list(catalog_file.variants)
    accounts_variants = current_variants(client) if variant_rows or delete_missing else {}
    if variant_rows:
        parents = set(items) | {i.external_id for i in plan.items if i.action == CREATE}
        plan.variants = plan_variants(variant_rows, accounts_variants, parents)
    if delete_missing:
        named = {row.values.get("external_id", "") for row in catalog_file.rows}
        named_variants = {row.values.get("external_id", "") for row in variant_rows} if variant_rows else None
        plan.deletes = plan_deletes(named, items, named_variants, accounts_variants)
    return plan
