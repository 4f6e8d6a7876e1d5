"""The reading thread talks to the sending one in typed messages (Rows, Job, Done, Failed), not tagged tuples."""

from __future__ import annotations

import queue
from typing import Any

from klaviyo_core.profiles.checkpoint import ChunkState
from klaviyo_core.profiles.streaming import Done, Failed, Job, Rows, _Handoff, _start_reader


def _drain(handoff: _Handoff) -> list[object]:
    """Every message up to the last one (Done or Failed); the reader ends there."""
    out: list[object] = []
    while not out or not isinstance(out[-1], (Done, Failed)):
        out.append(handoff.queue.get(timeout=30))
    return out


def test_the_reader_hands_over_typed_messages_in_order() -> None:
    chunk = ChunkState(0, 0, 1, 10, 2, 2)
    prepared: Any = object()  # stands for the finished plan: the reader only hands it over

    def produce(on_scan, on_job, on_rows):
        on_scan(5)
        on_job(chunk, ['{"email": "a@example.com"}'])
        on_rows(7, 2)  # rows checked so far, and how many the checks refused
        return prepared

    handoff = _Handoff()
    reader = _start_reader(produce, handoff)
    messages = _drain(handoff)
    reader.join(timeout=30)
    assert messages == [
        Rows(5, scanning=True),
        Job(chunk, ['{"email": "a@example.com"}']),
        Rows(7, scanning=False, refused=2),
        Done(prepared),
    ]


def test_a_failing_reader_hands_over_its_exception_and_an_abort_ends_it_quietly() -> None:
    boom = KeyError("data")

    def produce(on_scan, on_job, on_rows):
        raise boom

    handoff = _Handoff()
    _start_reader(produce, handoff).join(timeout=30)
    assert _drain(handoff) == [Failed(boom)]

    def read_one_row(on_scan, on_job, on_rows):
        on_scan(1)

    stopped = _Handoff()
    stopped.abort.set()
    reader = _start_reader(read_one_row, stopped)
    reader.join(timeout=30)
    assert not reader.is_alive()
    try:
        stopped.queue.get_nowait()
        raise AssertionError("an aborted reader must not hand anything over")
    except queue.Empty:
        pass
