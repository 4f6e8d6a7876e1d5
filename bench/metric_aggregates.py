"""Metric aggregates over 1,000,000 stored events: a year by day (goal <= 500 ms), plus other shapes.

Prints figures; asserts nothing about time. Run: `python bench/metric_aggregates.py [--events N]`.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import bench_args, print_load, temp_sandbox, timed_post

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine import ids
from klaviyo_sandbox.events.demo import ensure_metrics
from klaviyo_sandbox.events.store import NewEvent, bulk_insert_events

KEY = "pk_test_bench_000000000000000000001"
YEAR_START = 1767225600  # 2026-01-01T00:00:00Z


def fill(server: SandboxServer, total: int) -> str:
    rng = random.Random(3)
    flows = ["", "XAbCrt", "XBrwAb", "XWnBck"]
    with server.app.store.write() as conn:
        metric_id = ensure_metrics(conn)["Placed Order"]
        profiles = [ids.ulid() for _ in range(50_000)]  # real 26-character profile ids
        stamps = sorted(YEAR_START + rng.randrange(365 * 86400) for _ in range(total))  # arrival order
        events = (
            NewEvent(
                metric_id,
                rng.choice(profiles),
                stamps[i],
                {"$flow": flow} if (flow := rng.choice(flows)) else {},
                round(rng.uniform(5, 300), 2),
                "USD",
                str(i),
            )
            for i in range(total)
        )
        bulk_insert_events(conn, events)
    return metric_id


def timed(url: str, attributes: dict[str, Any], runs: int) -> tuple[float, float]:
    body = {"data": {"type": "metric-aggregate", "attributes": attributes}}
    median, worst, _ = timed_post(f"{url}/api/metric-aggregates", KEY, body, runs)
    return median, worst


def main() -> None:
    args = bench_args(__doc__.splitlines()[0])
    with temp_sandbox(KEY) as server:
        started = time.perf_counter()
        metric_id = fill(server, args.events)
        print(f"stored {args.events:,} events in {time.perf_counter() - started:.1f} s")
        year = ["greater-or-equal(datetime,2026-01-01T00:00:00)", "less-than(datetime,2027-01-01T00:00:00)"]
        shapes = {
            "year by day, count (goal <= 500 ms)": {"measurements": ["count"]},
            "year by day, count+sum_value": {"measurements": ["count", "sum_value"]},
            "year by day, all three measurements": {"measurements": ["count", "sum_value", "unique"]},
            "year by day, New York time, count": {"measurements": ["count"], "timezone": "America/New_York"},
            "year by week, count+sum_value": {"measurements": ["count", "sum_value"], "interval": "week"},
            "year by month, count": {"measurements": ["count"], "interval": "month"},
            "year by hour, count": {"measurements": ["count"], "interval": "hour"},
            "year by day, by $flow, count": {"measurements": ["count"], "by": ["$flow"]},
        }
        timed(server.url, {"metric_id": metric_id, "filter": year, "measurements": ["count"]}, 1)  # warm up
        print_load()
        for label, extra in shapes.items():
            median, worst = timed(server.url, {"metric_id": metric_id, "filter": year, **extra}, args.runs)
            print(f"{label:45s} median {median:7.1f} ms   max {worst:7.1f} ms   (HTTP round trip, {args.runs} runs)")


if __name__ == "__main__":
    main()
