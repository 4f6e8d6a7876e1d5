"""Campaign-values and flow-values reports over a year of message events (goal <= 500 ms each), plus a series.

Seeds its own temp sandbox db (never the demo): 150 sent campaigns (their email or SMS reaching thousands of
shoppers) and 4 live flows sending every day of the last 365, through the same per-recipient generator the demo
uses (reports/messages.py), until at least `--events` attributed message events are stored. Then times, over HTTP
with every statistic the page asks for, the campaign report for each timeframe the page offers most (issue 17's
goal: a year in <= 500 ms), the flow values, the weekly flow series over a year, and segment values. Prints
figures; asserts nothing about time. Run: `python bench/reports.py [--events N] [--runs N]`.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import bench_args, print_load, temp_sandbox, timed_post

from klaviyo_core.reports import SEGMENT_STATISTICS
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine import ids
from klaviyo_sandbox.events.store import NewEvent, bulk_insert_events
from klaviyo_sandbox.reports import store as reportstore
from klaviyo_sandbox.reports.messages import Rates, message_metric_ids, recipient_events
from klaviyo_sandbox.taggables.store import insert_campaign, insert_flow

KEY = "pk_test_bench_000000000000000000001"
DAY = 86_400
FLOWS = ("Welcome Series", "Abandoned Cart", "Post-Purchase Thank You", "Back in Stock")


def _stream(
    metric_ids: dict[str, str], campaigns: list[reportstore.Message], flows: list[reportstore.Message], total: int
) -> Iterator[NewEvent]:
    """Campaign sends spread over the year, then flow sends every day, until `total` events were yielded."""
    rng = random.Random(5)
    now = int(time.time())
    profiles = [ids.ulid() for _ in range(60_000)]
    produced = 0
    per_campaign = max(total // (2 * len(campaigns) * 2), 100)  # about half the events come from campaigns
    for index, msg in enumerate(campaigns):
        sent = now - DAY * 364 + index * (DAY * 364 // len(campaigns))
        for profile in rng.sample(profiles, min(per_campaign, len(profiles))):
            for event in recipient_events(metric_ids, msg.message_id, msg.channel, profile, sent, rng):
                produced += 1
                yield event
    day = 0
    while produced < total:
        start = now - DAY * 364 + (day % 364) * DAY
        for msg in flows:
            for n in range(40):
                ts = start + rng.randrange(DAY)
                for event in recipient_events(
                    metric_ids,
                    msg.message_id,
                    "email",
                    rng.choice(profiles),
                    ts,
                    rng,
                    flow=msg.parent_id,
                    rates=Rates(open=0.5, click_email=0.25, order=0.3),
                    uid=f"-{day}-{n}",
                ):
                    produced += 1
                    yield event
        day += 1


def fill(server: SandboxServer, total: int) -> str:
    store = server.app.store
    for i in range(150):
        insert_campaign(store, f"Bench campaign {i:03d}", "sms" if i % 5 == 0 else "email", "Sent")
    for name in FLOWS:
        insert_flow(store, name, "live")
    campaigns = list(reportstore.messages(store, "campaign").values())
    flows = reportstore.flow_messages(store)
    with store.write() as conn:
        metric_ids = message_metric_ids(conn)
        stored = bulk_insert_events(conn, _stream(metric_ids, campaigns, flows, total))
    print(f"stored {stored:,} attributed message events (campaigns and flows, 365 days)")
    return metric_ids["Placed Order"]


def timed(url: str, kind: str, attributes: dict[str, Any], runs: int) -> tuple[float, float, int]:
    body = {"data": {"type": f"{kind}-report", "attributes": attributes}}
    median, worst, answer = timed_post(f"{url}/api/{kind}-reports", KEY, body, runs)
    return median, worst, len(answer["data"]["attributes"]["results"])


def report(url: str, label: str, kind: str, attributes: dict[str, Any], runs: int) -> None:
    median, worst, rows = timed(url, kind, attributes, runs)
    print(f"{label:62s} median {median:7.1f} ms   max {worst:7.1f} ms   {rows:4d} rows   ({runs} HTTP round trips)")


def main() -> None:
    args = bench_args(__doc__.splitlines()[0])
    with temp_sandbox(KEY) as server:
        started = time.perf_counter()
        metric_id = fill(server, args.events)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        stats = ["recipients", "delivered", "opens_unique", "open_rate", "click_rate", "conversions"]
        stats += ["conversion_value", "revenue_per_recipient"]
        year = {"statistics": stats, "timeframe": {"key": "last_365_days"}, "conversion_metric_id": metric_id}
        first, _, _ = timed(server.url, "flow-values", year, 1)
        print(f"first report after seeding (indexes the new message events once): {first:.0f} ms")
        print_load()
        for key in ("last_365_days", "last_90_days", "last_30_days", "last_7_days"):
            goal = " (goal <= 500 ms)" if key == "last_365_days" else ""
            label = f"campaign-values, {key}, 8 statistics{goal}"
            report(server.url, label, "campaign-values", year | {"timeframe": {"key": key}}, args.runs)
        report(server.url, "flow-values, a year, 8 statistics (goal <= 500 ms)", "flow-values", year, args.runs)
        report(
            server.url, "flow-values, 30 days", "flow-values", year | {"timeframe": {"key": "last_30_days"}}, args.runs
        )
        weekly = year | {"interval": "weekly"}
        report(server.url, "flow-series, a year weekly, 8 statistics", "flow-series", weekly, args.runs)
        members = {"statistics": list(SEGMENT_STATISTICS), "timeframe": {"key": "last_365_days"}}
        report(server.url, "segment-values, a year", "segment-values", members, args.runs)


if __name__ == "__main__":
    main()
