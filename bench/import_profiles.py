"""Bench the CSV importer against a local sandbox (rate limits on) and print figures; asserts nothing.

    python bench/import_profiles.py                # 100,000 and 1,000,000 rows, plus the naive comparison
    python bench/import_profiles.py --rows 100000  # one size
    python bench/import_profiles.py --quoted       # every cell quoted (the exact csv.reader path, 2 workers)

Goals (issue 4): 100k rows x 9 columns validated+submitted <= 5 s; 1M rows submitted <= 20 s, all jobs
complete <= 60 s, peak RSS of the importing process <= 500 MB. Each size runs in its own child process so
its peak RSS is its own; the sandbox runs in another process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # _sandbox_process, also when imported as bench.*

from _sandbox_process import cpu_seconds, start

from klaviyo_core.csvfile.reader import preview
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.http.errors import NotImplementedBySandbox
from klaviyo_core.profiles.mapping import suggest_mapping
from klaviyo_core.profiles.pipeline import ImportOptions, import_profiles
from klaviyo_core.profiles.progress import Progress

KEY = "pk_bench_0000000000000000000000001"
HEADER = "Email,First Name,Last Name,Phone,City,Zip,Points,VIP,Signup Date\n"
FIRSTS = ("Ann", "Bob", "Zoë", "José", "Li", "Émile", "Sam")


def generate(path: Path, rows: int, seed: int = 7, quoted: bool = False) -> None:
    """9 columns; a phone on one row in five; a few bad rows and repeated people, like a real export.

    `quoted`: every cell in double quotes, as some shop systems export (read by csv.reader, not Arrow).
    """
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        for i in range(rows):
            person = i - 250 if i % 1000 == 500 else i  # one row in 1,000 repeats someone seen earlier
            email = f"user{person}@example.com" if i % 997 else f"broken{i}@"
            phone = f"+1415{rnd.randrange(2_000_000, 9_999_999)}" if i % 5 == 0 else ""
            cells = [email, FIRSTS[i % 7], f"Lee{i % 100}", phone, "Paris", str(75000 + i % 20), str(i % 500)]
            cells += ["yes" if i % 2 else "no", f"2024-0{1 + i % 9}-1{i % 10}"]
            f.write(",".join(f'"{c}"' for c in cells) + "\n" if quoted else ",".join(cells) + "\n")


def sandbox_cpu() -> float:
    """CPU seconds the sandbox process has used so far (it shares the 2 cores with the importer)."""
    pid = os.environ.get("BENCH_SANDBOX_PID")
    found = cpu_seconds(int(pid)) if pid else None
    return float("nan") if found is None else found


def run_one(
    rows: int, base_url: str, workdir: Path, workers: int | None = None, quoted: bool = False
) -> dict[str, float]:
    path = workdir / f"bench_{rows}.csv"
    generate(path, rows, quoted=quoted)
    _fmt, header, sample = preview(path, rows=200)
    mapping = suggest_mapping(header.columns, sample)
    client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=base_url))
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(p: Progress) -> None:
        now = time.perf_counter() - started
        if p.reading and not p.scanning and "scanned" not in marks:  # the checks began: first read done
            marks["scanned"] = now
        if p.jobs_submitted and "first_submit" not in marks:
            marks["first_submit"] = now
            marks["sandbox_cpu_at_first"] = sandbox_cpu()
        all_sent = not p.reading and p.jobs_total and p.jobs_submitted == p.jobs_total
        if all_sent and "submitted" not in marks:
            marks["submitted"] = now
            marks["sandbox_cpu_at_submitted"] = sandbox_cpu()
        if not p.reading and p.jobs_total and p.jobs_complete == p.jobs_total and "jobs_complete" not in marks:
            marks["jobs_complete"] = time.perf_counter() - started

    result = import_profiles(
        client, path, mapping, ImportOptions(), data_dir=workdir / f"data_{rows}", on_progress=progress, workers=workers
    )
    marks["finished"] = time.perf_counter() - started  # report written too
    marks["rows"] = rows
    marks["imported"] = result.counts["imported"]
    marks["accounted"] = result.total
    marks["jobs"] = result.plan.get("jobs", 0)
    marks["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Large files are validated by worker processes (klaviyo_core/profiles/workers.py): the largest one's peak.
    marks["worker_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return marks


def naive(base_url: str, sample: int = 150) -> dict[str, float]:
    """One POST /api/profile-import per row through the same client and its rate limits."""
    client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=base_url))
    started = time.perf_counter()
    try:
        for i in range(sample):
            body = {"data": {"type": "profile", "attributes": {"email": f"naive{i}@example.com", "first_name": "N"}}}
            client.post("/api/profile-import", body)
    except NotImplementedBySandbox:
        return {"rows": 0, "seconds": 0.0, "rows_per_s": 750 / 60}  # the route is not modelled yet: limit only
    took = time.perf_counter() - started
    return {"rows": sample, "seconds": took, "rows_per_s": sample / took}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--workers", type=int, help="processes reading the file (default: the importer's choice)")
    parser.add_argument("--quoted", action="store_true", help="every cell in double quotes")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.rows[0], args.base_url, Path(args.workdir), args.workers, args.quoted)))
        return
    sizes = args.rows or [100_000, 1_000_000]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sandbox, url = start(workdir / "sb.sqlite3", KEY, job_step=float(os.environ.get("BENCH_JOB_STEP", "0.02")))
        try:
            figures = {}
            for rows in sizes:
                cmd = [sys.executable, __file__, "--child", "--rows", str(rows), "--base-url", url, "--workdir", tmp]
                cmd += ["--workers", str(args.workers)] if args.workers else []
                cmd += ["--quoted"] if args.quoted else []
                env = {**os.environ, "BENCH_SANDBOX_PID": str(sandbox.pid)}
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
                figures[rows] = json.loads(out.strip().splitlines()[-1])
            slow = naive(url)
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)
    for rows, f in figures.items():
        print(
            f"{rows:>9,} rows x 9 cols: validated+submitted {f.get('submitted', float('nan')):6.2f} s, "
            f"all jobs complete {f.get('jobs_complete', float('nan')):6.2f} s, "
            f"report written {f['finished']:6.2f} s, {int(f['jobs'])} jobs, "
            f"{int(f['imported']):,} imported / {int(f['accounted']):,} accounted, peak RSS {f['peak_rss_mb']:.0f} MB"
            + (f" (+ validation workers, each <= {f['worker_rss_mb']:.0f} MB)" if f["worker_rss_mb"] else "")
        )
        print(
            f"{'':>9}   duplicates scan done at {f.get('scanned', float('nan')):.2f} s, "
            f"first job sent at {f.get('first_submit', float('nan')):.2f} s; sandbox CPU "
            f"{f.get('sandbox_cpu_at_first', float('nan')):.1f} s then, "
            f"{f.get('sandbox_cpu_at_submitted', float('nan')):.1f} s when the last job was sent"
        )
    per_row = 1 / slow["rows_per_s"]
    steady = 750 / 60  # create_or_update_profile steady limit (75/s burst, 750/min)
    if slow["rows"]:
        print(f"naive (one POST /api/profile-import per row): {slow['rows']} rows in {slow['seconds']:.2f} s")
    else:
        print("naive: the sandbox does not model POST /api/profile-import yet; using its 750/min limit only")
    for rows, f in figures.items():
        naive_s = max(rows * per_row, rows / steady)
        print(
            f"  {rows:>9,} rows the naive way: >= {naive_s / 3600:.1f} h (limit 750/min) -> "
            f"bulk import is {naive_s / f['finished']:.0f}x faster"
        )


if __name__ == "__main__":
    main()
