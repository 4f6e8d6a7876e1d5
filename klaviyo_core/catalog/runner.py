"""Sending a plan's jobs: submit up to 500 in flight, poll with backoff, join each job's `errors[]` back to
the resources it held, record every step in the checkpoint.

Pacing is the client's (its limiter follows `x-klaviyo-ratelimit`, 75/s and 750/m for the job POSTs); this
module never sleeps to pace. While submitting it polls only now and then (one GET per POLL_EVERY POSTs), and
only the oldest jobs, which finish first, so polls cost little of the job-read budget; it waits for jobs only
when 500 are in flight or a phase's jobs must complete before the next phase starts.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from klaviyo_core.catalog.checkpoint import (
    COMPLETE,
    PLANNED,
    SUBMITTED,
    SUBMITTING,
    CatalogCheckpoint,
    CatalogWorkspace,
    JobState,
)
from klaviyo_core.catalog.jobs import MAX_IN_FLIGHT, Batch
from klaviyo_core.http.errors import ApiError, AuthenticationError, PermissionDenied, ServerError, TransportError
from klaviyo_core.http.explain import explain

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient

DONE, FAILED = "done", "failed"
POLL_EVERY = 10
POLL_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0)  # seconds between polls of a job still running, then 1 s
MAX_SUBMIT_ATTEMPTS = 3
_INDEX = re.compile(r"^/data/attributes/[a-z]+/data/(\d+)")
OnJob = Callable[[int, int], object]  # jobs complete, jobs in all


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


class JobSender:
    def __init__(
        self,
        client: KlaviyoClient,
        batches: list[Batch],
        checkpoint: CatalogCheckpoint,
        workspace: CatalogWorkspace,
        on_job: OnJob | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.client = client
        self.batches = batches
        self.cp = checkpoint
        self.ws = workspace
        self.on_job = on_job
        self.stop = stop or threading.Event()

    def run(self) -> None:
        for phase in sorted({b.phase for b in self.batches}):
            jobs = [j for j in self.cp.jobs if self.batches[j.index].phase == phase]
            in_flight = [j for j in jobs if j.state == SUBMITTED]
            for n, job in enumerate(j for j in jobs if j.state not in (SUBMITTED, COMPLETE)):
                while len(in_flight) >= MAX_IN_FLIGHT:
                    self._poll(in_flight, wait=True)
                self._check_stop()
                self._submit(job)
                if job.state == SUBMITTED:
                    in_flight.append(job)
                if n % POLL_EVERY == POLL_EVERY - 1:
                    self._poll(in_flight, wait=False)
            while in_flight:
                self._poll(in_flight, wait=True)

    def _check_stop(self) -> None:
        """A stop (a killed page run, a test) leaves every job's state in the journal: a resume goes on."""
        if self.stop.is_set():
            raise InterruptedError("Stopped; apply the same plan again to resume the jobs in flight.")

    def settle(self) -> None:
        """Wait for every job an interrupted run sent (adopting one whose 202 was lost); send nothing."""
        for job in self.cp.jobs:
            if job.state == SUBMITTING and not self._adopt_orphan(job):
                job.state = PLANNED  # it never reached Klaviyo: its resources are planned afresh
                self.ws.record(job)
        in_flight = [j for j in self.cp.jobs if j.state == SUBMITTED]
        while in_flight:
            self._poll(in_flight, wait=True)

    # -- submit ------------------------------------------------------------------------------------------
    def _submit(self, job: JobState) -> None:
        """POST one job, or adopt the job an earlier attempt created; the journal records every step."""
        batch = self.batches[job.index]
        if job.state == SUBMITTING and self._adopt_orphan(job):
            return
        last: Exception | None = None
        for _ in range(MAX_SUBMIT_ATTEMPTS):
            job.state, job.intent_at = SUBMITTING, time.time()
            self.ws.record(job)
            try:
                doc = self.client.post(batch.path, batch.body())
            except (TransportError, ServerError) as exc:  # the job may exist although its 202 was lost
                last = exc
                if self._adopt_orphan(job):
                    return
                continue
            except ApiError as exc:
                if isinstance(exc, (AuthenticationError, PermissionDenied)) or exc.status in (404, 429):
                    raise
                self._refused(job, exc)
                return
            job.job_id, job.state = doc["data"]["id"], SUBMITTED
            self.ws.record(job)
            return
        assert last is not None
        raise last

    def _refused(self, job: JobState, exc: ApiError) -> None:
        """Klaviyo refused the whole job (400): each of its resources fails with the reason; the rest go on."""
        message = f"Klaviyo refused the whole job: {explain(exc).what}"
        self._complete(job, {e.key: (FAILED, message) for e in self.batches[job.index].entries})

    def _adopt_orphan(self, job: JobState) -> bool:
        """A job created for this batch whose 202 never arrived (or whose run was killed right after it)."""
        batch = self.batches[job.index]
        claimed = {j.job_id for j in self.cp.jobs if j.job_id}
        since = (job.intent_at or 0) - 5
        for found in self.client.iter_resources(batch.path):
            attrs = found["attributes"]
            fits = attrs["total_count"] == len(batch.entries) and _epoch(attrs["created_at"]) >= since
            if found["id"] not in claimed and fits:
                job.job_id, job.state = found["id"], SUBMITTED
                self.ws.record(job)
                return True
        return False

    # -- poll --------------------------------------------------------------------------------------------
    def _poll(self, in_flight: list[JobState], *, wait: bool) -> None:
        """Poll the oldest job until it is complete (or once, without `wait`), then the next ones that are."""
        waits = iter(POLL_WAITS)
        while in_flight:
            self._check_stop()
            job = in_flight[0]
            attrs = self.client.get(f"{self.batches[job.index].path}/{job.job_id}")["data"]["attributes"]
            if attrs["status"] in ("complete", "cancelled"):
                in_flight.pop(0)
                self._finished(job, attrs)
                waits = iter(POLL_WAITS)
                continue
            if not wait:
                return
            self.stop.wait(next(waits, POLL_WAITS[-1]))

    def _finished(self, job: JobState, attrs: dict[str, Any]) -> None:
        entries = self.batches[job.index].entries
        if attrs["status"] == "cancelled":
            self._complete(job, {e.key: (FAILED, "Klaviyo cancelled the job; apply again") for e in entries})
            return
        outcomes = {e.key: (DONE, f"{self.batches[job.index].action}d") for e in entries}
        for error in attrs.get("errors") or []:
            found = _INDEX.match(str((error.get("source") or {}).get("pointer") or ""))
            if found and int(found.group(1)) < len(entries):
                reason = " ".join(str(error.get(k) or "") for k in ("title", "detail")).strip()
                outcomes[entries[int(found.group(1))].key] = (FAILED, f"Klaviyo: {reason}")
        self._complete(job, outcomes)

    def _complete(self, job: JobState, outcomes: dict[str, tuple[str, str]]) -> None:
        job.state = COMPLETE
        self.cp.outcomes.update(outcomes)
        self.ws.record(job, outcomes)
        if self.on_job is not None:
            self.on_job(sum(1 for j in self.cp.jobs if j.state == COMPLETE), len(self.cp.jobs))
