"""What the sandbox benches share: a throwaway sandbox on a temp db, timed HTTP POSTs, and the load line.

Kept apart so every bench times the same way (the full HTTP round trip, median and max of N runs) and states the
machine's load beside its figures: on a shared machine a figure without its load says little.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer


@contextmanager
def temp_sandbox(key: str) -> Iterator[SandboxServer]:
    """An in-process sandbox without rate limits on a db in a temp folder, stopped and removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        config = SandboxConfig(keys=(KeySpec(key),), rate_limits=False, db_path=Path(tmp) / "bench.sqlite3")
        server = SandboxServer(config).start()
        try:
            yield server
        finally:
            server.stop()


def timed_post(url: str, key: str, body: dict[str, Any], runs: int) -> tuple[float, float, dict[str, Any]]:
    """(median ms, max ms, the last answer) of `runs` POSTs of `body` to `url`, each a full HTTP round trip."""
    headers = {
        "Authorization": f"Klaviyo-API-Key {key}",
        "revision": "2026-07-15",
        "Content-Type": "application/vnd.api+json",
    }
    times, answer = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        resp = requests.post(url, json=body, headers=headers, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
        resp.raise_for_status()
        answer = resp.json()
    return statistics.median(times), max(times), answer


def print_load() -> None:
    print(f"load average before timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


def bench_args(description: str) -> argparse.Namespace:
    """--events (how many to seed, 1M by default: issue-size) and --runs (timed round trips per shape)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()
