"""Applying a catalog plan: one request per created or updated item, a status per row, a report.

Single-item writes (75/s, 750/m per the spec) paced by the client, which is the only throttle and retry
layer. Bulk jobs (100 items a request) are the next step for large catalogs (issue 19, left for later).
A refused item fails its row only; the rest go ahead. The plan must come from the same target, and a LIVE
target needs a fresh confirmation, checked before the first request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from klaviyo_core.accounts.confirm import LiveConfirmation, require_live_confirmation
from klaviyo_core.accounts.target import Target, check_same_target, target_or_own
from klaviyo_core.catalog.plan import CREATE, SKIP, UNCHANGED, UPDATE, CatalogPlan, PlannedItem
from klaviyo_core.csvfile.write import csv_text
from klaviyo_core.history import CATALOG_APPLY, counts_of, recording
from klaviyo_core.http.errors import KlaviyoError
from klaviyo_core.http.explain import explain

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

OnProgress = Callable[[int, int, str], object]  # done, total, message; the return value is ignored
DONE, FAILED = "done", "failed"


@dataclass
class CatalogResult:
    status: dict[int, str] = field(default_factory=dict)  # line -> done | failed
    message: dict[int, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for v in self.status.values() if v == s) for s in (DONE, FAILED)}

    @property
    def ok(self) -> bool:
        return FAILED not in self.status.values()


def request_for(item: PlannedItem) -> tuple[str, str, dict[str, Any]]:
    """(method, path, body): exactly what is sent for this item; the dry run shows the first one."""
    if item.action == CREATE:
        attributes = {"external_id": item.external_id, **item.attributes}
        return "POST", "/api/catalog-items", {"data": {"type": "catalog-item", "attributes": attributes}}
    body = {"data": {"type": "catalog-item", "id": item.item_id, "attributes": item.attributes}}
    return "PATCH", f"/api/catalog-items/{item.item_id}", body


def first_request(plan: CatalogPlan) -> tuple[str, str, dict[str, Any]] | None:
    return next((request_for(i) for i in plan.items if i.action in (CREATE, UPDATE)), None)


def apply_catalog(
    client: KlaviyoClient,
    plan: CatalogPlan,
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    on_progress: OnProgress | None = None,
    file_name: str = "",
) -> CatalogResult:
    """Send every create and update; raises TargetError (nothing sent) for another target or an unconfirmed
    LIVE write. The run and its report go to the write history under `file_name`."""
    current = target_or_own(client, target)
    check_same_target("catalog plan", plan.target, current)
    require_live_confirmation(current, confirmation)
    writes = [i for i in plan.items if i.action in (CREATE, UPDATE)]
    result = CatalogResult()
    for done, item in enumerate(writes, start=1):
        method, path, body = request_for(item)
        try:
            client.post(path, body) if method == "POST" else client.patch(path, body)
            result.status[item.line], result.message[item.line] = DONE, f"{item.action}d"
        except KlaviyoError as exc:  # Klaviyo's refusal fails this row only; a bug surfaces as itself
            result.status[item.line], result.message[item.line] = FAILED, explain(exc).what
        if on_progress is not None:
            on_progress(done, len(writes), f"{item.action} {item.external_id}")
    _record(current, plan, result, file_name)
    return result


def _record(target: Target, plan: CatalogPlan, result: CatalogResult, file_name: str) -> None:
    """One entry in the write history at the end of a run (the rows not written count as skipped)."""
    n = result.counts()
    with recording(target, CATALOG_APPLY, file_name) as run:
        counts = counts_of(n[DONE] + n[FAILED], n[DONE], n[FAILED], len(plan.items) - n[DONE] - n[FAILED])
        run.finish(counts, report_text=report_csv(plan, result))


def _row_outcome(item: PlannedItem, result: CatalogResult | None) -> tuple[str, str]:
    notes = "; ".join(p.fix for p in item.problems)
    if item.action in (SKIP, UNCHANGED) or result is None:
        planned = "planned" if item.action in (CREATE, UPDATE) else ("skipped" if item.action == SKIP else "unchanged")
        return planned, notes
    return result.status.get(item.line, "not sent"), "; ".join(x for x in (result.message.get(item.line), notes) if x)


REPORT_COLUMNS = ("line", "external_id", "action", "changed", "status", "message")


def report_rows(plan: CatalogPlan, result: CatalogResult | None) -> list[dict[str, object]]:
    """Every row of the file with its action, changed fields, outcome and message (the page's table)."""
    rows: list[dict[str, object]] = []
    for item in plan.items:
        status, message = _row_outcome(item, result)
        values = (item.line, item.external_id, item.action, " ".join(item.changed), status, message)
        rows.append(dict(zip(REPORT_COLUMNS, values, strict=True)))
    return rows


def report_csv(plan: CatalogPlan, result: CatalogResult | None) -> str:
    """The report rows as CSV, through the one writer that neutralises formulas."""
    return csv_text([REPORT_COLUMNS, *(row.values() for row in report_rows(plan, result))])
