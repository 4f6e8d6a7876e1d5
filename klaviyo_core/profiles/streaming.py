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
from dataclasses import dataclass

from klaviyo_core.profiles.checkpoint import Checkpoint, ChunkState, ChunkStatus, Stage
from klaviyo_core.profiles.jobs import JobFn, job_bytes
from klaviyo_core.profiles.prepare import OnChecked, OnRows, Prepared
from klaviyo_core.profiles.sender import ImportStopped, Sender

QUEUE_JOBS = 3  # jobs cut but not yet sent (each up to ~4 MB of profiles)
Producer = Callable[[OnRows, JobFn, OnChecked], Prepared]  # (on_scan, on_job, on_rows) -> Prepared


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
    if old is None or old.state == ChunkStatus.PLANNED:
        return new
    if (old.offset, old.rows, old.size, old.first_line) != (new.offset, new.rows, new.size, new.first_line):
        raise _plan_changed()
    return old


def _drop_stale(chunks: list[ChunkState], planned: int) -> None:
    """Jobs of the first run beyond the new plan: harmless if never sent, else the plan has changed."""
    if any(c.state != ChunkStatus.PLANNED for c in chunks[planned:]):
        raise _plan_changed()
    del chunks[planned:]


@dataclass(frozen=True)
class Rows:
    """Rows read so far (`scanning`: the first look for repeated people, else validation, with the rows the
    checks refused so far)."""

    n: int
    scanning: bool
    refused: int = 0


@dataclass(frozen=True)
class Job:
    """A job just cut: its plan and its profiles."""

    chunk: ChunkState
    profiles: list[str]


@dataclass(frozen=True)
class Done:
    prepared: Prepared


@dataclass(frozen=True)
class Failed:
    """Whatever stopped the reader; the sending thread raises it."""

    exc: BaseException


Message = Rows | Job | Done | Failed


class _Handoff:
    """The bounded queue between the reading thread and the sending one, and the flag that stops the reader."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Message] = queue.Queue(maxsize=QUEUE_JOBS)
        self.abort = threading.Event()

    def put(self, message: Message) -> None:
        while True:
            if self.abort.is_set():
                raise _Abort
            try:
                self.queue.put(message, timeout=0.2)
                return
            except queue.Full:
                continue


def _start_reader(produce: Producer, handoff: _Handoff) -> threading.Thread:
    def work() -> None:
        try:
            prepared = produce(
                lambda n: handoff.put(Rows(n, scanning=True)),
                lambda chunk, profiles: handoff.put(Job(chunk, profiles)),
                lambda n, refused: handoff.put(Rows(n, scanning=False, refused=refused)),
            )
            handoff.put(Done(prepared))
        except _Abort:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the sending thread, which raises it
            try:
                handoff.put(Failed(exc))
            except _Abort:
                return

    reader = threading.Thread(target=work, name="import-prepare", daemon=True)
    reader.start()
    return reader


def _record_job(cp: Checkpoint, new: ChunkState, earlier: dict[int, ChunkState]) -> ChunkState:
    """Put a freshly cut job into the checkpoint, keeping what a first run already knew about it."""
    chunk = _merge(new, earlier.get(new.index))
    if chunk.index < len(cp.chunks):
        cp.chunks[chunk.index] = chunk
    else:
        cp.chunks.append(chunk)
    return chunk


def _consume(sender: Sender, handoff: _Handoff, earlier: dict[int, ChunkState]) -> Prepared:
    """Record and submit each job as it arrives; returns the finished plan."""
    cp, ws = sender.cp, sender.ws
    while True:
        try:
            message = handoff.queue.get(timeout=0.5)
        except queue.Empty:
            sender.check_stop()
            continue
        match message:
            case Failed(exc):
                raise exc
            case Done(prepared):
                _drop_stale(cp.chunks, len(prepared.chunks))
                return prepared
            case Rows(n, scanning, refused):
                sender.note_reading(n, scanning=scanning, problems=refused)
                sender.check_stop()  # a stop is honoured while the file is read, not only at the next job
            case Job(new, profiles):
                chunk = _record_job(cp, new, earlier)
                ws.save(cp)
                if chunk.state in (ChunkStatus.PLANNED, ChunkStatus.SUBMITTING):
                    sender.check_stop()
                    sender.submit_one(chunk, job_bytes(profiles, sender.list_id))
                sender.report("sending")


def stream(sender: Sender, produce: Producer) -> Prepared:
    """Run `produce` (pass one) in a thread and submit each job it cuts; returns the finished plan."""
    cp, ws = sender.cp, sender.ws
    earlier = {c.index: c for c in cp.chunks}  # kept in the checkpoint until each is cut again
    cp.stage = Stage.STREAMING
    ws.save(cp)
    handoff = _Handoff()
    reader = _start_reader(produce, handoff)
    try:
        return _consume(sender, handoff, earlier)
    except ImportStopped:
        raise  # stopped on request: resumable, even if nothing went out yet
    except BaseException:
        if not any(c.job_id or c.state != ChunkStatus.PLANNED for c in cp.chunks):
            cp.stage, cp.chunks = Stage.NEW, []  # failed before anything went out: a later run starts afresh
            ws.save(cp)
        raise
    finally:
        handoff.abort.set()
        reader.join(timeout=60)
        sender.note_reading(None)
