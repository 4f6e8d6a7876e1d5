"""Figures for the events routes of the sandbox and the test-event sender (printed, never asserted).

- single sends: `send()` (POST + read-back poll) and bare POSTs per second through the client
- one bulk request of 1,000 events: time until all are readable
- `GET /api/events` latency on a store of 100,000 events (first page, a filtered page, a deep page)
Run: `python bench/events_sandbox.py` (rate limits off: this measures the sandbox, not Klaviyo's limits).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from klaviyo_core.events.bulk import events_for_profiles, sample_profile_emails, send_bulk
from klaviyo_core.events.send import send
from klaviyo_core.events.templates import get_template
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.events.store import NewEvent, get_or_create_metric, insert_events
from klaviyo_sandbox.profiles.store import upsert_profile

KEY = "pk_bench_events_000000000000"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_single(client: KlaviyoClient, n: int = 200) -> None:
    template = get_template("Started Checkout")
    started = time.perf_counter()
    for i in range(n):
        client.post("/api/events", {"data": {"type": "event", "attributes": _attrs(template, i)}}, idempotent=True)
    elapsed = time.perf_counter() - started
    print(f"single POST /api/events: {n / elapsed:.0f} events/s ({_ms(elapsed / n)} each)")
    timings = []
    for i in range(20):
        t0 = time.perf_counter()
        result = send(client, template.build(email=f"rb{i}@example.com"))
        timings.append(time.perf_counter() - t0)
        assert result.stored is not None
    print(f"send() with read-back: median {_ms(statistics.median(timings))}, max {_ms(max(timings))}")


def _attrs(template, i):  # type: ignore[no-untyped-def]
    from klaviyo_core.events.model import event_attributes

    return event_attributes(template.build(email=f"s{i}@example.com"))


def bench_bulk(client: KlaviyoClient, server: SandboxServer) -> None:
    base = get_template("Viewed Product").build(email="x@example.com")
    events = events_for_profiles(base, sample_profile_emails(1000, "bulk+t@example.com"))
    t0 = time.perf_counter()
    result = send_bulk(client, events)
    accepted = time.perf_counter() - t0
    server.app.jobs.wait_idle(60)
    done = time.perf_counter() - t0
    print(f"bulk 1,000 events: accepted in {_ms(accepted)}, stored in {_ms(done)} ({result.batches} request)")


def seed_events(server: SandboxServer, count: int = 100_000) -> str:
    with server.app.store.write() as conn:
        metric_id = get_or_create_metric(conn, "Bench Metric")
        profile_ids = [upsert_profile(conn, {"email": f"p{i}@example.com"})[0] for i in range(1000)]
        start = 1_760_000_000
        insert_events(
            conn,
            (
                NewEvent(metric_id, profile_ids[i % 1000], start + i * 60, {"i": i}, float(i % 50), "USD", f"b{i}")
                for i in range(count)
            ),
        )
    return metric_id


def bench_reads(client: KlaviyoClient, metric_id: str) -> None:
    cases = {
        "first page (200)": {},
        "metric + 1-day window": {
            "filter": f'equals(metric_id,"{metric_id}"),greater-or-equal(datetime,2025-10-10T00:00:00Z),'
            "less-than(datetime,2025-10-11T00:00:00Z)"
        },
        "page[size]=1000, -datetime, include=profile": {
            "page[size]": "1000",
            "sort": "-datetime",
            "include": "profile",
        },
    }
    for label, params in cases.items():
        timings = []
        for _ in range(10):
            t0 = time.perf_counter()
            client.get("/api/events", params=params or None)
            timings.append(time.perf_counter() - t0)
        print(f"GET /api/events {label} on 100k events: median {_ms(statistics.median(timings))}")


def main() -> None:
    server = SandboxServer(SandboxConfig(keys=(KeySpec(KEY),), rate_limits=False, job_step_seconds=0.01)).start()
    client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=server.url, pace=False))
    try:
        bench_single(client)
        bench_bulk(client, server)
        t0 = time.perf_counter()
        metric_id = seed_events(server)
        print(f"seeding 100,000 events through eventstore.insert_events: {time.perf_counter() - t0:.1f} s")
        bench_reads(client, metric_id)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
