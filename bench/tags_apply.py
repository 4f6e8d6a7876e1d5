"""How long a tag upload takes under Klaviyo's real tag limits (3/s, 60/m), and how many requests it makes.

Runs a sandbox with rate limits on (window_scale shrinks the windows: 0.1 makes a "minute" last 6 s), tags
N seeded campaigns with a few tags, and prints requests, 429s seen and elapsed time, scaled back to real
seconds. Usage: python bench/tags_apply.py [N] [window_scale]
"""

from __future__ import annotations

import sys
import time

from klaviyo_core.client import KlaviyoClient
from klaviyo_core.config import ClientConfig
from klaviyo_core.tags import apply_plan, plan_tag_file, read_tag_file
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.handlers.campaigns import insert_campaign

KEY = "pk_test_bench_tags_00000000000000001"


def main(n: int = 300, scale: float = 0.1) -> None:
    server = SandboxServer(SandboxConfig(keys=(KeySpec(KEY),), admin=True, window_scale=scale)).start()
    try:
        for i in range(n):
            insert_campaign(server.app.store, f"Campaign {i:04d}")
        rows = ["resource_type,resource,tag_group,tag"]
        rows += [f"campaign,Campaign {i:04d},Season,{('Summer', 'Winter')[i % 2]}" for i in range(n)]
        rows += [f"campaign,Campaign {i:04d},Strategy,Promo" for i in range(n)]
        client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=server.url, rate_limit_scale=scale))
        started = time.monotonic()
        plan = plan_tag_file(client, read_tag_file("\n".join(rows).encode()))
        planned = time.monotonic()
        result = apply_plan(client, plan)
        applied = time.monotonic()
        again = plan_tag_file(client, read_tag_file("\n".join(rows).encode()))
        throttled = sum(1 for e in server.app.log if e["status"] == 429)
        print(f"rows={len(rows) - 1} writes={plan.writes} apply_requests={result.requests} 429s={throttled}")
        print(f"plan {planned - started:.2f}s, apply {applied - planned:.2f}s at window_scale={scale}")
        print(f"  = about {(applied - planned) / scale:.0f}s against Klaviyo's real limits")
        print(f"re-run plans {again.writes} writes; result {result.counts()}")
    finally:
        server.stop()


if __name__ == "__main__":
    main(*(int(sys.argv[1]),) if len(sys.argv) > 1 else (), *(float(sys.argv[2]),) if len(sys.argv) > 2 else ())
