"""How far an import got, in words the page and the CLI share.

Why these words: a marketer watching an import wants to know how many rows were checked, sent and
confirmed by Klaviyo, and how many have a problem so far; not our stages ("errors", "looking for people
who appear twice"). The bar moves from the first second: the first read of the file is counted against an
estimate of its rows (from its size), before the exact count is known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from klaviyo_core.profiles.checkpoint import FINISHED_CHUNK, Checkpoint, Stage

ESTIMATE_BYTES = 256 * 1024  # bytes read to estimate a file's rows (bar only; never used for counts)


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
    rows_total: int = 0  # data rows in the file (an estimate while `scanning`)
    scanning: bool = False  # the first read: counting rows and finding people who appear twice
    problems: int = 0  # rows refused so far (by the checks, or by Klaviyo)
    rows_confirmed: int = 0  # rows in jobs Klaviyo has finished
    dry_run: bool = False

    @property
    def share(self) -> float:
        """How far along, 0..1: the first read, then the checks, then (for an import) Klaviyo's confirmations."""
        scanned = 1.0 if not (self.reading and self.scanning) else _part(self.rows_read, self.rows_total)
        checked = 1.0 if not self.reading else (0.0 if self.scanning else _part(self.rows_read, self.rows_total))
        if self.dry_run:
            return 0.5 * scanned + 0.5 * checked
        to_confirm = self.rows_total if self.reading else self.rows_to_send
        confirmed = _part(self.rows_confirmed, to_confirm) if to_confirm else (0.0 if self.reading else 1.0)
        return 0.2 * scanned + 0.3 * checked + 0.5 * confirmed

    def text(self, sep: str = " · ") -> str:
        """One line for a progress bar or a terminal (the page and the CLI say the same thing)."""
        if self.stage == "consent":  # what a consent tick is about to do, said before it is sent
            return self.message
        if self.reading and self.scanning:
            parts = [f"Reading the file: {self.rows_read:,} rows so far"]
        elif self.reading:
            parts = [f"Checked {self.rows_read:,} of {self.rows_total:,} rows"]
        elif self.dry_run:
            parts = [f"Checked {self.rows_total:,} rows"]
        else:
            parts = [f"Sent {self.rows_sent:,} of {self.rows_to_send:,} rows"]
        if self.reading and self.rows_sent:
            parts.append(f"sent {self.rows_sent:,}")
        if self.rows_sent:
            parts.append(f"confirmed by Klaviyo {self.rows_confirmed:,}")
        if not self.scanning:
            parts.append(f"{self.problems:,} problem{'s' if self.problems != 1 else ''} so far")
        if self.wait_seconds:
            parts.append(f"{self.wait_seconds:.1f} s waiting for Klaviyo's rate limits")
        if self.eta_seconds:
            parts.append(f"about {self.eta_seconds:.0f} s left")
        return sep.join(parts)


def _part(done: int, total: int) -> float:
    return min(done / total, 1.0) if total > 0 else 0.0


ProgressFn = Callable[[Progress], None]


def estimate_rows(path: Path) -> int:
    """Data rows in a file, estimated from its size and its first lines (for the bar before the count)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(ESTIMATE_BYTES)
    lines = head.count(b"\n")
    if not lines or len(head) >= size:
        return max(lines - 1, 1)
    return max(int(size / (len(head) / lines)) - 1, 1)


def progress_text(checkpoint: Checkpoint) -> str:
    """How far an unfinished import got, in words (for the resume offer)."""
    chunks = checkpoint.chunks
    sent = sum(c.rows for c in chunks if c.job_id or c.state in FINISHED_CHUNK)
    confirmed = sum(c.rows for c in chunks if c.state in FINISHED_CHUNK)
    if checkpoint.stage == Stage.STREAMING:
        return f"it stopped while still checking the file, after sending {sent:,} rows"
    return f"{confirmed:,} of {sum(c.rows for c in chunks):,} rows confirmed by Klaviyo"
