"""Bench the notebook's DataFrame import (`wb.profiles.plan_import(df)` then `plan.run()`); prints figures.

    python bench/notebook_import.py                 # 100,000 rows
    python bench/notebook_import.py --rows 10000    # one size (repeatable)

What it shows: what the DataFrame path adds to the file importer (bench/import_profiles.py) — writing the frame
as the private CSV copy, and joining the per-row report back to the frame — beside the plan (the dry run) and
the run against a sandbox in its own process, rate limits on. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from _sandbox_process import start

KEY = "pk_bench_0000000000000000000000001"
FIRSTS = ("Ann", "Bob", "Zoë", "José", "Li", "Émile", "Sam")


def people(rows: int) -> pd.DataFrame:
    """9 columns like bench/import_profiles.py: a phone on one row in five, a few bad emails."""
    index = pd.RangeIndex(rows)
    return pd.DataFrame(
        {
            "Email": [f"user{i}@example.com" if i % 997 else f"broken{i}@" for i in index],
            "First Name": [FIRSTS[i % 7] for i in index],
            "Last Name": [f"Lee{i % 100}" for i in index],
            "Phone": [f"+1415{2_000_000 + i % 7_000_000}" if i % 5 == 0 else "" for i in index],
            "City": "Paris",
            "Zip": [str(75000 + i % 20) for i in index],
            "Points": index % 500,
            "VIP": ["yes" if i % 2 else "no" for i in index],
            "Signup Date": [f"2024-0{1 + i % 9}-1{i % 10}" for i in index],
        }
    )


def run_one(rows: int, base_url: str) -> dict[str, float]:
    from klaviyo_core import Workbench
    from klaviyo_core.http import ClientConfig, KlaviyoClient

    wb = Workbench(KlaviyoClient(ClientConfig(api_key=KEY, base_url=base_url)), account="Bench")
    data = people(rows)
    marks: dict[str, float] = {"rows": rows}
    started = time.perf_counter()
    data.to_csv(index=False).encode("utf-8")
    marks["frame_to_csv_s"] = time.perf_counter() - started
    started = time.perf_counter()
    plan = wb.profiles.plan_import(data)
    marks["plan_s"] = time.perf_counter() - started
    started = time.perf_counter()
    report = plan.run(progress=False)
    marks["run_s"] = time.perf_counter() - started
    started = time.perf_counter()
    _ = plan.report  # the dry run's report joined to the frame again: the join's own cost
    marks["report_join_s"] = time.perf_counter() - started
    marks["imported"] = int((report["status"] == "imported").sum())
    marks["accounted"] = len(report)
    return marks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KLAVIYO_WORKBENCH_HOME"] = str(Path(tmp) / "home")
        sandbox, url = start(Path(tmp) / "sb.sqlite3", KEY, job_step=0.02)
        try:
            for rows in args.rows or [100_000]:
                figures = run_one(rows, url)
                print("  ".join(f"{k}={v:,.2f}" if isinstance(v, float) else f"{k}={v:,}" for k, v in figures.items()))
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=30)


if __name__ == "__main__":
    main()
