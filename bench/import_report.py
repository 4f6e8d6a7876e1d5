"""Bench the end of a profile import: writing the result report. Prints figures; asserts nothing.

    python bench/import_report.py                          # 200,000 rows, new writer and the first writer
    python bench/import_report.py --rows 1000000 --no-first

The CSV is bench/import_profiles.py's (9 columns, a bad email every 997 rows, a phone on one row in five);
the workspace is made up the way an import leaves it (rejected.jsonl, a few rows refused by Klaviyo, 10,000
rows per job, all complete), so no sandbox and no validation run is needed. The first writer
(tests/core/report_oracle.py, pandas) is timed on the same files for comparison, and both reports are compared
byte for byte. Each writer runs in its own child process, so its peak RSS is its own (Linux carries the parent's over
into a child, so the parent stays small: it streams everything).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_profiles import generate  # noqa: E402
from klaviyo_core.profiles.checkpoint import Checkpoint, ChunkState, Workspace  # noqa: E402

JOB_ROWS = 10_000


def make_workspace(csv_path: Path, rows: int, root: Path, refused_every: int) -> tuple[Workspace, Checkpoint]:
    """What an import of `generate`'s file leaves behind: line i + 2 holds row i (no quoted newlines)."""
    ws = Workspace(root, "bench")
    ws.dir.mkdir(parents=True, exist_ok=True)
    sent: list[int] = []
    with ws.rejected_path.open("w", encoding="utf-8") as rejected, ws.klaviyo_path.open("w", encoding="utf-8") as kl:
        for i in range(rows):
            line = i + 2
            if i % 997 == 0:
                reason = f"column 'Email' value 'broken{i}@' is not a valid email address"
                rejected.write(json.dumps({"row": line, "status": "rejected", "reason": reason}) + "\n")
                continue
            if refused_every and i % refused_every == 1:
                reason = "Klaviyo: Invalid input. The phone number provided either does not exist or is ineligible."
                kl.write(json.dumps({"row": line, "status": "rejected_by_klaviyo", "reason": reason}) + "\n")
            sent.append(line)
    chunks = [
        ChunkState(n, 0, len(part), 0, part[0], part[-1], state="complete", job_id=f"J{n}")
        for n, part in enumerate(sent[s : s + JOB_ROWS] for s in range(0, len(sent), JOB_ROWS))
    ]
    return ws, Checkpoint("bench", str(csv_path), "fp", [], {}, chunks=chunks)


def quote_all(path: Path) -> None:
    """Rewrite the file with every cell quoted: no line is plain, each goes through csv.reader."""
    quoted = path.with_suffix(".quoted")
    with path.open(encoding="utf-8", newline="") as f, quoted.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(csv.reader(f))
    quoted.replace(path)


def run_child(writer: str, csv_path: Path, root: Path, out: Path, rows: int, refused_every: int) -> dict[str, float]:
    if writer == "first":
        sys.path.insert(0, str(ROOT / "tests" / "core"))
        from report_oracle import write_report
    else:
        from klaviyo_core.profiles.report import write_report
    ws, cp = make_workspace(csv_path, rows, root, refused_every)
    out.unlink(missing_ok=True)  # a fresh file, as after an import (rewriting one costs a flush on close)
    started = time.perf_counter()
    counts = write_report(csv_path, ws, cp, out)
    return {
        "seconds": time.perf_counter() - started,
        "rows": sum(counts.values()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--refused-every", type=int, default=1000, help="a row refused by Klaviyo every N (0: none)")
    parser.add_argument("--no-first", action="store_true", help="skip the first (pandas) writer")
    parser.add_argument("--quote-all", action="store_true", help="every cell quoted, as some shops export")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = Path(args.dir)
        csv_path = work / "in.csv"
        figures = run_child(
            args.child, csv_path, work / args.child, work / f"{args.child}.csv", args.rows, args.refused_every
        )
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generate(work / "in.csv", args.rows)
        if args.quote_all:
            quote_all(work / "in.csv")
        what = f"{(work / 'in.csv').stat().st_size / 1e6:.0f} MB" + (", every cell quoted" if args.quote_all else "")
        writers = ["new"] if args.no_first else ["new", "first"]
        for writer in writers:
            cmd = [sys.executable, __file__, "--child", writer, "--dir", tmp, "--rows", str(args.rows)]
            cmd += ["--refused-every", str(args.refused_every)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            f = json.loads(out.strip().splitlines()[-1])
            print(
                f"{args.rows:>9,} rows ({what}) {writer:>5} writer: report written in {f['seconds']:6.2f} s "
                f"({args.rows / f['seconds'] / 1e6:.2f} M rows/s), peak RSS {f['peak_rss_mb']:.0f} MB"
            )
        if len(writers) == 2:
            same = (work / "new.csv").read_bytes() == (work / "first.csv").read_bytes()
            print(f"{'':>9}   reports identical byte for byte: {same}")


if __name__ == "__main__":
    main()
