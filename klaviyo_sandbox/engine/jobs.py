"""Asynchronous bulk jobs (profile imports, event and subscription bulk jobs) on one worker thread.

A handler stores its job as `queued` and calls `submit(kind, job_id)`; the worker calls the processor
registered for that kind. Processors own their job's states (queued -> processing -> complete) and use
`step_pause()` between them so clients can watch the progression. On start, every kind's `pending`
finder is asked for unfinished jobs, so jobs survive a restart of the sandbox.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from klaviyo_sandbox.engine.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    process: Callable[[Store, str, JobRunner], None]
    pending: Callable[[Store], list[str]]


JOB_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, pending: Callable[[Store], list[str]]) -> Callable:  # type: ignore[type-arg]
    def register(fn: Callable[[Store, str, JobRunner], None]) -> Callable[[Store, str, JobRunner], None]:
        JOB_KINDS[name] = JobKind(fn, pending)
        return fn

    return register


class JobRunner:
    def __init__(self, store: Store, step_seconds: float) -> None:
        self.store = store
        self.step_seconds = step_seconds
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sandbox-jobs", daemon=True)
        self._thread.start()
        for name, kind in JOB_KINDS.items():
            for job_id in kind.pending(self.store):
                self.submit(name, job_id)

    def submit(self, kind: str, job_id: str) -> None:
        self._idle.clear()
        self._queue.put((kind, job_id))

    def step_pause(self) -> bool:
        """Wait one step; False when the runner is stopping (the job stays resumable)."""
        return not self._stop.wait(self.step_seconds)

    def wait_idle(self, timeout: float) -> bool:
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            item = self._queue.get()
            if item is None:
                break
            kind, job_id = item
            try:
                JOB_KINDS[kind].process(self.store, job_id, self)
            except Exception:  # a broken job must not kill the worker
                log.exception("sandbox job %s %s failed", kind, job_id)
            if self._queue.empty():
                self._idle.set()
