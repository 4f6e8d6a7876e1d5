"""Figures for a consent import at scale (printed, never asserted): plan (batched reads) and apply (bulk calls).

A sandbox with rate limits on and its windows scaled down (0.1 makes a "minute" last 6 s), the client's pacing
scaled to match, N profiles seeded straight into its store (subscribed, or not for a subscribe), then a CSV of
their N emails:
- plan: `GET /api/profiles` with `any(email,[…100])` (75/s, 750/m): calls, 429s, time (and real-time estimate);
- apply: the action's bulk endpoint (unsubscribe 100 a call, subscribe 1,000; 75/s, 750/m): calls, 429s, time,
  and calls per (scaled) minute as a ratio of the endpoint's ceiling; the sandbox's own speed may bind first.
Usage: python bench/consent_import.py [--rows 100000] [--scale 0.1] [--action unsubscribe|subscribe|suppress]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from klaviyo_core.consent import BATCH, PATHS, ConsentOptions, RowRules, apply_consent, plan_consent, read_consent_file
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.profiles.store import SeedProfile, insert_seed_profiles
from klaviyo_spec import match_operation

KEY = "pk_bench_consent_000000000000"
PER_MINUTE = 750  # the spec's steady limit for get_profiles and the consent bulk endpoints


def seed(server: SandboxServer, n: int, subscribed: bool) -> None:
    stamp = "2025-01-01T00:00:00+00:00"
    consent = {"email": {"marketing": {"consent": "SUBSCRIBED", "consent_timestamp": stamp}}} if subscribed else {}
    subs = json.dumps(consent)
    rows: list[SeedProfile] = [
        (f"P{i:08d}", f"p{i}@example.com", None, None, "{}", subs, stamp, stamp) for i in range(n)
    ]
    with server.app.store.write() as conn:
        insert_seed_profiles(conn, rows)


def figures(label: str, client: KlaviyoClient, before: tuple[int, int], seconds: float, scale: float) -> int:
    calls = client.stats.requests - before[0]
    throttled = client.stats.throttled - before[1]
    per_minute = calls / (seconds / scale) * 60 if seconds else 0.0
    print(
        f"{label}: {calls:,} calls in {seconds:.1f} s (x{scale}: ~{seconds / scale:.0f} s real), 429s {throttled}, "
        f"{per_minute:.0f} calls/real minute = {per_minute / PER_MINUTE:.0%} of the {PER_MINUTE}/m ceiling"
    )
    return calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=0.1, help="window scale on both client and sandbox")
    parser.add_argument("--action", default="unsubscribe", choices=("unsubscribe", "subscribe", "suppress"))
    args = parser.parse_args()
    config = SandboxConfig(keys=(KeySpec(KEY),), rate_limits=True, window_scale=args.scale, job_step_seconds=0.01)
    server = SandboxServer(config).start()
    home = Path(tempfile.mkdtemp(prefix="consent-bench-"))
    try:
        client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=server.url, rate_limit_scale=args.scale))
        t0 = time.perf_counter()
        seed(server, args.rows, subscribed=args.action != "subscribe")
        print(
            f"seeded {args.rows:,} profiles (subscribed unless the action is subscribe) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        csv_path = home / "people.csv"
        csv_path.write_text("email\n" + "".join(f"p{i}@example.com\n" for i in range(args.rows)), encoding="utf-8")
        t0 = time.perf_counter()
        consent_file = read_consent_file(csv_path, RowRules())
        print(f"read and checked {len(consent_file.rows):,} rows in {time.perf_counter() - t0:.1f} s")
        options = ConsentOptions(args.action, global_unsubscribe=args.action == "unsubscribe")
        client.get("/api/accounts")  # the target's id, outside the figures
        before = (client.stats.requests, client.stats.throttled)
        t0 = time.perf_counter()
        plan = plan_consent(client, consent_file, options)
        figures(f"plan ({plan.writes:,} changes)", client, before, time.perf_counter() - t0, args.scale)
        before = (client.stats.requests, client.stats.throttled)
        t0 = time.perf_counter()
        result = apply_consent(client, plan, root=home)
        seconds = time.perf_counter() - t0
        found = match_operation("POST", PATHS[args.action])
        assert found is not None
        op = found[0]
        calls = figures(f"apply {args.action} ({BATCH[args.action]} a call)", client, before, seconds, args.scale)
        rows_per_minute = args.rows / (seconds / args.scale) * 60
        print(
            f"  {result.counts()} in {result.batches} batches; {op.operation_id} ceiling {op.steady_per_minute}/m; "
            f"{rows_per_minute:,.0f} rows/real minute, {calls} calls incl. job polls"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
