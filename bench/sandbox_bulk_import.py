"""Throughput of the sandbox's bulk profile import: N jobs x M profiles (default 100 x 10,000).

Starts `python -m klaviyo_sandbox serve` in a subprocess (its own GIL, as in real use), submits the jobs one
after another over one keep-alive connection, then polls until every job is complete. Prints the POST
latency (what an importer waits per chunk), profiles/s processed and the total time, and the sandbox's CPU
seconds per job split into receipt (the connection thread: read, parse, check, store, 202) and processing (the
job worker: validation, upsert, list membership, import errors), read per thread from /proc (Linux).

    python bench/sandbox_bulk_import.py [--jobs 100] [--size 10000] [--rate-limits] [--job-step 0.05] [--list]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from _sandbox_process import cpu_seconds, start

KEY = "pk_test_bench_000000000000000000000001"


def make_body(job: int, size: int, rng: random.Random, list_id: str | None = None) -> bytes:
    """A realistic import chunk: 9 columns, ~2% of rows invalid (as in a real spreadsheet)."""
    profiles = []
    for i in range(size):
        n = job * size + i
        email = f"user{n}@example.com" if rng.random() > 0.02 else f"user{n}(at)example"
        profiles.append(
            {
                "type": "profile",
                "attributes": {
                    "email": email,
                    "phone_number": f"+1555{n:07d}",
                    "first_name": rng.choice(["Ada", "Grace", "Alan", "Edsger", "Barbara"]),
                    "last_name": rng.choice(["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov"]),
                    "location": {"city": "Boston", "zip": f"{n % 99999:05d}", "country": "US"},
                    "properties": {"plan": rng.choice(["free", "pro"]), "orders": rng.randint(0, 40)},
                },
            }
        )
    doc: dict = {"data": {"type": "profile-bulk-import-job", "attributes": {"profiles": {"data": profiles}}}}
    if list_id:
        doc["data"]["relationships"] = {"lists": {"data": [{"type": "list", "id": list_id}]}}
    return json.dumps(doc, separators=(",", ":")).encode()


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds per thread of `pid` (Linux /proc); a finished thread's time is gone, so read it while alive."""
    out: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / tick
    return out


@dataclass
class CpuProbe:
    """Tells the sandbox's job worker from its connection threads: the worker is the one thread besides the
    main thread that exists before the first request (`serve` starts it just after printing "ready")."""

    pid: int
    worker_tids: set[int] = field(default_factory=set)

    def arm(self) -> None:
        deadline = time.monotonic() + 10
        while not (others := set(_thread_cpu(self.pid)) - {self.pid}):
            if time.monotonic() > deadline:
                raise SystemExit("the sandbox's job worker thread never appeared")
            time.sleep(0.01)
        self.worker_tids = others

    def split(self) -> tuple[float, float]:
        """(connection threads, job worker) CPU seconds so far."""
        per_thread = _thread_cpu(self.pid)
        worker = sum(cpu for tid, cpu in per_thread.items() if tid in self.worker_tids)
        receipt = sum(cpu for tid, cpu in per_thread.items() if tid not in self.worker_tids and tid != self.pid)
        return receipt, worker


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rate-limits", action="store_true", help="keep the spec's 10/s 150/m limit on POST")
    parser.add_argument("--job-step", type=float, default=0.05)
    parser.add_argument("--list", action="store_true", help="every job also adds its profiles to one list")
    args = parser.parse_args()
    rng = random.Random(7)
    headers = {
        "Authorization": f"Klaviyo-API-Key {KEY}",
        "revision": "2026-07-15",
        "Content-Type": "application/vnd.api+json",
        "Accept": "application/vnd.api+json",
    }
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start(Path(tmp) / "bench.sqlite3", KEY, rate_limits=args.rate_limits, job_step=args.job_step)
        try:
            probe = CpuProbe(proc.pid)
            probe.arm()
            list_id = _create_list(url, headers) if args.list else None
            print(f"building {args.jobs} bodies of {args.size:,} profiles ...", flush=True)
            bodies = [make_body(j, args.size, rng, list_id) for j in range(args.jobs)]
            print(f"body size: {len(bodies[0]) / 1e6:.2f} MB each")
            run(url, headers, bodies, args.size, probe)
            cpu = cpu_seconds(proc.pid)
            if cpu is not None:
                rows = len(bodies) * args.size
                print(f"sandbox CPU: {cpu:.1f} s ({rows / cpu:,.0f} profiles per CPU-second; load-independent)")
            print(f"sandbox peak RSS: {_peak_rss_mb(proc.pid):.0f} MB")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _create_list(url: str, headers: dict[str, str]) -> str:
    body: dict[str, Any] = {"data": {"type": "list", "attributes": {"name": "Bench import"}}}
    resp = requests.post(f"{url}/api/lists", json=body, headers=headers, timeout=10)  # a connection of its own
    assert resp.status_code == 201, resp.text[:300]
    return str(resp.json()["data"]["id"])


