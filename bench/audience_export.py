"""Audience export speed: members a second as a share of the members endpoint's rate ceiling (goal >= 90%).

GET /api/lists/{id}/profiles allows 75/s and 750/min (spec `x-klaviyo-ratelimit`), 100 members a page, so the
ceiling is 12.5 pages (1,250 members) a second. The sandbox runs in a process of its own with the limits on
(`--window-scale`, matched by the client's `rate_limit_scale`). The ratio is counted over whole steady windows
from the start (members written by the end of the last whole "minute" / what the ceiling allows in that time):
a part of a window would overstate the rate, as a window's budget can be spent at burst speed. The export must
outlast one window, so the list must hold more than 750 pages (75,000 members). A scale below 1 is only fair
when the sandbox itself serves pages faster than the scaled ceiling (see the raw rate printed).
Usage: python bench/audience_export.py [--members 90000] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # _sandbox_process, also when imported as bench.*

from _sandbox_process import start

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.audiences import Audience, ExportProgress, export_audience, members_ceiling
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.lists.store import insert_seed_lists
from klaviyo_sandbox.profiles.store import SeedProfile, insert_seed_members, insert_seed_profiles
from klaviyo_spec import operation_by_id

KEY = "pk_test_bench_00000000000000000000"
LIST_ID = "BENCH1"


def seed(db: Path, members: int) -> None:
    """A list of `members` profiles, written straight into the sandbox's database (seconds, not an import)."""
    stamp = "2026-01-01T00:00:00+00:00"
    profiles: list[SeedProfile] = [
        (f"01BENCH{i:019d}", f"member{i}@example.com", f"+1415{i % 10_000_000:07d}", None,
         json.dumps({"first_name": f"M{i}"}), json.dumps({}), stamp, stamp)
        for i in range(members)
    ]  # fmt: skip
    config = SandboxConfig(keys=(KeySpec(KEY),), db_path=db, rate_limits=False)
    with SandboxServer(config) as sandbox, sandbox.app.store.write() as conn:
        insert_seed_profiles(conn, profiles)
        insert_seed_lists(conn, [(LIST_ID, "Bench list", "single_opt_in", stamp)])
        insert_seed_members(conn, [(LIST_ID, p[0], stamp) for p in profiles])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=90_000)
    parser.add_argument("--scale", type=float, default=1.0, help="window scale on both client and sandbox")
    args = parser.parse_args()
    op = operation_by_id("get_profiles_for_list")
    window = 60.0 * args.scale
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        seed(db, args.members)
        proc, url = start(db, KEY, window_scale=args.scale)
        try:
            client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=url, rate_limit_scale=args.scale))
            ceiling = members_ceiling(client)
            marks: list[tuple[float, int]] = []
            started = time.monotonic()

            def seen(progress: ExportProgress) -> None:
                marks.append((time.monotonic() - started, progress.rows))

            result = export_audience(
                client, Audience("list", LIST_ID, "Bench list"), Path(tmp) / "out.csv", on_progress=seen, total=0
            )
            elapsed = time.monotonic() - started
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    whole = int(elapsed // window)
    limits = f"{op.burst_per_second}/s burst, {op.steady_per_minute}/min steady"
    print(f"operation {op.operation_id}: {limits}; window scale {args.scale} (a 'minute' of {window:.1f} s)")
    print(f"exported {result.rows:,} members in {elapsed:.1f} s: {result.rows / elapsed:,.0f} members/s overall")
    print(f"ceiling at this scale: {ceiling:,.0f} members/s (page size 100)")
    if not whole:
        print("the export ended within one window: raise --members to measure the ratio")
        return
    span = whole * window
    done = max((rows for t, rows in marks if t <= span), default=0)
    ratio = done / (span * ceiling)
    print(f"in {whole} whole window(s) ({span:.1f} s): {done:,} members = {ratio:.1%} of the ceiling")
    print("RESULT:", "PASS" if ratio >= 0.9 else "BELOW GOAL", "(goal >= 90%)")


if __name__ == "__main__":
    main()
