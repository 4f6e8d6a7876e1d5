"""Bench a cached render of the Campaigns & flows page (AppTest, warm caches) and print figures; asserts nothing.

    python bench/campaigns_page.py              # 30 reruns and 10 new sessions
    python bench/campaigns_page.py --runs 100 --sessions 20

Why: a reporting call costs one of 225 a day, so the page must be cheap to show again from what is stored
(issue 17's goal: a cached render in <= 50 ms). The bench starts the app in AppTest on a fresh data dir with
the embedded sandbox's demo data, spends the two calls once (the period and its comparison), then times:
- a rerun of the same session (the report kept in session state; names and comparison read from disk),
- a new session's first render of the page (everything from the disk caches, no reporting call).
Each figure is the whole script run as AppTest drives it (router, sidebar and page), so it is an upper bound
for the page's own work. One difference is removed: AppTest compiles app.py and the page again on every run
(a new ScriptCache per run, streamlit/testing/v1/app_test.py and local_script_runner.py), while the served app's
Runtime keeps one ScriptCache for the process (streamlit/runtime/runtime.py), so a real rerun never recompiles;
profiled, that compile (AST magic + compile) was about 40% of a warm AppTest rerun. `--recompile` keeps
AppTest's behaviour for comparison. The number of reporting and campaigns calls during the timed renders is printed too:
both must be 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGE = "klaviyo_app/app_pages/campaigns.py"


def _calls(counts: dict[tuple[str, int], int], *operations: str) -> int:
    return sum(n for (op, _), n in counts.items() if op in operations)


def _figures(label: str, seconds: list[float], cpu: list[float]) -> None:
    """Wall time (what a user waits, inflated by whatever else the machine runs) and this process's CPU time
    (the render's own work, which other load does not inflate), each median and p90."""
    for kind, values in (("wall", seconds), ("CPU", cpu)):
        ms = sorted(s * 1000 for s in values)
        p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
        print(
            f"{label:<31} {kind:>4} median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   min {ms[0]:6.1f} ms"
            f"  (n={len(ms)})"
        )


def _one_script_cache() -> None:
    """One ScriptCache for every AppTest run, as the served app's Runtime keeps one (see the module docstring)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="reruns of one session")
    parser.add_argument("--sessions", type=int, default=10, help="new sessions, each timed on its first render")
    parser.add_argument("--recompile", action="store_true", help="compile the scripts on every run, as AppTest does")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-campaigns-"))
    os.environ["KLAVIYO_WORKBENCH_HOME"] = str(home)
    os.environ["KLAVIYO_WORKBENCH_NO_DEMO"] = "1"

    from streamlit.testing.v1 import AppTest

    if not args.recompile:
        _one_script_cache()

    from klaviyo_app.ui.sandbox import embedded_sandbox
    from klaviyo_sandbox.seed import seed_demo

    app = str(ROOT / "app.py")
    at = AppTest.from_file(app, default_timeout=120)
    at.run()
    sandbox = embedded_sandbox().server.app
    seed_demo(sandbox.store)
    at.switch_page(PAGE).run()
    at.button(key="rep_fetch").click().run()
    at.button(key="rep_compare").click().run()
    if at.exception or len(at.metric) != 7:
        raise SystemExit(f"the page did not load its report and comparison: {at.exception}")
    rows = len(at.dataframe[0].value)
    before = dict(sandbox.counts)

    reruns, rerun_cpu = [], []
    for _ in range(args.runs):
        started, cpu = time.perf_counter(), time.process_time()
        at.run()
        reruns.append(time.perf_counter() - started)
        rerun_cpu.append(time.process_time() - cpu)
    fresh, fresh_cpu = [], []
    for _ in range(args.sessions):
        session = AppTest.from_file(app, default_timeout=120)
        session.run()
        started, cpu = time.perf_counter(), time.process_time()
        session.switch_page(PAGE).run()
        fresh.append(time.perf_counter() - started)
        fresh_cpu.append(time.process_time() - cpu)
        if len(session.metric) != 7:
            raise SystemExit("a new session did not show the cached comparison")

    after = dict(sandbox.counts)
    spent = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    print(f"campaigns page, warm caches: {rows} campaign messages, comparison shown (7 tiles)")
    _figures("rerun of one session", reruns, rerun_cpu)
    _figures("first render of a new session", fresh, fresh_cpu)
    print(
        "calls during the timed renders: reporting",
        _calls(spent, "query_campaign_values"),
        "| campaigns reads",
        _calls(spent, "get_campaigns"),
        "| all",
        sum(spent.values()),
    )
    print(f"scripts compiled {'on every run (as AppTest does)' if args.recompile else 'once (as the served app does)'}")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("goal: a cached render in <= 50 ms")


if __name__ == "__main__":
    main()
