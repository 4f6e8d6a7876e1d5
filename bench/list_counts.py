"""Member counts against the sandbox's real profile_count limit (1/s, 15/min): achieved counts/s as a share of
that ceiling (goal >= 90%), and what a second look costs (goal: no count asked again while fresh).

Windows are scaled down on both sides so the run takes seconds. The lists are made in the sandbox's store
directly (create_list has its own daily limit), each with a few members.
Usage: python bench/list_counts.py [--lists 30] [--scale 0.05]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.audiences import audiences_frame
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.engine.http import Request, Response
from klaviyo_sandbox.lists import store as liststore
from klaviyo_spec import limited_operation, operation_by_id

KEY = "pk_test_bench_00000000000000000000"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lists", type=int, default=30)
    parser.add_argument("--scale", type=float, default=0.05, help="window scale on both client and sandbox")
    args = parser.parse_args()
    os.environ["KLAVIYO_WORKBENCH_HOME"] = tempfile.mkdtemp(prefix="bench-counts-")  # the count cache goes there
    op = limited_operation(operation_by_id("get_list"), {"additional-fields[list]": "profile_count"}.get)
    config = SandboxConfig(keys=(KeySpec(KEY),), rate_limits=True, window_scale=args.scale)
    with SandboxServer(config) as sandbox:
        for i in range(args.lists):
            liststore.insert_list(sandbox.app.store, f"Bench list {i:03d}", "single_opt_in")
        counts: list[int] = []

        def observe(req: Request, op_id: str, resp: Response) -> None:
            if req.arg("additional-fields[list]"):
                counts.append(resp.status)

        sandbox.app.observers.append(observe)
        client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=sandbox.url, rate_limit_scale=args.scale))
        audiences_frame(client, "list")  # warm: the account id and the list pages, not counted below
        started = time.monotonic()
        frame = audiences_frame(client, "list", count=lambda _: True)
        elapsed = time.monotonic() - started
        first = len(counts)
        again_started = time.monotonic()
        audiences_frame(client, "list", count=lambda _: True)
        again = time.monotonic() - again_started
    # the fastest the windows allow: 1 a second, and after every 15 a wait for the next minute
    burst, steady = op.burst_per_second or 1, op.steady_per_minute or 60
    gaps = first - 1
    fastest = ((gaps // steady) * 60.0 + (gaps % steady) / burst) * args.scale
    share = fastest / elapsed if gaps > 0 else 0.0
    print(f"operation {op.operation_id}: {burst}/s burst, {steady}/min steady, scale {args.scale}")
    print(f"{first} counts of {len(frame)} lists in {elapsed:.2f} s; the windows allow it in {fastest:.2f} s")
    print(f"share of ceiling: {share:.0%} (goal >= 90%); 429s seen: {counts.count(429)}")
    print(f"second look: {len(counts) - first} counts asked, {again:.2f} s (kept counts, fresh)")
    print("RESULT:", "PASS" if share >= 0.9 and counts.count(429) == 0 and len(counts) == first else "BELOW GOAL")


if __name__ == "__main__":
    main()
