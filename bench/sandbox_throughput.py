"""How many GET /api/accounts per second the sandbox answers to a local client (goal: >= 500/s).

Rate limits are switched off for this run: it measures the server, not Klaviyo's 1/s limit on this route.
Usage: python bench/sandbox_throughput.py [--seconds 5] [--threads 4]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer

KEY = "pk_test_bench_00000000000000000000"


def worker(url: str, stop: float, counts: list[int], errors: list[int]) -> None:
    session = requests.Session()
    headers = {
        "Authorization": f"Klaviyo-API-Key {KEY}",
        "revision": "2026-07-15",
        "Accept": "application/vnd.api+json",
    }
    n = bad = 0
    while time.monotonic() < stop:
        resp = session.get(url + "/api/accounts", headers=headers, timeout=5)
        n += 1
        bad += resp.status_code != 200
    counts.append(n)
    errors.append(bad)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with SandboxServer(SandboxConfig(keys=(KeySpec(KEY),), rate_limits=False)) as sandbox:
        counts: list[int] = []
        errors: list[int] = []
        stop = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=worker, args=(sandbox.url, stop, counts, errors)) for _ in range(args.threads)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    total = sum(counts)
    rate = total / elapsed
    print(f"sandbox GET /api/accounts: {total} requests in {elapsed:.1f} s with {args.threads} keep-alive clients")
    print(f"throughput: {rate:.0f} requests/s (goal >= 500), non-200 answers: {sum(errors)}")
    print("RESULT:", "PASS" if rate >= 500 and not sum(errors) else "BELOW GOAL")


if __name__ == "__main__":
    main()
