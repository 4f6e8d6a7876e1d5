"""Where a catalog apply stands, on disk, so a killed process resumes without sending anything twice.

One folder per run, `<data dir>/catalog/<run id>/` (0700, files 0600), the run id derived from the target
account and the exact jobs, so applying the same plan to the same account finds its own checkpoint (the
profile import's idea: klaviyo_core/profiles/checkpoint.py). `run.json` records the target (name, account id,
base URL, key fingerprint: never the key); `journal.jsonl` is appended one line per step, so a 1,000-job run
does not rewrite a growing file 3,000 times: a job goes planned -> submitting (with the time, written BEFORE
the POST) -> submitted (with the job id, right after the 202) -> complete (with the outcome of each of its
resources). A resume replays the journal, polls submitted jobs and, for a `submitting` one, looks for the job
an earlier attempt created before ever sending it again. A line cut short by a kill is ignored.

A new plan first settles the account's interrupted runs (`unfinished_runs`, settle.py): it waits for the jobs
they had sent, so what it reads includes them and nothing they held is planned, or sent, again. `run.json`
therefore also lists each job's kind, action and size, enough to poll or adopt its jobs without the plan.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from klaviyo_core.accounts.target import Target
from klaviyo_core.catalog.jobs import Batch
from klaviyo_core.paths import data_dir, open_private

PLANNED, SUBMITTING, SUBMITTED, COMPLETE = "planned", "submitting", "submitted", "complete"


@dataclass
class JobState:
    index: int
    state: str = PLANNED
    job_id: str | None = None
    intent_at: float | None = None  # wall clock when the POST was about to go out


@dataclass
class CatalogCheckpoint:
    run_id: str
    target: dict[str, Any]
    jobs: list[JobState]
    #: key -> (status, message) for every resource whose job completed (or was refused whole).
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    resumed: bool = False

    @property
    def finished(self) -> bool:
        return all(j.state == COMPLETE for j in self.jobs)


def run_id_for(target: Target, batches: list[Batch]) -> str:
    """Same account and same jobs, same run (a sandbox restarted on another port is the same account)."""
    digest = hashlib.sha256(f"{target.account_id}\n".encode())
    for batch in batches:
        digest.update(json.dumps([batch.path, batch.body()], sort_keys=True).encode())
    return digest.hexdigest()[:16]


class CatalogWorkspace:
    """The run's folder; `open()` loads or starts the checkpoint, `record()` appends a step to the journal."""

    def __init__(self, run_id: str, root: Path | None = None) -> None:
        self.dir = (root or data_dir()) / "catalog" / run_id
        self.run_path = self.dir / "run.json"
        self.journal_path = self.dir / "journal.jsonl"
        self.settled_path = self.dir / "settled"
        self._journal: IO[str] | None = None

    def open(self, run_id: str, target: Target, batches: list[Batch]) -> CatalogCheckpoint:
        checkpoint = CatalogCheckpoint(run_id, target.to_dict(), [JobState(i) for i in range(len(batches))])
        if self.run_path.exists() and self.journal_path.exists():
            checkpoint.target = json.loads(self.run_path.read_text(encoding="utf-8"))["target"]
            checkpoint.resumed = self._replay(checkpoint)
        else:
            jobs = [[b.kind, b.action, len(b.entries)] for b in batches]
            with open_private(self.run_path, "w", encoding="utf-8") as f:
                json.dump({"run_id": run_id, "target": target.to_dict(), "jobs": jobs}, f)
        self.append()
        return checkpoint

    def append(self) -> None:
        """Open the journal for the steps to come."""
        self._journal = open_private(self.journal_path, "a", encoding="utf-8")

    def load(self) -> tuple[CatalogCheckpoint, list[tuple[str, str, int]]]:
        """An earlier run as recorded (its jobs' kind, action and size); for settling it without its plan."""
        run = json.loads(self.run_path.read_text(encoding="utf-8"))
        jobs = [(str(k), str(a), int(n)) for k, a, n in run["jobs"]]
        checkpoint = CatalogCheckpoint(run["run_id"], run["target"], [JobState(i) for i in range(len(jobs))])
        self._replay(checkpoint)
        return checkpoint, jobs

    def mark_settled(self) -> None:
        with open_private(self.settled_path, "w", encoding="utf-8") as f:
            f.write("every job this run sent is complete\n")

    def _replay(self, checkpoint: CatalogCheckpoint) -> bool:
        steps = 0
        for line in self.journal_path.read_text(encoding="utf-8").splitlines():
            try:
                step = json.loads(line)
            except ValueError:
                continue  # the last line of a killed run may be cut short
            job = checkpoint.jobs[step["i"]]
            job.state, job.job_id, job.intent_at = step["state"], step.get("job_id"), step.get("intent_at")
            for key, outcome in (step.get("outcomes") or {}).items():
                checkpoint.outcomes[key] = (outcome[0], outcome[1])
            steps += 1
        return steps > 0

    def record(self, job: JobState, outcomes: dict[str, tuple[str, str]] | None = None) -> None:
        assert self._journal is not None, "open() first"
        step: dict[str, Any] = {"i": job.index, "state": job.state, "job_id": job.job_id, "intent_at": job.intent_at}
        if outcomes:
            step["outcomes"] = outcomes
        self._journal.write(json.dumps(step, ensure_ascii=False) + "\n")
        self._journal.flush()

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def unfinished_runs(account_id: str, root: Path | None = None) -> list[CatalogWorkspace]:
    """Runs on this account that sent jobs and were not seen through (killed, stopped, failed)."""
    found = []
    for run in sorted(((root or data_dir()) / "catalog").glob("*/run.json")):
        workspace = CatalogWorkspace(run.parent.name, root)
        if workspace.settled_path.exists() or not workspace.journal_path.exists():
            continue
        try:
            target = json.loads(run.read_text(encoding="utf-8"))["target"]
        except (ValueError, KeyError):
            continue
        if target.get("account_id") == account_id:
            found.append(workspace)
    return found