def _completed_jobs(session: requests.Session, url: str, headers: dict[str, str]) -> list[dict]:
    params: dict[str, str] | None = {"filter": 'equals(status,"complete")', "page[size]": "100"}
    link, out = f"{url}/api/profile-bulk-import-jobs", []
    while link:
        resp = session.get(link, params=params, headers=headers, timeout=60)
        if resp.status_code == 429:
            time.sleep(float(resp.headers.get("Retry-After", "1")))
            continue
        doc = resp.json()
        out.extend(doc["data"])
        link, params = doc["links"].get("next"), None
    return out


def run(url: str, headers: dict[str, str], bodies: list[bytes], size: int, probe: CpuProbe) -> None:
    session = requests.Session()
    latencies, job_ids = [], []
    receipt_before, worker_before = probe.split()
    process_before = cpu_seconds(probe.pid) or 0.0
    start = time.perf_counter()
    for body in bodies:
        while True:
            t0 = time.perf_counter()
            resp = session.post(f"{url}/api/profile-bulk-import-jobs", data=body, headers=headers, timeout=60)
            if resp.status_code != 429:
                break
            time.sleep(float(resp.headers.get("Retry-After", "1")))  # bench only: honour the server's pacing
        latencies.append(time.perf_counter() - t0)
        assert resp.status_code == 202, resp.text[:300]
        job_ids.append(resp.json()["data"]["id"])
    submitted = time.perf_counter() - start
    receipt_cpu = probe.split()[0] - receipt_before  # before any GET: only POSTs were received so far
    process_cpu_at_submit = (cpu_seconds(probe.pid) or 0.0) - process_before
    pending, done, failed, spans = set(job_ids), 0, 0, {}
    while pending:  # one listing call per 100 jobs, as an importer should poll (10/s, 150/m on these routes)
        for job in _completed_jobs(session, url, headers):
            if job["id"] in pending:
                attrs = job["attributes"]
                pending.discard(job["id"])
                spans[job["id"]] = _seconds(attrs["started_at"], attrs["completed_at"])
                done += attrs["completed_count"]
                failed += attrs["failed_count"]
        if pending:
            time.sleep(0.5)  # bench polling interval (never in tests)
    total = time.perf_counter() - start
    rows = len(bodies) * size
    lat_ms = sorted(x * 1000 for x in latencies)
    print(f"jobs: {len(bodies)} x {size:,} = {rows:,} profiles ({done:,} imported, {failed:,} import errors)")
    print(
        f"submit: {submitted:.2f} s total; POST latency p50 {statistics.median(lat_ms):.0f} ms, "
        f"p95 {lat_ms[int(len(lat_ms) * 0.95) - 1]:.0f} ms, max {lat_ms[-1]:.0f} ms"
    )
    print(f"all jobs complete after {total:.2f} s: {rows / total:,.0f} profiles/s end to end")
    worker_cpu = probe.split()[1] - worker_before
    per_10k = 10_000 / size / len(bodies)
    print(
        f"sandbox CPU per 10,000-profile job: receipt {receipt_cpu * per_10k * 1000:.0f} ms, "
        f"processing {worker_cpu * per_10k * 1000:.0f} ms"
        + (f"; whole process while submitting: {process_cpu_at_submit:.1f} s" if process_cpu_at_submit else "")
    )
    ordered = [spans[j] for j in job_ids]
    tenth = max(1, len(ordered) // 10)
    first, last = statistics.mean(ordered[:tenth]) * 1000, statistics.mean(ordered[-tenth:]) * 1000
    print(f"time per job in the sandbox (started -> completed): first {tenth} avg {first:.0f} ms, last {last:.0f} ms")


if __name__ == "__main__":
    main()
