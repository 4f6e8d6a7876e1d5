"""Historical events from a CSV (issue 20): past orders or custom events loaded so segments and reports see them.

Each row becomes one event: the metric is fixed or read from a column, the profile from email / phone_number /
external_id / profile_id, the time must carry a time zone (a past time without one is ambiguous by hours), and
every other column becomes an event property, typed as a profile import types it (`event_file.py`). A re-run
of the same file must add nothing, so each event's `unique_id` comes from a chosen column (an order id) or,
without one, from a hash of the row itself: Klaviyo (and the sandbox) deduplicate by profile, metric and
unique_id.

Rows older than a day are sent with `backfill: true` (the spec's flag on a bulk entry: the event is recorded
but triggers no flow), so loading last year's orders does not re-send last year's flows. Everything is
validated before anything is sent; problems come back per row, and the report says what became of each row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from klaviyo_core.accounts.confirm import LiveConfirmation
from klaviyo_core.accounts.target import Target
from klaviyo_core.csvfile.write import csv_text, write_csv
from klaviyo_core.events.bulk import BULK_PATH, MAX_BULK_EVENTS, BulkResult
from klaviyo_core.events.event_file import (
    DroppedProperty,
    EventFileError,
    guess_property_types,
    plain_money,
    read_event_text,
    typed_properties,
)
from klaviyo_core.events.import_checkpoint import ImportCheckpoint
from klaviyo_core.events.model import Event, EventError, build_event, event_attributes, parse_properties, profile_data
from klaviyo_core.events.send import guard_write
from klaviyo_core.history import EVENTS_HISTORICAL, counts_of, history_target, recording
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import KlaviyoError
from klaviyo_core.http.explain import explain
from klaviyo_core.profiles.mapping import PROPERTY_TYPES

BACKFILL_AGE = timedelta(days=1)
#: Jobs posted at once. One POST of 1,000 events takes 0.1-0.2 s to be received, and the endpoint allows 10 a
#: second (burst), so one at a time would reach about half the ceiling; the client's limiter paces all of them.
IN_FLIGHT = 4
EVENT_COLUMNS = ("email", "phone_number", "external_id", "profile_id", "value", "value_currency", "time")
BACKFILL_MEANING = (
    "Events older than a day are sent with backfill: they are recorded (segments and reports see them) "
    "but trigger no flow."
)
FLOWS_MAY_FIRE = "flows they trigger may fire"


@dataclass(frozen=True)
class RowError:
    """A row that cannot be sent: `row` is the 1-based data row (0: the file as a whole), `field` the column."""

    row: int
    field: str
    message: str


@dataclass(frozen=True)
class ImportColumns:
    """How the file maps to events: a fixed `metric` or a `metric_column`, and the column holding unique ids."""

    metric: str | None = None
    metric_column: str | None = None
    unique_id_column: str | None = None
    #: Property column -> "text" | "number" | "boolean" | "date" | "list"; other columns are guessed.
    types: Mapping[str, str] = field(default_factory=dict)

    def check(self, headers: list[str]) -> RowError | None:
        if (self.metric is None) == (self.metric_column is None):
            return RowError(0, "metric", "Choose a fixed metric name or the column that holds it (one of them).")
        for name in (self.metric_column, self.unique_id_column):
            if name is not None and name not in headers:
                return RowError(0, name, f"The file has no column '{name}'; its columns are {', '.join(headers)}.")
        if not {"email", "phone_number", "external_id", "profile_id"} & set(headers):
            return RowError(0, "profile", "The file needs an email, phone_number, external_id or profile_id column.")
        return None


@dataclass
class ImportPlan:
    """What would be sent: valid events with their file row numbers, and the rows that cannot be sent."""

    events: list[Event] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # 1-based data row of each event
    errors: list[RowError] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    property_types: dict[str, str] = field(default_factory=dict)  # what each property column was read as
    dropped: list[DroppedProperty] = field(default_factory=list)  # cells sent without (not their column's type)

    def backfilled(self, event: Event) -> bool:
        return event.time < self.now - BACKFILL_AGE

    def held_back(self) -> dict[int, str]:
        """Each row's status when nothing is sent because some rows are invalid (the report still says why)."""
        status = dict.fromkeys(self.rows, "not sent: other rows need fixing first")
        status.update({e.row: f"invalid: {e.field}: {e.message}" for e in self.errors if e.row})
        return status

    @property
    def recent(self) -> int:
        """Events sent without backfill: a LIVE confirmation must say their flows may fire."""
        return sum(not self.backfilled(e) for e in self.events)


def _row_unique_id(row: Mapping[str, str], metric: str) -> str:
    """Same row, same id: a re-run of the file is deduplicated even without an order id column."""
    digest = hashlib.sha256(json.dumps([metric, sorted(row.items())]).encode()).hexdigest()
    return f"row-{digest[:32]}"


