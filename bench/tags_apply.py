"""How long a tag upload takes under Klaviyo's real tag limits (3/s, 60/m), and how many requests it makes.

Runs a sandbox with rate limits on (window_scale shrinks the windows: 0.1 makes a "minute" last 6 s) and the
client's pacing scaled to match, then applies two files to N seeded campaigns:
  shared:   every campaign gets one of two Season tags and a Strategy tag (links batch 100 ids per request)
  distinct: every campaign gets its own new tag (one create and one link request per row: the worst case)
and prints requests, 429s seen and elapsed time, also scaled back to real seconds.
Usage: python bench/tags_apply.py [N=300] [window_scale=0.1]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.tags.apply import apply_plan, plan_tag_file, read_tag_file
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.taggables.store import insert_campaign

KEY = "pk_test_bench_tags_00000000000000001"


def scenario(name: str, rows: list[str], n: int, scale: float) -> None:
    server = SandboxServer(SandboxConfig(keys=(KeySpec(KEY),), admin=True, window_scale=scale)).start()
    try:
        for i in range(n):
            insert_campaign(server.app.store, f"Campaign {i:04d}")
        data = "\n".join(["resource_type,resource,tag_group,tag", *rows]).encode()
        client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=server.url, rate_limit_scale=scale))
        started = time.monotonic()
        plan = plan_tag_file(client, read_tag_file(data))
        planned = time.monotonic()
        result = apply_plan(client, plan)
        applied = time.monotonic()
        again = plan_tag_file(client, read_tag_file(data)).writes
        throttled = sum(1 for e in server.app.log if e["status"] == 429)
        apply_s = applied - planned
        print(
            f"{name:9s} rows={len(rows)} apply_requests={result.requests} 429s={throttled} "
            f"plan={planned - started:.2f}s apply={apply_s:.2f}s (x{scale}) ~{apply_s / scale:.0f}s real "
            f"-> {result.requests / (apply_s / scale) * 60:.1f} requests/real minute; rerun writes={again}; "
            f"{result.counts()}"
        )
    finally:
        server.stop()


def main(n: int = 300, scale: float = 0.1) -> None:
    shared = [f"campaign,Campaign {i:04d},Season,{('Summer', 'Winter')[i % 2]}" for i in range(n)]
    shared += [f"campaign,Campaign {i:04d},Strategy,Promo" for i in range(n)]
    scenario("shared", shared, n, scale)
    distinct = [f"campaign,Campaign {i:04d},Batch,Tag {i:04d}" for i in range(min(n, 120))]
    scenario("distinct", distinct, n, scale)


if __name__ == "__main__":
    main(*(int(sys.argv[1]),) if len(sys.argv) > 1 else (), *(float(sys.argv[2]),) if len(sys.argv) > 2 else ())
