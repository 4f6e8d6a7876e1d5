"""Profile "labels" from an `email,label` file, as what they really are in Klaviyo: a list-valued custom
profile property. Klaviyo has no profile tags (tags label campaigns, flows, lists and segments only).

The user picks the property name and a mode:
- replace: each profile's property becomes exactly the labels in the file (re-running changes nothing);
- merge: the labels are appended with `meta.patch_properties.append`, keeping what the profile already has.
Both are written through the profile bulk import (POST /api/profile-bulk-import-jobs, at most 10,000
profiles per job), which creates profiles that do not exist yet and never changes consent.

Why a merge reads first: Klaviyo appends as told, duplicates included, and the API has no "add if absent".
So a merge first reads the property of the file's profiles (100 per GET, by `any(email, [...])`) and appends
only the labels each one lacks; a profile that has them all is left out, and running the same file again
sends nothing. A read is only as fresh as the finished jobs behind it, so the merge first waits (a bounded
while) for the account's running profile imports, among them an earlier run of this very file, and refuses
with `ImportsStillRunning` when they outlast the wait. What it cannot close is a write by someone else
between its read and its append.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from klaviyo_core.accounts.confirm import LiveConfirmation, require_live_confirmation
from klaviyo_core.accounts.target import Target, target_or_own
from klaviyo_core.csvfile.write import csv_text
from klaviyo_core.history import LABEL_IMPORT, counts_of, recording
from klaviyo_core.tags.files import Shape, TagFile

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

MERGE, REPLACE = "merge", "replace"
MAX_PROFILES_PER_JOB = 10_000
LOOKUP_BATCH = 100  # emails per GET /api/profiles (its largest page)
JOBS = "/api/profile-bulk-import-jobs"
RUNNING = ("queued", "processing")
ProgressFn = Callable[[int, int, str], None]
_PROPERTY = re.compile(r"^[^$\s][^\n]{0,99}$")


class LabelError(ValueError):
    """The labels cannot be written as asked (bad property name or mode, wrong file shape)."""


class ImportsStillRunning(LabelError):
    """Profile imports were still running when a merge wanted to read labels; nothing was sent."""

    def __init__(self, job_ids: list[str]) -> None:
        super().__init__(
            f"{len(job_ids)} profile import job(s) are still running on this account (an earlier run of this "
            "file may be one of them). Nothing was sent: a merge now could add labels those jobs are about to "
            "add. Run it again once they have finished."
        )
        self.job_ids = job_ids


@dataclass
class LabelPlan:
    property_name: str
    mode: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # email (lower-cased) -> labels, file order
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    duplicates: int = 0

    @property
    def profile_count(self) -> int:
        return len(self.labels)


def check_property_name(name: str) -> str:
    name = name.strip()
    if not _PROPERTY.match(name):
        raise LabelError(
            "The property name must be 1-100 characters and cannot start with '$' (Klaviyo's own properties)."
        )
    return name


def plan_labels(tag_file: TagFile, property_name: str, mode: str = MERGE) -> LabelPlan:
    if tag_file.shape is not Shape.PROFILE_LABELS:
        raise LabelError("This is not an email,label file.")
    if mode not in (MERGE, REPLACE):
        raise LabelError(f"mode must be '{MERGE}' or '{REPLACE}', not '{mode}'.")
    plan = LabelPlan(check_property_name(property_name), mode)
    for row in tag_file.rows:
        if row.problem:
            plan.skipped.append((row.line, row.problem))
            continue
        labels = plan.labels.setdefault(row.get("email").lower(), [])
        if row.get("label") in labels:
            plan.duplicates += 1
        else:
            labels.append(row.get("label"))
    return plan


def _profile(email: str, labels: list[str], plan: LabelPlan) -> dict[str, Any]:
    if plan.mode == REPLACE:
        return {"type": "profile", "attributes": {"email": email, "properties": {plan.property_name: labels}}}
    return {
        "type": "profile",
        "attributes": {"email": email},
        "meta": {"patch_properties": {"append": {plan.property_name: labels}}},
    }


def import_bodies(plan: LabelPlan, chunk: int = MAX_PROFILES_PER_JOB) -> list[dict[str, Any]]:
    """The bulk-import request bodies, at most `chunk` profiles each."""
    items = [_profile(email, labels, plan) for email, labels in plan.labels.items()]
    return [
        {
            "data": {
                "type": "profile-bulk-import-job",
                "attributes": {"profiles": {"data": items[i : i + chunk]}},
            }
        }
        for i in range(0, len(items), chunk)
    ]


@dataclass(frozen=True)
class LabelSubmission:
    """What was sent, and for a merge what was left out because the account already had it."""

    jobs: list[str]
    profiles_sent: int
    profiles_up_to_date: int = 0  # merge: profiles that already had every label in the file
    labels_already_there: int = 0  # merge: labels not appended again
    profiles_unchecked: int = 0  # merge: emails a filter cannot quote (a quote or backslash): appended as is
    sent_plan: LabelPlan | None = field(default=None, repr=False, compare=False)  # what was sent, for the report


def running_imports(client: KlaviyoClient) -> list[str]:
    """The account's profile bulk import jobs still queued or processing."""
    params = {"filter": f"any(status,{json.dumps(list(RUNNING))})", "page[size]": 100}
    return [str(job["id"]) for job in client.iter_resources(JOBS, params)]


