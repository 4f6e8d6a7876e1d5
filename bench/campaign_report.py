"""A campaign values report over a year of message events (default 1,000,000) in the sandbox; prints figures.

    python bench/campaign_report.py                    # 1,000,000 events, 100 sent campaigns
    python bench/campaign_report.py --events 200000 --campaigns 40

Issue 17's goal: a campaign report answers in <= 500 ms in the sandbox. The bench makes its own sent email
campaigns (one message each), then stores a year of message events naming those messages in `$message`
(received, opened, clicked, bounced: the mix of the demo data) and Placed Order conversions naming them in
`$attributed_message`, and times `POST /api/campaign-values-reports` over HTTP with every statistic the
campaigns page asks for, for several timeframes. The demo data itself stays 90 days. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.engine import ids
from klaviyo_sandbox.events.store import NewEvent, bulk_insert_events, get_or_create_metric
from klaviyo_sandbox.taggables.store import insert_campaign

KEY = "pk_test_bench_000000000000000000017"
STATISTICS = ["recipients", "delivered", "open_rate", "click_rate", "conversions", "conversion_value"]
STATISTICS += ["revenue_per_recipient"]
MIX = (("Received Email", 0.55), ("Opened Email", 0.3), ("Clicked Email", 0.1), ("Bounced Email", 0.05))


def message_ids(server: SandboxServer, campaigns: int) -> list[str]:
    store = server.app.store
    made = [insert_campaign(store, f"Bench campaign {n:03d}", "email", "Sent") for n in range(campaigns)]
    with store.read() as conn:
        rows = conn.execute(
            f"SELECT id FROM campaign_messages WHERE campaign_id IN ({','.join('?' * len(made))})", made
        ).fetchall()
    return [str(r[0]) for r in rows]


def fill(server: SandboxServer, total: int, messages: list[str]) -> str:
    """`total` events over the last 365 days; returns the Placed Order metric id."""
    rng = random.Random(17)
    now = int(time.time())
    with server.app.store.write() as conn:
        metric = {name: get_or_create_metric(conn, name) for name, _ in MIX}
        orders = get_or_create_metric(conn, "Placed Order")
        profiles = [ids.ulid() for _ in range(50_000)]
        names = [name for name, _ in MIX]
        weights = [w for _, w in MIX]

        def events() -> Iterator[NewEvent]:
            for i in range(total):
                ts = now - rng.randrange(365 * 86400)
                message = rng.choice(messages)
                if i % 40 == 0:  # about 2.5 % of the events are attributed orders
                    props: dict[str, Any] = {"$attributed_message": message, "$attributed_channel": "email"}
                    yield NewEvent(orders, rng.choice(profiles), ts, props, rng.choice((24.0, 96.0)), "USD", f"o{i}")
                    continue
                name = rng.choices(names, weights)[0]
                yield NewEvent(metric[name], rng.choice(profiles), ts, {"$message": message}, unique_id=f"e{i}")

        bulk_insert_events(conn, events())
    return orders


def timed(url: str, attributes: dict[str, Any], runs: int) -> tuple[float, float, int]:
    body: dict[str, Any] = {"data": {"type": "campaign-values-report", "attributes": attributes}}
    headers = {
        "Authorization": f"Klaviyo-API-Key {KEY}",
        "revision": "2026-07-15",
        "Content-Type": "application/vnd.api+json",
    }
    times, results = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        resp = requests.post(f"{url}/api/campaign-values-reports", json=body, headers=headers, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
        resp.raise_for_status()
        results = len(resp.json()["data"]["attributes"]["results"])
    return statistics.median(times), max(times), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = SandboxConfig(keys=(KeySpec(KEY),), rate_limits=False, db_path=Path(tmp) / "bench.sqlite3")
        server = SandboxServer(config).start()
        try:
            started = time.perf_counter()
            messages = message_ids(server, args.campaigns)
            orders = fill(server, args.events, messages)
            print(
                f"stored {args.events:,} events for {len(messages)} campaign messages in "
                f"{time.perf_counter() - started:.1f} s"
            )
            base = {"statistics": STATISTICS, "conversion_metric_id": orders}
            timeframes = ["last_365_days", "last_90_days", "last_30_days", "last_7_days"]
            timed(server.url, {**base, "timeframe": {"key": "last_7_days"}}, 1)  # warm up
            print(f"load average before timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
            for key in timeframes:
                median, worst, rows = timed(server.url, {**base, "timeframe": {"key": key}}, args.runs)
                goal = "  (goal <= 500 ms)" if key == "last_365_days" else ""
                print(f"{key:15s} {rows:4d} rows   median {median:8.1f} ms   max {worst:8.1f} ms{goal}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
