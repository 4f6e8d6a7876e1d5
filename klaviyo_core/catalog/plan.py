"""Planning against the account: read the current catalog, then decide per product (and per variant, see
plan_variants.py) create / update / unchanged / skip, with the fields that change, and, only when asked, delete
what the account has and the file does not. Nothing is written here; a second run with the same file plans
nothing.

The plan records the target it was read from, so apply refuses to send it anywhere else (DESIGN §1b).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from klaviyo_core.accounts.target import Target
from klaviyo_core.catalog.files import CatalogFile
from klaviyo_core.catalog.validate import Problem, check_row

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

CREATE, UPDATE, UNCHANGED, SKIP, DELETE = "create", "update", "unchanged", "skip", "delete"
ITEM_PREFIX = "$custom:::$default:::"
#: A custom catalog is fed by a hosted feed or by the API, never both; the API cannot tell which one is used.
FEED_WARNING = (
    "A custom catalog is fed either by a hosted JSON/XML feed or by the API, never both: if this account "
    "uses a feed, the feed's next sync (every 6 hours) overwrites what this import writes."
)


@dataclass
class PlannedItem:
    line: int
    external_id: str
    action: str
    attributes: dict[str, Any]  # the full item as the file has it (create) or only what changes (update)
    changed: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)  # errors (skip) or warnings (the row still goes)
    kind: str = "item"  # or "variant"
    parent: str = ""  # a variant's item external_id
    categories: tuple[str, ...] | None = None  # category external ids to relate (None: the file has no column)

    @property
    def item_id(self) -> str:
        return ITEM_PREFIX + self.external_id

    @property
    def key(self) -> str:
        """Joins a job's outcome back to this row ("item:SKU-1", "variant:SKU-1-S")."""
        return f"{self.kind}:{self.external_id}"


@dataclass
class CatalogPlan:
    items: list[PlannedItem]
    target: Target | None = None
    variants: list[PlannedItem] = field(default_factory=list)
    #: In the account, not in the file; planned only when the user asked for deletes (line 0: no row).
    deletes: list[PlannedItem] = field(default_factory=list)
    #: Categories named in the file that the account lacks: external id -> name.
    new_categories: dict[str, str] = field(default_factory=dict)

    def counts(self, kind: str = "item") -> dict[str, int]:
        out = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, SKIP: 0, DELETE: 0}
        for item in [*(self.items if kind == "item" else self.variants), *self.deletes]:
            if item.kind == kind:
                out[item.action] += 1
        return out

    def rows(self) -> list[PlannedItem]:
        """Items, variants and planned deletes: every row of the report."""
        return [*self.items, *self.variants, *self.deletes]

    @property
    def writes(self) -> int:
        """Resources created, updated or deleted (categories count too: they are created)."""
        changes = sum(1 for i in self.rows() if i.action in (CREATE, UPDATE, DELETE))
        return changes + len(self.new_categories)

    def effect(self) -> str:
        """The LIVE confirmation's summary: what this plan changes, deletes included."""
        parts = []
        for kind in ("item", "variant"):
            counts = self.counts(kind)
            done = [f"{counts[a]} {a}" for a in (CREATE, UPDATE, DELETE) if counts[a]]
            if done:
                parts.append(f"catalog {kind}s: {', '.join(done)}")
        if self.new_categories:
            parts.append(f"{len(self.new_categories)} new categor{'y' if len(self.new_categories) == 1 else 'ies'}")
        return "; ".join(parts) or "nothing"


def current_items(client: KlaviyoClient) -> dict[str, dict[str, Any]]:
    """external_id -> attributes of every item in the account's custom catalog (100 a page)."""
    return {
        str(r["attributes"]["external_id"]): r["attributes"]
        for r in client.iter_resources("/api/catalog-items")
        if r.get("attributes", {}).get("external_id")
    }


def make_plan(catalog_file: CatalogFile, current: dict[str, dict[str, Any]]) -> CatalogPlan:
    seen: dict[str, int] = {}
    items: list[PlannedItem] = []
    for row in catalog_file.rows:
        checked = check_row(row)
        planned = PlannedItem(row.line, checked.external_id, SKIP, checked.attributes, problems=checked.errors)
        if checked.ok and checked.external_id in seen:
            fix = f"the same external_id as line {seen[checked.external_id]}; keep one row per product."
            planned.problems = [Problem(row.line, "external_id", checked.external_id, fix)]
        elif checked.ok:
            seen[checked.external_id] = row.line
            planned.problems = checked.warnings
            _decide(planned, current.get(checked.external_id))
        items.append(planned)
    return CatalogPlan(items)


def _decide(planned: PlannedItem, existing: dict[str, Any] | None) -> None:
    if existing is None:
        planned.action = CREATE
        return
    changes = {k: v for k, v in planned.attributes.items() if existing.get(k) != v}
    planned.action = UPDATE if changes else UNCHANGED
    planned.attributes, planned.changed = changes, tuple(sorted(changes))