def _row_event(
    row: Mapping[str, str], columns: ImportColumns, now: datetime, typed: dict[str, Any], decimal_comma: bool
) -> Event:
    metric = columns.metric or row.get(columns.metric_column or "", "")
    time = row.get("time", "")
    if time and not (time.endswith(("Z", "z")) or "+" in time[10:] or "-" in time[10:]):
        raise EventError("time", f"'{time}' has no time zone; write it like 2025-03-01T14:30:00+01:00 or ...Z.")
    properties: dict[str, Any] = parse_properties(row.get("properties") or "")
    properties.update(typed)
    unique = row.get(columns.unique_id_column or "", "") if columns.unique_id_column else _row_unique_id(row, metric)
    if not unique:
        raise EventError(columns.unique_id_column or "unique_id", "This row has no unique id (the column is empty).")
    args: dict[str, Any] = {k: (row.get(k) or None) for k in EVENT_COLUMNS}
    if args["value"]:
        args["value"] = plain_money(args["value"], decimal_comma)
    return build_event(metric, properties=properties, unique_id=unique, now=now, **args)


def property_columns(headers: list[str], columns: ImportColumns) -> list[str]:
    """The columns that become event properties: all but the identifiers, time, value and the metric column."""
    known = {*EVENT_COLUMNS, "properties", columns.metric_column}
    return [h for h in headers if h not in known]


def plan_import(text: str, columns: ImportColumns, *, now: datetime | None = None) -> ImportPlan:
    """Validate every row before anything is sent; a unique id repeated for one profile and metric is an error
    (Klaviyo would reject the whole job)."""
    plan = ImportPlan(now=now or datetime.now(UTC))
    file = read_event_text(text)
    headers = file.headers
    if columns.unique_id_column is None and "unique_id" in headers:
        columns = ImportColumns(columns.metric, columns.metric_column, "unique_id", columns.types)
    problem = columns.check(headers)
    if problem is None:
        try:
            plan.property_types = guess_property_types(file, property_columns(headers, columns), columns.types)
        except EventFileError as exc:
            problem = RowError(0, "types", str(exc))
    if problem:
        plan.errors.append(problem)
        return plan
    typed, plan.dropped = typed_properties(file, plan.property_types)
    seen: dict[tuple[str, str, str], int] = {}
    for number, (row, props) in enumerate(zip(file.rows, typed, strict=True), start=1):
        try:
            event = _row_event(row, columns, plan.now, props, file.decimal_comma)
        except EventError as exc:
            plan.errors.append(RowError(number, exc.field, exc.message))
            continue
        key = (event.profile_label, event.metric, event.unique_id)
        if key in seen:
            plan.errors.append(RowError(number, "unique_id", f"'{event.unique_id}' repeats row {seen[key]}."))
            continue
        seen[key] = number
        plan.events.append(event)
        plan.rows.append(number)
    return plan


def _entry(event: Event) -> dict[str, Any]:
    return {"type": "event", "attributes": event_attributes(event, with_profile=False)}


def import_bodies(plan: ImportPlan) -> list[dict[str, Any]]:
    """Job bodies of at most 1,000 events; one entry per profile and backfill flag."""
    return [import_body(plan, index) for index in range(job_count(plan))]


