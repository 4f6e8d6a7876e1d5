"""Applying a consent plan: requests cut as Klaviyo allows, suppression jobs polled, a checkpoint to resume.

Batch sizes (spec): subscribe 1,000 profiles a call (`profile-subscription-bulk-create-jobs`); unsubscribe,
suppress and unsuppress 100 (`profile-subscription-bulk-delete-jobs`, `profile-suppression-bulk-create-jobs`,
`…-delete-jobs`). Subscribe and unsubscribe answer 202 with no body and have no status route; suppress and
unsuppress answer a job that is polled until Klaviyo finishes it. Pacing and retries are the client's.

Resume: before the first request the batches (the exact bodies) are saved in a checkpoint bound to the target
(`<data dir>/consent/<run id>/checkpoint.json`, 0600). The run id comes from the file's rows and the options,
never from the account's state, so running the same file the same way again after a kill finds it and sends
only the batches not done yet: re-planning instead would see the people already taken off a list as "not in
the list" and hold them apart. A batch cut short mid-request is sent again; every consent call here is
idempotent (subscribing the subscribed, unsubscribing the unsubscribed or suppressing the suppressed changes
nothing). The checkpoint never holds the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from klaviyo_core.accounts.confirm import LiveConfirmation, require_live_confirmation
from klaviyo_core.accounts.target import Target, check_same_target, target_or_own
from klaviyo_core.consent.plan import (
    CHANGE,
    SUBSCRIBE,
    SUPPRESS,
    UNCHANGED,
    UNSUBSCRIBE,
    UNSUPPRESS,
    Change,
    ConsentPlan,
)
from klaviyo_core.consent.rows import SMS, ConsentRow
from klaviyo_core.csvfile.write import csv_text, write_csv
from klaviyo_core.history import CONSENT_CHANGE, DONE, INTERRUPTED, counts_of, recording
from klaviyo_core.history import FAILED as HISTORY_FAILED
from klaviyo_core.http.errors import ApiError, KlaviyoError
from klaviyo_core.http.explain import explain
from klaviyo_core.paths import data_dir, open_private, private_dir

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

PATHS = {
    SUBSCRIBE: "/api/profile-subscription-bulk-create-jobs",
    UNSUBSCRIBE: "/api/profile-subscription-bulk-delete-jobs",
    SUPPRESS: "/api/profile-suppression-bulk-create-jobs",
    UNSUPPRESS: "/api/profile-suppression-bulk-delete-jobs",
}
JOB_TYPES = {
    SUBSCRIBE: "profile-subscription-bulk-create-job",
    UNSUBSCRIBE: "profile-subscription-bulk-delete-job",
    SUPPRESS: "profile-suppression-bulk-create-job",
    UNSUPPRESS: "profile-suppression-bulk-delete-job",
}
BATCH = {SUBSCRIBE: 1000, UNSUBSCRIBE: 100, SUPPRESS: 100, UNSUPPRESS: 100}
SENT, FAILED, PENDING = "sent", "failed", "pending"
JOB_DONE = ("complete", "cancelled")
_POINTER = re.compile(r"^/data/attributes/profiles/data/(\d+)(?:/|$)")
OnProgress = Callable[[int, int], object]  # rows done, rows to send


def _profile(plan: ConsentPlan, row: ConsentRow, channels: list[str]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if row.email:
        attrs["email"] = row.email
    action = plan.options.action
    if action in (SUPPRESS, UNSUPPRESS):
        return {"type": "profile", "attributes": attrs}
    if row.phone and (SMS in channels or not row.email):
        attrs["phone_number"] = row.phone
    consent = "SUBSCRIBED" if action == SUBSCRIBE else "UNSUBSCRIBED"
    subs: dict[str, Any] = {}
    for channel in channels:
        marketing: dict[str, Any] = {"consent": consent}
        if action == SUBSCRIBE and plan.options.historical and row.consented_at is not None:
            marketing["consented_at"] = row.consented_at.isoformat().replace("+00:00", "Z")
        subs[channel] = {"marketing": marketing}
    attrs["subscriptions"] = subs
    return {"type": "profile", "attributes": attrs}


def _body(plan: ConsentPlan, profiles: list[dict[str, Any]]) -> dict[str, Any]:
    action = plan.options.action
    data: dict[str, Any] = {"type": JOB_TYPES[action], "attributes": {"profiles": {"data": profiles}}}
    if action == SUBSCRIBE:
        data["attributes"] = {"historical_import": plan.options.historical, **data["attributes"]}
    if plan.options.list_id and action in (SUBSCRIBE, UNSUBSCRIBE):
        data["relationships"] = {"list": {"data": {"type": "list", "id": plan.options.list_id}}}
    return {"data": data}


def batches(plan: ConsentPlan) -> list[dict[str, Any]]:
    """Every request the plan sends: {"items": [[line, channel], …], "body": …}, in file order."""
    rows = {r.line: r for r in plan.rows}
    wanted: dict[int, list[str]] = {}
    for c in plan.changes:
        if c.status == CHANGE:
            wanted.setdefault(c.line, []).append(c.channel)
    lines = sorted(wanted)
    size = BATCH[plan.options.action]
    out = []
    for start in range(0, len(lines), size):
        part = lines[start : start + size]
        body = _body(plan, [_profile(plan, rows[line], wanted[line]) for line in part])
        out.append({"items": [[line, ch] for line in part for ch in wanted[line]], "body": body})
    return out


def first_request(plan: ConsentPlan) -> tuple[str, str, dict[str, Any]] | None:
    """(method, path, body) of the first request: the dry run shows exactly what would be sent."""
    cut = batches(plan)
    return ("POST", PATHS[plan.options.action], cut[0]["body"]) if cut else None


def run_id(plan: ConsentPlan) -> str:
    """From the file's rows and the options only (not the account's state): a re-run finds its checkpoint."""
    rows = [(r.line, r.email, r.phone, r.channels, sorted(r.problems), str(r.consented_at)) for r in plan.rows]
    blob = json.dumps([plan.options.__dict__, rows], sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


class ConsentCheckpoint:
    """`<data dir>/consent/<run id>/`: `batches.jsonl` (each request's rows and exact body, written once) and
    `checkpoint.json` (the target and where each batch stands, rewritten after every batch: small, so a run of
    100,000 rows does not rewrite megabytes a thousand times). Both 0600 in a 0700 folder."""

    def __init__(self, run: str, root: Path | None = None) -> None:
        self.dir = (root or data_dir()) / "consent" / run
        self.path = self.dir / "checkpoint.json"
        self.batches_path = self.dir / "batches.jsonl"

    def load(self) -> dict[str, Any] | None:
        if not self.path.exists() or not self.batches_path.exists():
            return None
        doc: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        with self.batches_path.open(encoding="utf-8") as handle:
            cut = [json.loads(line) for line in handle if line.strip()]
        states = doc.pop("states", [])
        if len(states) != len(cut):
            return None  # written by a run that died while creating it: start afresh
        doc["batches"] = [{**batch, **state} for batch, state in zip(cut, states, strict=True)]
        return doc

    def create(self, doc: dict[str, Any]) -> None:
        """A new run: its batches once, then its states."""
        private_dir(self.dir)
        self.path.unlink(missing_ok=True)
        text = "".join(json.dumps({"items": b["items"], "body": b["body"]}) + "\n" for b in doc["batches"])
        self._write(self.batches_path, text)
        self.save(doc)

    def save(self, doc: dict[str, Any]) -> None:
        keep = ("state", "message", "job_id", "failed")
        small = {k: v for k, v in doc.items() if k != "batches"}
        small["states"] = [{k: b.get(k) for k in keep} for b in doc["batches"]]
        self._write(self.path, json.dumps(small))

    def _write(self, path: Path, text: str) -> None:
        tmp = path.with_suffix(".tmp")
        with open_private(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)


def unfinished_run(plan: ConsentPlan, root: Path | None = None) -> tuple[int, int] | None:
    """(batches sent, batches in all) of an unfinished earlier run of this file and options, which applying
    resumes; None when there is none. Shown before the write, so a resume is never a surprise."""
    doc = ConsentCheckpoint(run_id(plan), root).load()
    if doc is None or doc.get("done"):
        return None
    cut = doc.get("batches") or []
    return sum(1 for b in cut if b.get("state") != PENDING), len(cut)


def discard_run(plan: ConsentPlan, root: Path | None = None) -> bool:
    """Forget an earlier run's checkpoint for this file and options (what it sent stays sent); True if one was
    there. The way out when it belongs to another account, or when the person wants to plan afresh."""
    checkpoint = ConsentCheckpoint(run_id(plan), root)
    found = checkpoint.path.exists()
    checkpoint.path.unlink(missing_ok=True)
    checkpoint.batches_path.unlink(missing_ok=True)
    return found


@dataclass
class ConsentResult:
    """(line, channel) -> status and message; `resumed` counts batches a previous run had already sent."""

    status: dict[tuple[int, str], str] = field(default_factory=dict)
    message: dict[tuple[int, str], str] = field(default_factory=dict)
    batches: int = 0
    resumed: int = 0
    job_ids: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for v in self.status.values() if v == s) for s in (SENT, FAILED)}

    @property
    def ok(self) -> bool:
        return FAILED not in self.status.values()


def _poll(client: KlaviyoClient, action: str, job: dict[str, Any], stop: threading.Event, timeout: float) -> str:
    """Wait for a suppression job to finish (its status); Klaviyo processes them asynchronously."""
    job_id = str(job.get("id") or "")
    status = str((job.get("attributes") or {}).get("status") or "")
    deadline = time.monotonic() + timeout
    pause = 0.2
    while status not in JOB_DONE and job_id and time.monotonic() < deadline and not stop.is_set():
        stop.wait(min(pause, max(deadline - time.monotonic(), 0.0)))
        pause = min(pause * 2, 5.0)
        got = (client.get(f"{PATHS[action]}/{job_id}") or {}).get("data") or {}
        status = str((got.get("attributes") or {}).get("status") or "")
    return status


def apply_consent(
    client: KlaviyoClient,
    plan: ConsentPlan,
    *,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    on_progress: OnProgress | None = None,
    root: Path | None = None,
    stop: threading.Event | None = None,
    job_timeout: float = 300.0,
    file_name: str = "",
) -> ConsentResult:
    """Send the plan (or resume its checkpoint). TargetError, nothing sent: another target's plan or
    checkpoint, or a LIVE write without a fresh confirmation. A refused batch fails its rows only. The run and
    its per-row report go to the write history under `file_name` (a resumed run is a run of its own)."""
    current = target_or_own(client, target)
    check_same_target("consent plan", plan.target, current)
    checkpoint = ConsentCheckpoint(run_id(plan), root)
    doc = checkpoint.load()
    if doc is not None:
        check_same_target("consent checkpoint", Target.from_dict(doc["target"]), current)
    require_live_confirmation(current, confirmation)
    if doc is None or doc.get("done"):
        doc = {"target": current.to_dict(), "action": plan.options.action, "done": False}
        doc["batches"] = [{**b, "state": PENDING, "message": ""} for b in batches(plan)]
        checkpoint.create(doc)
    with recording(current, CONSENT_CHANGE, file_name) as run:
        result = _send_batches(client, plan, checkpoint, doc, on_progress, stop or threading.Event(), job_timeout)
        n = result.counts()
        counts = counts_of(n[SENT] + n[FAILED], n[SENT], n[FAILED], len(plan.changes) - n[SENT] - n[FAILED])
        stopped = not doc["done"]
        run.finish(
            counts,
            report_text=csv_text(report_csv_rows(plan, result)),
            status=INTERRUPTED if stopped else (DONE if result.ok else HISTORY_FAILED),
            message="stopped before every batch was sent" if stopped else "",
        )
    return result


def _send_batches(
    client: KlaviyoClient,
    plan: ConsentPlan,
    checkpoint: ConsentCheckpoint,
    doc: dict[str, Any],
    on_progress: OnProgress | None,
    stop: threading.Event,
    job_timeout: float,
) -> ConsentResult:
    result = ConsentResult()
    total = sum(len(b["items"]) for b in doc["batches"])
    done = 0
    for batch in doc["batches"]:
        keys = [(int(line), str(ch)) for line, ch in batch["items"]]
        if batch["state"] == PENDING and not stop.is_set():
            _send(client, plan.options.action, batch, stop, job_timeout)
            checkpoint.save(doc)
            result.batches += 1
            result.job_ids += [batch["job_id"]] if batch.get("job_id") else []
        elif batch["state"] != PENDING:
            result.resumed += 1
        if batch["state"] != PENDING:
            result.status.update(dict.fromkeys(keys, batch["state"]))
            result.message.update(dict.fromkeys(keys, batch["message"]))
            for key in keys:  # rows Klaviyo refused by name; the rest of their batch went
                if str(key[0]) in (batch.get("failed") or {}):
                    result.status[key], result.message[key] = FAILED, batch["failed"][str(key[0])]
        done += len(keys)
        if on_progress is not None:
            on_progress(done, total)
    doc["done"] = all(b["state"] != PENDING for b in doc["batches"])
    checkpoint.save(doc)
    return result


def _bad_profile(exc: KlaviyoError, count: int) -> int | None:
    """The profile a 400 names (`source.pointer` /data/attributes/profiles/data/<i>/…), if it names one."""
    if not isinstance(exc, ApiError) or exc.status != 400:
        return None
    match = _POINTER.match(exc.source.get("pointer") or "")
    index = int(match.group(1)) if match else None
    return index if index is not None and index < count else None


def _send(client: KlaviyoClient, action: str, batch: dict[str, Any], stop: threading.Event, timeout: float) -> None:
    """Klaviyo checks a request whole (one bad profile -> 400, nothing happens: facts §10). When the 400 names
    one profile, that row fails with Klaviyo's reason and the rest of the batch is sent again without it."""
    body = json.loads(json.dumps(batch["body"]))
    profiles = body["data"]["attributes"]["profiles"]["data"]
    lines = list(dict.fromkeys(int(line) for line, _ in batch["items"]))
    failed: dict[str, str] = {}
    while True:
        try:
            answer = client.post(PATHS[action], body, idempotent=True)
            break
        except KlaviyoError as exc:  # Klaviyo's refusal fails this batch (or one row) only; a bug surfaces
            index = _bad_profile(exc, len(profiles))
            if index is None or len(profiles) == 1:
                batch["state"], batch["message"] = FAILED, explain(exc).what
                batch["failed"] = failed
                return
            failed[str(lines.pop(index))] = explain(exc).what
            profiles.pop(index)
    batch["failed"] = failed
    job = (answer or {}).get("data") if isinstance(answer, dict) else None
    if action in (SUPPRESS, UNSUPPRESS) and isinstance(job, dict):
        batch["job_id"] = job.get("id")
        status = _poll(client, action, job, stop, timeout)
        if status not in JOB_DONE:
            batch["state"], batch["message"] = SENT, f"job {job.get('id')} accepted, still {status or 'queued'}"
            return
        batch["message"] = f"job {job.get('id')} {status}"
    batch["state"] = SENT
    batch["message"] = batch.get("message") or "accepted by Klaviyo"


REPORT_COLUMNS = ("line", "who", "channel", "action", "before", "planned", "status", "message")


def report_rows(plan: ConsentPlan, result: ConsentResult | None) -> list[dict[str, object]]:
    """Every row and channel of the file: what it was, what the plan did and what became of it."""
    out: list[dict[str, object]] = []
    for c in plan.changes:
        status, message = _outcome(c, result)
        values = (c.line, c.who, c.channel, plan.options.action, c.before, c.status, status, message)
        out.append(dict(zip(REPORT_COLUMNS, values, strict=True)))
    return out


def _outcome(c: Change, result: ConsentResult | None) -> tuple[str, str]:
    key = (c.line, c.channel)
    if result is not None and key in result.status:  # sent now or by the run this one resumed
        return result.status[key], "; ".join(x for x in (result.message.get(key, ""), c.note) if x)
    if c.status == CHANGE:
        return ("planned" if result is None else "not sent"), c.note
    return c.status, c.note


def incomplete(plan: ConsentPlan, result: ConsentResult | None) -> bool:
    """Some row did not end in its target state: held apart, invalid, failed or not sent (CLI exit 1)."""
    return any(r["status"] not in (SENT, UNCHANGED, "planned") for r in report_rows(plan, result))


def write_report(path: Path, plan: ConsentPlan, result: ConsentResult | None) -> Path:
    """The per-row report, 0600, through the one CSV writer (formulas neutralised)."""
    return write_csv(path, [REPORT_COLUMNS, *(r.values() for r in report_rows(plan, result))])


def report_csv_rows(plan: ConsentPlan, result: ConsentResult | None) -> list[list[object]]:
    """The report as rows, header first (a page builds its download from them with the same writer)."""
    return [list(REPORT_COLUMNS), *(list(r.values()) for r in report_rows(plan, result))]
