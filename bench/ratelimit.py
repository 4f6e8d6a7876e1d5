"""Client pacing against the sandbox's real limits: achieved calls/s as a share of the ceiling (goal >= 90%).

One rate-limited operation (GET /api/accounts: 1/s burst, 15/min steady)
with windows scaled down on both sides so the run takes seconds, not minutes. Prints the 429s seen and failures.
Usage: python bench/ratelimit.py [--calls 60] [--scale 0.05] [--threads 3]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_spec import operation_by_id

KEY = "pk_test_bench_00000000000000000000"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--scale", type=float, default=0.05, help="window scale on both client and sandbox")
    parser.add_argument("--threads", type=int, default=3, help="concurrent callers sharing the key")
    args = parser.parse_args()
    op = operation_by_id("get_accounts")
    ceiling = op.ceiling_per_second / args.scale
    config = SandboxConfig(keys=(KeySpec(KEY),), rate_limits=True, window_scale=args.scale)
    failures: list[BaseException] = []
    with SandboxServer(config) as sandbox:
        client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=sandbox.url, rate_limit_scale=args.scale))
        per_thread = args.calls // args.threads

        def run() -> None:
            for _ in range(per_thread):
                try:
                    client.get("/api/accounts")
                except Exception as exc:  # noqa: BLE001 - counted, reported
                    failures.append(exc)

        threads = [threading.Thread(target=run) for _ in range(args.threads)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        sent = per_thread * args.threads
    achieved = sent / elapsed
    share = achieved / ceiling
    print(
        f"operation {op.operation_id}: {op.burst_per_second}/s burst, {op.steady_per_minute}/min steady,"
        f" scale {args.scale}"
    )
    print(
        f"{sent} calls from {args.threads} threads in {elapsed:.2f} s: {achieved:.2f} calls/s, ceiling {ceiling:.2f}/s"
    )
    print(
        f"share of ceiling: {share:.0%} (goal >= 90%); 429s seen: {client.stats.throttled}; failures: {len(failures)}"
    )
    print("RESULT:", "PASS" if share >= 0.9 and not failures else "BELOW GOAL")


if __name__ == "__main__":
    main()