def wait_for_imports(
    client: KlaviyoClient,
    wait_seconds: float,
    poll_seconds: float = 2.0,
    on_progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Return once no profile import is running; raise ImportsStillRunning after `wait_seconds`.

    Polls quickly at first (a small job, such as the run just before this one, ends in well under a
    second), then every `poll_seconds`, which keeps well inside the jobs endpoint's 150 a minute."""
    deadline = time.monotonic() + wait_seconds
    stop = stop or threading.Event()
    pause = min(0.25, poll_seconds)
    while running := running_imports(client):
        if time.monotonic() >= deadline or stop.is_set():
            raise ImportsStillRunning(running)
        if on_progress:
            on_progress(0, 1, f"Waiting for {len(running)} running profile import job(s) to finish")
        stop.wait(min(pause, max(deadline - time.monotonic(), 0.0)))
        pause = min(pause * 2, poll_seconds)


def _quotable(email: str) -> bool:
    return '"' not in email and "\\" not in email


def current_values(
    client: KlaviyoClient, emails: Iterable[str], property_name: str, on_progress: ProgressFn | None = None
) -> dict[str, list[Any]]:
    """email (lower-cased) -> the property's values now, for the profiles that exist (a scalar reads as a
    one-item list). Emails the filter syntax cannot quote are not looked up."""
    wanted = [e for e in emails if _quotable(e)]
    found: dict[str, list[Any]] = {}
    batches = range(0, len(wanted), LOOKUP_BATCH)
    for n, start in enumerate(batches, start=1):
        batch = wanted[start : start + LOOKUP_BATCH]
        params = {
            "filter": f"any(email,{json.dumps(batch)})",
            "fields[profile]": "email,properties",
            "page[size]": LOOKUP_BATCH,
        }
        for profile in client.iter_resources("/api/profiles", params):
            attrs = profile.get("attributes") or {}
            value = (attrs.get("properties") or {}).get(property_name)
            if attrs.get("email") and value is not None:
                found[str(attrs["email"]).lower()] = value if isinstance(value, list) else [value]
        if on_progress:
            on_progress(n, len(batches), f"Read the labels of {min(start + LOOKUP_BATCH, len(wanted)):,} profiles")
    return found


def without_present(plan: LabelPlan, current: dict[str, list[Any]]) -> tuple[LabelPlan, int, int]:
    """The plan minus the labels each profile already has: (trimmed plan, profiles left out, labels left out)."""
    trimmed = LabelPlan(plan.property_name, plan.mode, skipped=plan.skipped, duplicates=plan.duplicates)
    up_to_date = present = 0
    for email, labels in plan.labels.items():
        have = current.get(email, [])
        missing = [label for label in labels if label not in have]
        present += len(labels) - len(missing)
        if missing:
            trimmed.labels[email] = missing
        else:
            up_to_date += 1
    return trimmed, up_to_date, present


def send_labels(
    client: KlaviyoClient,
    plan: LabelPlan,
    on_progress: ProgressFn | None = None,
    *,
    wait_seconds: float = 60.0,
    stop: threading.Event | None = None,
    target: Target | None = None,
    confirmation: LiveConfirmation | None = None,
    file_name: str = "",
) -> LabelSubmission:
    """Start one bulk import job per 10,000 profiles (jobs finish asynchronously). A merge sends only the
    labels profiles lack, after any running profile import has finished (see the module docstring). A LIVE
    target needs a fresh `confirmation` (LiveWriteNotConfirmed before any request otherwise). The run and a
    per-profile report go to the write history under `file_name`."""
    current = target_or_own(client, target)
    require_live_confirmation(current, confirmation)
    with recording(current, LABEL_IMPORT, file_name) as run:
        sent = _send_labels(client, plan, on_progress, wait_seconds, stop)
        skipped = sent.profiles_up_to_date + len(plan.skipped)
        counts = counts_of(sent.profiles_sent, sent.profiles_sent, 0, skipped)
        run.finish(counts, report_text=labels_report_csv(sent.sent_plan or plan, sent))
    return sent


def labels_report_csv(plan: LabelPlan, sent: LabelSubmission) -> str:
    """Per profile what was sent (jobs finish asynchronously: "submitted" names the jobs), then the file's
    skipped lines; through the one CSV writer."""
    jobs = ", ".join(sent.jobs)
    rows: list[list[object]] = [["line", "email", "labels", "status"]]
    rows += [["", email, "; ".join(labels), f"submitted in job {jobs}"] for email, labels in plan.labels.items()]
    rows += [[line, "", "", f"skipped: {why}"] for line, why in plan.skipped]
    return csv_text(rows)


def _send_labels(
    client: KlaviyoClient,
    plan: LabelPlan,
    on_progress: ProgressFn | None,
    wait_seconds: float,
    stop: threading.Event | None,
) -> LabelSubmission:
    up_to_date = present = unchecked = 0
    if plan.mode == MERGE and plan.labels:
        wait_for_imports(client, wait_seconds, on_progress=on_progress, stop=stop)
        current = current_values(client, plan.labels, plan.property_name, on_progress)
        unchecked = sum(1 for email in plan.labels if not _quotable(email))
        plan, up_to_date, present = without_present(plan, current)
    bodies = import_bodies(plan)
    jobs: list[str] = []
    for n, body in enumerate(bodies, start=1):
        doc = client.post(JOBS, body)
        jobs.append((doc or {})["data"]["id"])
        if on_progress:
            on_progress(n, len(bodies), f"Started import job {n} of {len(bodies)}")
    return LabelSubmission(jobs, plan.profile_count, up_to_date, present, unchecked, plan)


def submit_labels(client: KlaviyoClient, plan: LabelPlan, on_progress: ProgressFn | None = None) -> list[str]:
    """The job ids of `send_labels` (an empty list when a merge finds nothing to add)."""
    return send_labels(client, plan, on_progress).jobs
