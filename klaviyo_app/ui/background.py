"""A profile import (or dry run) that runs beside the page, so the page stays usable while it runs.

Why a thread and not the script: a Streamlit script that runs the import itself blocks every click until
it ends (a Stop button could only interrupt it by an exception thrown through the core), and any rerun
(a download, a widget) would start it again. Here the script starts the run once, keeps it in session
state under the key of what produced it, and a fragment shows its progress every second; Stop sets
the event `import_profiles(..., stop=...)` honours. The thread never calls Streamlit: it only records the
latest progress and, at the end, the outcome (its result and top problems, or the exception).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from klaviyo_core.profiles import ImportResult, Progress, top_problems

Work = Callable[[threading.Event, Callable[[Progress], None]], ImportResult]


@dataclass
class Outcome:
    """What a finished run left: the result (with its top problems) or the exception that ended it."""

    key: str
    label: str  # "validation", "import" or "resumed import"
    result: ImportResult | None = None
    problems: pd.DataFrame | None = None
    error: BaseException | None = None
    stopped: bool = False  # Stop was pressed


@dataclass
class BackgroundRun:
    key: str  # what produced the run (file, mapping, options, dry run or not): its results are shown under it
    label: str  # what the user started: "validation", "import", "resumed import"
    stop: threading.Event = field(default_factory=threading.Event)
    progress: Progress | None = None
    outcome: Outcome | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.outcome is None

    def _record(self, progress: Progress) -> None:
        self.progress = progress  # read by the page's fragment; one reference swap, no lock needed

    def _work(self, work: Work) -> None:
        outcome = Outcome(self.key, self.label)
        try:
            outcome.result = work(self.stop, self._record)
            report = outcome.result.report_path
            outcome.problems = top_problems(report) if report is not None and report.exists() else None
        except BaseException as exc:  # noqa: BLE001 - handed to the page, which shows it in words (import_results)
            outcome.error = exc
        outcome.stopped = self.stop.is_set()
        self.outcome = outcome


def start_run(key: str, label: str, work: Work) -> BackgroundRun:
    """Start `work(stop, on_progress)` in a daemon thread; the caller keeps the returned run in session state."""
    run = BackgroundRun(key, label)
    run.thread = threading.Thread(target=run._work, args=(work,), name=f"profiles-{label}", daemon=True)
    run.thread.start()
    return run


def wait_briefly(run: BackgroundRun, seconds: float) -> Any:
    """Give a short run the chance to finish before the page draws its progress (no flicker for tiny files)."""
    if run.thread is not None:
        run.thread.join(timeout=seconds)
    return run.outcome