def job_count(plan: ImportPlan) -> int:
    return -(-len(plan.events) // MAX_BULK_EVENTS)


def import_body(plan: ImportPlan, index: int) -> dict[str, Any]:
    """The body of job `index` (0-based): built when it is sent, so the first job goes at once instead of after
    every body of a 100,000-row file is built (bench/events_import.py)."""
    start = index * MAX_BULK_EVENTS
    groups: dict[tuple[str, bool], list[Event]] = {}
    for event in plan.events[start : start + MAX_BULK_EVENTS]:
        key = (json.dumps(profile_data(event), sort_keys=True, default=str), plan.backfilled(event))
        groups.setdefault(key, []).append(event)
    entries = [
        {
            "type": "event-bulk-create",
            "attributes": {
                "profile": {"data": profile_data(group[0])},
                "events": {"data": [_entry(e) for e in group]},
                "backfill": backfill,
            },
        }
        for (_, backfill), group in groups.items()
    ]
    return {"data": {"type": "event-bulk-create-job", "attributes": {"events-bulk-create": {"data": entries}}}}


@dataclass
class ImportResult(BulkResult):
    """A bulk result plus what became of each file row: 'sent', 'not sent: why' or 'invalid: why'."""

    row_status: dict[int, str] = field(default_factory=dict)
    resumed_events: int = 0  # accepted by this account in an earlier, interrupted run of the same file


def import_events(
    client: KlaviyoClient,
    plan: ImportPlan,
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: ImportCheckpoint | None = None,
    file_name: str = "",
) -> ImportResult:
    """Send the plan's jobs; a failed job is reported per row and the rest still go. LIVE needs a fresh
    confirmation (`LiveSendNotConfirmed` otherwise, nothing sent). Re-sending a job is harmless (unique ids), but
    with a `checkpoint` a re-run after a kill skips the jobs this account already accepted (no rate limit spent).
    The run and its per-row report go to the write history under `file_name`."""
    result = ImportResult(row_status={e.row: f"invalid: {e.field}: {e.message}" for e in plan.errors if e.row})
    if not plan.events:
        return result
    guard_write(client, target, confirmation)
    with recording(history_target(client, target), EVENTS_HISTORICAL, file_name) as run:
        _send_jobs(client, plan, result, progress, checkpoint)
        sent = result.accepted_events + result.failed_events
        counts = counts_of(sent, result.accepted_events, result.failed_events, len(plan.errors))
        run.finish(counts, report_text=csv_text(report_rows(result.row_status, plan)))
    return result


def _send_jobs(
    client: KlaviyoClient,
    plan: ImportPlan,
    result: ImportResult,
    progress: Callable[[int, int], None] | None,
    checkpoint: ImportCheckpoint | None,
) -> None:
    done = checkpoint.accepted() if checkpoint else set()
    # (index, rows, digest, body): without a checkpoint nothing needs a body before it is sent, so each worker
    # builds its own (no digests either); with one, the bodies are built first to skip the accepted ones.
    todo: list[tuple[int, list[int], str, dict[str, Any] | None]] = []
    for index in range(job_count(plan)):
        rows = plan.rows[index * MAX_BULK_EVENTS : (index + 1) * MAX_BULK_EVENTS]
        if checkpoint is None:
            todo.append((index, rows, "", None))
            continue
        body = import_body(plan, index)
        digest = ImportCheckpoint.digest(body)
        if digest in done:
            result.resumed_events += len(rows)
            result.accepted_events += len(rows)
            result.row_status.update(dict.fromkeys(rows, "sent (in an earlier run)"))
        else:
            todo.append((index, rows, digest, body))
    handled = result.resumed_events
    pool = ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="event-jobs")
    try:
        futures = {
            pool.submit(_post_job, client, plan, index, body): (index, rows, digest)
            for index, rows, digest, body in todo
        }
        for future in as_completed(futures):
            index, rows, digest = futures[future]
            result.batches += 1
            try:
                future.result()
                result.accepted_events += len(rows)
                result.row_status.update(dict.fromkeys(rows, "sent"))
                if checkpoint:
                    checkpoint.mark(digest)
            except KlaviyoError as exc:
                why = explain(exc)
                result.failed_events += len(rows)
                result.failures.append((index, why))
                result.row_status.update(dict.fromkeys(rows, f"not sent: {why.what}"))
            handled += len(rows)
            if progress:
                progress(handled, len(plan.events))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    result.failures.sort(key=lambda failure: failure[0])
    if checkpoint and result.ok:
        checkpoint.finish()


def _post_job(client: KlaviyoClient, plan: ImportPlan, index: int, body: dict[str, Any] | None) -> None:
    client.request("POST", BULK_PATH, json=import_body(plan, index) if body is None else body, idempotent=True)


def checkpoint_for(plan: ImportPlan, target: Target, home: Path | None = None) -> ImportCheckpoint:
    """Where a run of this plan on this account records its accepted jobs (see import_checkpoint.py)."""
    return ImportCheckpoint.for_jobs(import_bodies(plan), target, home)


def parse_type_option(text: str) -> tuple[str, str]:
    """`"Total=number"` (the CLI's --type) -> ("Total", "number")."""
    column, sep, kind = text.rpartition("=")
    if not sep or not column.strip() or kind.strip() not in PROPERTY_TYPES:
        raise EventFileError(f"--type '{text}' should look like \"Column=number\"; the types are {PROPERTY_TYPES}.")
    return column.strip(), kind.strip()


def report_rows(row_status: Mapping[int, str], plan: ImportPlan | None = None) -> list[tuple[object, ...]]:
    """The per-row report, header first: what became of each file row, and the properties it went without."""
    notes: dict[int, list[str]] = {}
    for d in plan.dropped if plan else []:
        notes.setdefault(d.row, []).append(f"{d.column}: '{d.value}' {d.why}")
    return [
        ("row", "status", "note"),
        *((row, row_status[row], "; ".join(notes.get(row, []))) for row in sorted(row_status)),
    ]


def write_report(path: Path, row_status: Mapping[int, str], plan: ImportPlan | None = None) -> Path:
    """The per-row report as a private CSV through the one CSV writer."""
    return write_csv(path, report_rows(row_status, plan))


def import_headers(text: str) -> list[str]:
    """The file's column names, so a page can offer them for the metric and unique-id columns."""
    return read_event_text(text[:65536]).headers
