"""Historical events at scale: N orders (default 100,000) planned and loaded through `events import`'s core,
against a sandbox in its own process with Klaviyo's real limits on, then the same file again.

Prints the plan time (read, type, validate every row), the load time, jobs sent, 429s, and the achieved job rate
as a share of the bulk-create ceiling from the spec (`x-klaviyo-ratelimit` of bulk_create_events: 10/s burst,
150/m steady; the ideal time is what a sender exactly at those fixed windows needs after its first job). Then the
re-run: jobs sent and events added (goal: 0 added, thanks to the order ids as unique ids).

    python bench/events_import.py [--events 100000]
"""

from __future__ import annotations

import argparse
import math
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _sandbox_process import cpu_seconds, start

from klaviyo_core.events import ImportColumns, import_events, plan_import
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_spec import match_operation

KEY = "pk_test_bench_events_import_000000001"


def orders_csv(n: int) -> str:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    lines = ["order_id,email,time,value,value_currency,Item,Quantity,Gift"]
    for i in range(n):
        when = (start + timedelta(minutes=7 * i)).isoformat()
        lines.append(f"o-{i},shopper{i % 20_000}@example.com,{when},{(i % 180) + 9.5},EUR,Item {i % 40},{i % 4 + 1},no")
    return "\n".join(lines) + "\n"


def ideal_seconds(jobs: int, burst: int, steady: int) -> float:
    """Time from the first to the last job for a sender exactly at the fixed windows (1 s burst, 60 s steady)."""
    if jobs <= 1:
        return 0.0
    return max(math.ceil(jobs / burst) - 1, (math.ceil(jobs / steady) - 1) * 60.0)


def stored(db: Path, deadline_s: float = 600.0) -> int:
    """Events stored once every bulk job has been processed (polled with a deadline)."""
    end = time.monotonic() + deadline_s
    with sqlite3.connect(db) as conn:
        while time.monotonic() < end:
            pending = conn.execute("SELECT COUNT(*) FROM event_bulk_jobs WHERE status != 'complete'").fetchone()[0]
            if not pending:
                break
            time.sleep(0.2)
        return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def run(client: KlaviyoClient, text: str) -> tuple[float, float, int, bool]:
    started = time.perf_counter()
    plan = plan_import(text, ImportColumns(metric="Placed Order", unique_id_column="order_id"))
    planned = time.perf_counter()
    assert not plan.errors, plan.errors[:3]
    result = import_events(client, plan)
    loaded = time.perf_counter()
    return planned - started, loaded - planned, result.batches, result.ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    found = match_operation("POST", "/api/event-bulk-create-jobs")
    assert found is not None
    burst, steady = found[0].burst_per_second or 10, found[0].steady_per_minute or 150
    text = orders_csv(args.events)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        proc, url = start(db, KEY, rate_limits=True)
        try:
            client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=url))
            cpu0, own0 = cpu_seconds(proc.pid) or 0.0, time.process_time()
            plan_s, load_s, jobs, ok = run(client, text)
            first = stored(db)
            cpu = (cpu_seconds(proc.pid) or 0.0) - cpu0
            print(
                f"CPU: sandbox {cpu:.1f}s ({cpu / max(jobs, 1) * 1000:.0f} ms a job, receipt and processing), "
                f"this process {time.process_time() - own0:.1f}s (plan + bodies + HTTP); machine load "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            ideal = ideal_seconds(jobs, burst, steady)
            print(
                f"first run: {args.events:,} rows planned in {plan_s:.2f}s; {jobs} jobs loaded in {load_s:.2f}s "
                f"(ok={ok}); {first:,} events stored; ideal {ideal:.1f}s at {burst}/s, {steady}/m "
                f"-> {ideal / load_s:.0%} of the ceiling"
            )
            plan_s, load_s, jobs, ok = run(client, text)
            print(
                f"re-run: planned in {plan_s:.2f}s, {jobs} jobs in {load_s:.2f}s (ok={ok}); "
                f"events added: {stored(db) - first:,}"
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
