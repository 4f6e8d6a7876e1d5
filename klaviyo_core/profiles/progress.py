"""How far an import got, in words the page and the CLI share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from klaviyo_core.profiles.checkpoint import FINISHED_CHUNK, Checkpoint, Stage


@dataclass
class Progress:
    stage: str
    rows_to_send: int = 0
    rows_sent: int = 0
    jobs_total: int = 0
    jobs_submitted: int = 0
    jobs_complete: int = 0
    wait_seconds: float = 0.0  # time spent waiting for rate limits and retries
    eta_seconds: float | None = None
    message: str = ""
    reading: bool = False  # the file is still being read; more jobs will follow
    rows_read: int = 0
    rows_total: int = 0  # data rows in the file (known once the first read is done)

    @property
    def share(self) -> float:
        """How far along, 0..1: rows read while the file is read, then jobs finished."""
        if self.stage == "reading":
            return 0.0
        if self.reading:
            return min(self.rows_read / self.rows_total, 1.0) if self.rows_total else 0.0
        return min(self.jobs_complete / self.jobs_total, 1.0) if self.jobs_total else 1.0

    def text(self, sep: str = " · ") -> str:
        """One line for a progress bar or a terminal (the page and the CLI say the same thing)."""
        waits = f"{sep}{self.wait_seconds:.1f} s waiting for rate limits" if self.wait_seconds else ""
        if self.stage == "reading":
            return f"Reading and validating... {self.message}"
        if self.stage == "consent":  # what a consent tick is about to do, said before it is sent
            return self.message
        if self.reading:  # jobs go out while the rest of the file is validated
            jobs = f"{self.jobs_submitted} job{'s' if self.jobs_submitted != 1 else ''}"
            return f"Sending while reading the file: {self.rows_sent:,} rows in {jobs} sent{sep}{self.message}{waits}"
        eta = f"{sep}about {self.eta_seconds:.0f} s left" if self.eta_seconds else ""
        rows = f"{self.rows_sent:,}/{self.rows_to_send:,} rows sent"
        return f"{self.stage}: {rows}{sep}{self.jobs_complete}/{self.jobs_total} jobs done{waits}{eta}"


ProgressFn = Callable[[Progress], None]


def progress_text(checkpoint: Checkpoint) -> str:
    """How far an unfinished import got, in words (for the resume offer)."""
    chunks = checkpoint.chunks
    if checkpoint.stage == Stage.STREAMING:
        sent = sum(1 for c in chunks if c.job_id or c.state in FINISHED_CHUNK)
        return f"it stopped while still reading the file, after sending {sent} job{'s' if sent != 1 else ''}"
    done = sum(1 for c in chunks if c.state in FINISHED_CHUNK)
    return f"{done} of {len(chunks)} jobs done"
