"""Before a new plan reads the account: wait for the jobs an interrupted run (a killed command, a closed tab)
had sent, so the plan sees what they wrote and never plans, or sends, their resources again.

Only reads (GET job, GET job list to find a job whose 202 was lost): planning stays a read-only step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from klaviyo_core.catalog.checkpoint import unfinished_runs
from klaviyo_core.catalog.jobs import PHASES, Batch, Entry
from klaviyo_core.catalog.runner import JobSender

if TYPE_CHECKING:
    from klaviyo_core.http.client import KlaviyoClient


def settle_unfinished(client: KlaviyoClient, account_id: str, root: Path | None = None) -> int:
    """Wait for every job the account's interrupted runs sent; returns how many runs were settled."""
    runs = unfinished_runs(account_id, root)
    for workspace in runs:
        checkpoint, jobs = workspace.load()
        # Placeholder entries: only each job's path and size matter here (the outcomes belong to the old run).
        batches = [
            Batch(PHASES.index((kind, action)), kind, action, tuple(Entry(f"{i}:{n}", {}) for n in range(size)))
            for i, (kind, action, size) in enumerate(jobs)
        ]
        workspace.append()
        try:
            JobSender(client, batches, checkpoint, workspace).settle()
        finally:
            workspace.close()
        workspace.mark_settled()
    return len(runs)
