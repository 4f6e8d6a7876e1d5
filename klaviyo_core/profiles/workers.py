"""Worker processes for pass one: validate CSV chunks on more than one core, results in file order.

Why processes: validation is CPU-bound Python (phone numbers above all) and holds the GIL. Why plain
subprocesses and not `multiprocessing`: its spawn and forkserver modes re-run the caller's main script in
each child (an unguarded script, or a Streamlit page, would run again), and fork copies a process that has
threads. A worker here is `python -m klaviyo_core.prep_workers`: it imports only the library.

Protocol (trusted, between our own processes): the parent pickles one job `(fn, args)` to the worker's stdin,
the worker pickles back the result or the exception it raised. Each worker has at most one job in flight, and
the parent reads a worker's result before it sends that worker the next job, so neither side can block on a
full pipe. Chunks go round-robin, so reading results worker by worker yields them in chunk order.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

_ROOT = str(Path(__file__).resolve().parents[2])


class WorkerFailed(RuntimeError):
    """A worker process died or answered with something that is not a result."""


class _Worker:
    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)}
        cmd = [sys.executable, "-m", "klaviyo_core.profiles.workers"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.busy = False

    def send(self, job: tuple[Callable[..., Any], tuple[Any, ...]]) -> None:
        assert self.proc.stdin is not None
        pickle.dump(job, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.flush()
        self.busy = True

    def receive(self) -> Any:
        assert self.proc.stdout is not None
        self.busy = False
        try:
            kind, value = pickle.load(self.proc.stdout)
        except (EOFError, pickle.UnpicklingError) as exc:
            raise WorkerFailed(f"A validation worker stopped unexpectedly (exit code {self.proc.poll()}).") from exc
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


def map_in_order(fn: Callable[..., Any], jobs: Iterable[tuple[Any, ...]], workers: int) -> Iterator[Any]:
    """`fn(*args)` for each args in `jobs`, computed by `workers` processes, yielded in input order.

    `fn` must be importable by name (a module-level function); at most `workers` jobs are in flight. With
    `workers` <= 1 it runs in this process, one job at a time, so callers need no second code path.
    """
    if workers <= 1:
        for args in jobs:
            yield fn(*args)
        return
    pool = [_Worker() for _ in range(workers)]
    sent = 0
    try:
        for args in jobs:
            worker = pool[sent % workers]
            if worker.busy:  # its previous job is the oldest one still out: results stay in order
                yield worker.receive()
            worker.send((fn, args))
            sent += 1
        for k in range(sent, sent + workers):
            worker = pool[k % workers]
            if worker.busy:
                yield worker.receive()
    finally:
        for worker in pool:
            if worker.busy:
                worker.proc.kill()
            worker.close()


def _serve() -> None:
    """Worker loop: stdout carries only pickles (fd 1 is pointed at stderr so a stray print cannot break it)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    source = sys.stdin.buffer
    while True:
        try:
            fn, args = pickle.load(source)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
            reply = ("error", exc)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or error reaches the parent as WorkerFailed
            data = pickle.dumps(("error", WorkerFailed(f"{type(exc).__name__}: {exc}")))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    _serve()
