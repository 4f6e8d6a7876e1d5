"""Catalog sync at scale: N items (default 100,000) planned and applied as bulk jobs against a sandbox with
Klaviyo's rate limits (windows scalable), then the unchanged re-run.

The ceiling: `POST /api/catalog-item-bulk-create-jobs` allows 75/s and 750/m (x-klaviyo-ratelimit). The
fastest schedule those limits allow for the run's jobs is computed (every send as early as both windows
permit), and the achieved job-create rate is printed as that schedule's time over the measured time from the
first POST to the last (goal >= 90%). With 1,000 jobs and real windows (scale 1) the ceiling is 750 jobs in
the first minute and the rest after it; a scale below 1 shrinks both windows (0.5: a 30 s "minute"), which
raises the ceiling towards what one client and a sandbox sharing this machine's cores can send, so at small
scales the ratio measures the machine as much as the pacing. The sandbox runs in a process of its own.
Usage: python bench/catalog_sync.py [N=100000] [window_scale=1.0]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # _sandbox_process, also when imported as bench.*

from _sandbox_process import start

from klaviyo_core.catalog import apply_catalog, plan_catalog, read_catalog_file
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig

KEY = "pk_test_bench_catalog_000000000000001"
JOBS_PATH = "/api/catalog-item-bulk-create-jobs"
BURST_PER_SECOND, STEADY_PER_MINUTE = 75, 750  # x-klaviyo-ratelimit of bulk_create_catalog_items


def fastest_schedule(n: int, scale: float) -> float:
    """Seconds from the first to the last of n sends, each as early as both windows allow."""
    times: list[float] = []
    for i in range(n):
        t = times[-1] if times else 0.0
        if i >= BURST_PER_SECOND:
            t = max(t, times[i - BURST_PER_SECOND] + 1.0 * scale)
        if i >= STEADY_PER_MINUTE:
            t = max(t, times[i - STEADY_PER_MINUTE] + 60.0 * scale)
        times.append(t)
    return times[-1] if times else 0.0


def _file(n: int) -> bytes:
    head = "external_id,title,description,url,price,image_url,published\n"
    rows = (
        f"SKU-{i:06d},Product {i},Description of product {i},https://shop.example.com/p/{i},{i % 97}.5,,"
        for i in range(n)
    )
    return (head + "\n".join(rows) + "\n").encode()


def main(n: int = 100_000, scale: float = 1.0) -> None:
    posts: list[float] = []
    throttled: list[str] = []

    def watch(resp: requests.Response, *_: object, **__: object) -> None:
        if resp.status_code == 429:
            throttled.append(resp.request.path_url)
        elif resp.request.method == "POST" and resp.request.path_url.startswith(JOBS_PATH):
            posts.append(time.monotonic())

    data = _file(n)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start(Path(tmp) / "bench.sqlite3", KEY, job_step=0.01, window_scale=scale)
        try:
            session = requests.Session()
            session.hooks["response"].append(watch)
            client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=url, rate_limit_scale=scale), session=session)
            started = time.monotonic()
            catalog_file = read_catalog_file(data)
            plan = plan_catalog(client, catalog_file)
            planned = time.monotonic()
            result = apply_catalog(client, plan, workspace_root=Path(tmp))
            applied = time.monotonic()
            again = plan_catalog(client, read_catalog_file(data))
            rerun = time.monotonic()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    span = posts[-1] - posts[0] if len(posts) > 1 else float("nan")
    best = fastest_schedule(len(posts), scale)
    print(f"items={n:,} window_scale={scale} jobs={len(posts)} result={result.counts()} 429s={len(throttled)}")
    print(f"plan (read file + account): {planned - started:.2f}s   apply: {applied - planned:.2f}s")
    print(
        f"job creates: {len(posts)} in {span:.2f}s ({(len(posts) - 1) / span:.1f}/s); the limits allow them in "
        f"{best:.2f}s at best -> {best / span:.1%} of the ceiling"
    )
    print(f"unchanged re-run (read file + plan): {rerun - applied:.2f}s, writes planned: {again.writes}")


if __name__ == "__main__":
    main(*(int(a) if i == 0 else float(a) for i, a in enumerate(sys.argv[1:])))  # type: ignore[arg-type]
