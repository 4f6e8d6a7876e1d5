"""Applying a catalog plan through bulk jobs: the plan's changes as jobs of <= 100 resources, sent with a
checkpoint so a killed run resumes without sending anything twice, each job's errors joined back to the
file's rows, a status per row, a report.

The plan must come from the same target, and a LIVE target needs a fresh confirmation, both checked before
the first request (DESIGN §1b). A refused resource fails its row only; the rest go ahead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from klaviyo_core.accounts.confirm import LiveConfirmation, require_live_confirmation
from klaviyo_core.accounts.target import Target, check_same_target, target_or_own
from klaviyo_core.catalog.checkpoint import CatalogWorkspace, run_id_for
from klaviyo_core.catalog.jobs import PHASES, Batch, Entry, cut
from klaviyo_core.catalog.plan import CREATE, DELETE, ITEM_PREFIX, SKIP, UPDATE, CatalogPlan, PlannedItem
from klaviyo_core.catalog.runner import DONE, FAILED, JobSender
from klaviyo_core.csvfile.write import csv_text
from klaviyo_core.history import CATALOG_APPLY, counts_of, recording

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

OnProgress = Callable[[int, int, str], object]  # done, total, message; the return value is ignored


@dataclass
class CatalogResult:
    #: "item:SKU-1" -> done | failed, and the message; every resource the plan sent.
    status: dict[str, str] = field(default_factory=dict)
    message: dict[str, str] = field(default_factory=dict)
    resumed: bool = False  # an earlier, interrupted run of the same plan was finished

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for v in self.status.values() if v == s) for s in (DONE, FAILED)}

    @property
    def ok(self) -> bool:
        return FAILED not in self.status.values()


def resource_for(item: PlannedItem) -> dict[str, Any]:
    """Exactly the resource a job carries for this row; the dry run shows the first job whole."""
    type_ = f"catalog-{item.kind}"
    if item.action == DELETE:
        return {"type": type_, "id": item.item_id}
    out: dict[str, Any] = {"type": type_}
    if item.action == CREATE:
        out["attributes"] = {"external_id": item.external_id, **item.attributes}
    else:
        out["id"], out["attributes"] = item.item_id, dict(item.attributes)
    relationships: dict[str, Any] = {}
    if item.kind == "variant" and item.action == CREATE:
        relationships["item"] = {"data": {"type": "catalog-item", "id": ITEM_PREFIX + item.parent}}
    if item.categories is not None and (item.action == CREATE or "categories" in item.changed):
        ids = [{"type": "catalog-category", "id": ITEM_PREFIX + c} for c in item.categories]
        if ids or item.action == UPDATE:
            relationships["categories"] = {"data": ids}
    if relationships:
        out["relationships"] = relationships
    return out


def plan_batches(plan: CatalogPlan) -> list[Batch]:
    """Every job the plan needs, phase by phase (catalog/jobs.py PHASES)."""
    entries: dict[tuple[str, str], list[Entry]] = {phase: [] for phase in PHASES}
    for external_id, name in plan.new_categories.items():
        resource = {"type": "catalog-category", "attributes": {"external_id": external_id, "name": name}}
        entries["category", "create"].append(Entry(f"category:{external_id}", resource))
    for item in plan.rows():
        if item.action in (CREATE, UPDATE, DELETE):
            entries[item.kind, item.action].append(Entry(item.key, resource_for(item)))
    return [batch for (kind, action), found in entries.items() for batch in cut(kind, action, found)]


def first_request(plan: CatalogPlan) -> tuple[str, str, dict[str, Any]] | None:
    """(method, path, body) of the first job, exactly as it will be sent."""
    batches = plan_batches(plan)
    return ("POST", batches[0].path, batches[0].body()) if batches else None


def apply_catalog(
    client: KlaviyoClient,
    plan: CatalogPlan,
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    on_progress: OnProgress | None = None,
    stop: threading.Event | None = None,
    workspace_root: Path | None = None,
    file_name: str = "",
) -> CatalogResult:
    """Send every change as bulk jobs and wait for them; raises TargetError (nothing sent) for another target
    or an unconfirmed LIVE write. Running the same plan again after a kill resumes it. The run and its report go
    to the write history under `file_name`."""
    current = target_or_own(client, target)
    check_same_target("catalog plan", plan.target, current)
    require_live_confirmation(current, confirmation)
    batches = plan_batches(plan)
    run_id = run_id_for(current, batches)
    workspace = CatalogWorkspace(run_id, workspace_root)
    checkpoint = workspace.open(run_id, current, batches)
    check_same_target("catalog checkpoint", Target.from_dict(checkpoint.target), current)

    def on_job(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(done, total, f"{done} of {total} job(s) complete")

    try:
        JobSender(client, batches, checkpoint, workspace, on_job, stop).run()
    finally:
        workspace.close()
    workspace.mark_settled()
    result = CatalogResult(resumed=checkpoint.resumed)
    for key, (status, message) in checkpoint.outcomes.items():
        result.status[key], result.message[key] = status, message
    _record(current, plan, result, file_name)
    return result


def _record(target: Target, plan: CatalogPlan, result: CatalogResult, file_name: str) -> None:
    """One entry in the write history at the end of a run (the rows not written count as skipped)."""
    n = result.counts()
    with recording(target, CATALOG_APPLY, file_name) as run:
        done, failed = n.get(DONE, 0), n.get(FAILED, 0)
        counts = counts_of(done + failed, done, failed, len(plan.items) - done - failed)
        run.finish(counts, report_text=report_csv(plan, result))


def _row_outcome(item: PlannedItem, result: CatalogResult | None) -> tuple[str, str]:
    notes = "; ".join(p.fix for p in item.problems)
    if item.action not in (CREATE, UPDATE, DELETE) or result is None:
        planned = {SKIP: "skipped", CREATE: "planned", UPDATE: "planned", DELETE: "planned"}.get(item.action)
        return planned or "unchanged", notes
    return result.status.get(item.key, "not sent"), "; ".join(x for x in (result.message.get(item.key), notes) if x)


REPORT_COLUMNS = ("line", "kind", "external_id", "action", "changed", "status", "message")


def report_rows(plan: CatalogPlan, result: CatalogResult | None) -> list[dict[str, object]]:
    """Every row of the file (items, then variants) and every planned delete, with its action, changed
    fields, outcome and message (the page's table)."""
    rows: list[dict[str, object]] = []
    for item in plan.rows():
        status, message = _row_outcome(item, result)
        line = item.line or ""
        values = (line, item.kind, item.external_id, item.action, " ".join(item.changed), status, message)
        rows.append(dict(zip(REPORT_COLUMNS, values, strict=True)))
    return rows


def report_csv(plan: CatalogPlan, result: CatalogResult | None) -> str:
    """The report rows as CSV, through the one writer that neutralises formulas."""
    return csv_text([REPORT_COLUMNS, *(row.values() for row in report_rows(plan, result))])
