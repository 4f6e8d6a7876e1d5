"""Read, validate and send at the same time: jobs go out while the rest of the file is still being read.

Why: a 1,000,000-row file takes longer to validate than its 100 jobs take to send, and Klaviyo accepts at
most 10 job POSTs a second; one after the other the two add up, side by side only the longer one counts.

Pass one (preparation.prepare) runs in a background thread and hands over each job as soon as it is cut,
through a small bounded queue (so a slow API holds the reader back instead of filling memory). The calling
thread is the only one that touches the checkpoint: it records each job, then submits it. Any error on
either side stops both; the checkpoint then says `streaming` and a resume reads the file again, which cuts
the same jobs in the same order: jobs already sent keep their state and are not sent again.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from klaviyo_core.profiles.checkpoint import ChunkState
from klaviyo_core.profiles.jobs import job_bytes
from klaviyo_core.profiles.prepare import JobFn, Prepared, ProgressFn, RowsFn
from klaviyo_core.profiles.sender import ImportStopped, Sender

QUEUE_JOBS = 3  # jobs cut but not yet sent (each up to ~4 MB of profiles)
Producer = Callable[[ProgressFn, JobFn, RowsFn], Prepared]  # (on_scan, on_job, on_rows) -> Prepared


class PlanChanged(RuntimeError):
    """A resumed import cut different jobs than the first run (the program changed in between)."""


class _Abort(Exception):
    """Raised inside the reading thread when the sending side has stopped."""


def _plan_changed() -> PlanChanged:
    return PlanChanged(
        "This import cannot be resumed safely: the program that started it cut the file into different jobs. "
        "Restart the import (rows already imported are updated again, not duplicated)."
    )


def _merge(new: ChunkState, old: ChunkState | None) -> ChunkState:
    """The state a resumed job keeps from the first run; a job that was never sent starts afresh."""
    if old is None or old.state == "planned":
        return new
    if (old.offset, old.rows, old.size, old.first_line) != (new.offset, new.rows, new.size, new.first_line):
        raise _plan_changed()
    return old


def _drop_stale(chunks: list[ChunkState], planned: int) -> None:
    """Jobs of the first run beyond the new plan: harmless if never sent, else the plan has changed."""
    if any(c.state != "planned" for c in chunks[planned:]):
        raise _plan_changed()
    del chunks[planned:]


def stream(sender: Sender, produce: Producer) -> Prepared:
    """Run `produce` (pass one) in a thread and submit each job it cuts; returns the finished plan."""
    cp, ws = sender.cp, sender.ws
    earlier = {c.index: c for c in cp.chunks}  # kept in the checkpoint until each is cut again
    cp.stage = "streaming"
    ws.save(cp)
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=QUEUE_JOBS)
    abort = threading.Event()

    def put(item: tuple[str, Any]) -> None:
        while True:
            if abort.is_set():
                raise _Abort
            try:
                handoff.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def work() -> None:
        try:
            prepared = produce(
                lambda n: put(("scan", n)),
                lambda chunk, profiles: put(("job", (chunk, profiles))),
                lambda n, refused: put(("rows", (n, refused))),
            )
            put(("done", prepared))
        except _Abort:
            return
        except BaseException as exc:  # handed to the sending thread, which raises it
            try:
                put(("error", exc))
            except _Abort:
                return

    reader = threading.Thread(target=work, name="import-prepare", daemon=True)
    reader.start()
    try:
        while True:
            try:
                kind, value = handoff.get(timeout=0.5)
            except queue.Empty:
                sender.check_stop()
                continue
            if kind == "error":
                raise value
            if kind == "done":
                _drop_stale(cp.chunks, len(value.chunks))
                return value  # type: ignore[no-any-return]
            if kind == "scan":
                sender.note_reading(value, scanning=True)
            if kind == "rows":
                sender.note_reading(value[0], problems=value[1])
            if kind in ("scan", "rows"):
                sender.check_stop()  # a stop is honoured while the file is read, not only at the next job
                continue
            new, profiles = value
            chunk = _merge(new, earlier.get(new.index))
            if chunk.index < len(cp.chunks):
                cp.chunks[chunk.index] = chunk
            else:
                cp.chunks.append(chunk)
            ws.save(cp)
            if chunk.state in ("planned", "submitting"):
                sender.check_stop()
                sender.submit_one(chunk, job_bytes(profiles, sender.list_id))
            sender.report("sending")
    except ImportStopped:
        raise  # stopped on request: resumable, even if nothing went out yet
    except BaseException:
        if not any(c.job_id or c.state != "planned" for c in cp.chunks):
            cp.stage, cp.chunks = "new", []  # failed before anything went out: a later run starts afresh
            ws.save(cp)
        raise
    finally:
        abort.set()
        reader.join(timeout=60)
        sender.note_reading(None)
