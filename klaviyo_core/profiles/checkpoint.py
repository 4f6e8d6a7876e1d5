"""Where an import stands, on disk, so a closed tab, a killed process or a lost network loses nothing.

One directory per import under `<data dir>/imports/<import id>/`; the id is derived from the file's content
fingerprint, the mapping and the options, so importing the same file the same way finds its own checkpoint.
The directory holds:
  checkpoint.json   this module's state: file, mapping, options, the target account (name, account id, base
                    URL, key fingerprint: never the key), counts, the chunk plan and every chunk's
                    state (planned -> submitting -> submitted -> complete) with its job id
  send.jsonl        the valid, de-duplicated profiles job after job: "<line>\t<profile JSON>" per row (people
                    who appear once in the file in file order, then the winners among repeated people)
  send_lines.i64    the file line of each row of send.jsonl, as int64 (the report looks rows up by line)
  rejected.jsonl    rows refused before sending: {"row", "status", "reason"}
  klaviyo.jsonl     rows refused by Klaviyo (import errors joined back to rows): {"row", "reason"}
It never holds the API key (nor any header); a test reads every file to check that.

A chunk is marked `submitting` (with a timestamp) *before* its POST, and `submitted` with the job id right
after the 202. On resume a `submitting` chunk is reconciled against the account's recent jobs before it is
ever sent again, so finished chunks are not re-sent and a job in flight is polled, not resubmitted.
Jobs are sent while the file is still being read (stage `streaming`); a run stopped then resumes by reading
the file again, which cuts the same jobs in the same order, and sends only those not sent yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from klaviyo_core.paths import open_private, private_dir

CHECKPOINT_VERSION = 2  # 2: jobs are cut while the file is read (stage 'streaming', send_lines.i64)
SEND_LINES = "send_lines.i64"  # file line of every sent row, in send order (int64, native byte order)
LOCK_FILE = "lock"  # held (flock / msvcrt) by the one run working on the import


def _lock_file(fd: int) -> None:
    """Exclusive, non-blocking; OSError when another run holds it."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


class Stage(StrEnum):
    """Where an import stands. A StrEnum: checkpoint.json keeps the same strings, so older files still load."""

    NEW = "new"
    STREAMING = "streaming"  # reading the file and sending jobs as they are cut
    PREPARED = "prepared"  # a dry run's pass one is done
    SENDING = "sending"
    DONE = "done"


class ChunkStatus(StrEnum):
    """Where one job stands: planned -> submitting -> submitted -> complete (or cancelled). The last two are
    Klaviyo's own job statuses, read straight from its answer."""

    PLANNED = "planned"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    COMPLETE = "complete"
    CANCELLED = "cancelled"


FINISHED_CHUNK = (ChunkStatus.COMPLETE, ChunkStatus.CANCELLED)  # Klaviyo is done with the job


@dataclass
class ChunkState:
    index: int
    offset: int  # byte offset of its first line in send.jsonl
    rows: int
    size: int  # compact JSON bytes of its profiles
    first_line: int
    last_line: int
    state: ChunkStatus = ChunkStatus.PLANNED
    job_id: str | None = None
    intent_at: float | None = None  # wall clock when the POST was about to go out
    completed_count: int = 0
    failed_count: int = 0
    errors_fetched: bool = False
    subscribed: bool = False


@dataclass
class Checkpoint:
    import_id: str
    file_path: str
    fingerprint: str
    mapping: list[dict[str, str]]
    options: dict[str, Any]
    stage: Stage = Stage.NEW
    counts: dict[str, int] = field(default_factory=dict)
    chunks: list[ChunkState] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    version: int = CHECKPOINT_VERSION
    #: The account the import writes to (`klaviyo_core.accounts.Target.to_dict()`); a resume elsewhere is
    #: refused. Kept inside the checkpoint, not in its id: the same file resumes only on its own account.
    #: None: written before targets were recorded (an "older version"), adopted only after the user confirms.
    target: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Checkpoint:
        chunks = [
            ChunkState(**{**c, "state": ChunkStatus(c.get("state", ChunkStatus.PLANNED))})
            for c in doc.pop("chunks", [])
        ]
        return cls(**{**doc, "stage": Stage(doc.get("stage", Stage.NEW))}, chunks=chunks)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def finished(self) -> bool:
        return self.stage == Stage.DONE

    @property
    def from_older_version(self) -> bool:
        """Started before the target was recorded: nobody knows which account it was sending to."""
        return self.target is None and self.stage in UNFINISHED

    @property
    def target_label(self) -> str:
        """Which account this import writes to, in words (for lists of unfinished imports)."""
        if self.target is None:
            return "an unknown account (started by an older version)"
        return f"'{self.target.get('name', '')}' (id {self.target.get('account_id', '')})"


def import_id_for(fingerprint: str, mapping: list[dict[str, str]], options: dict[str, Any]) -> str:
    blob = json.dumps([fingerprint, mapping, options], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


UNFINISHED = (Stage.STREAMING, Stage.PREPARED, Stage.SENDING)  # stages an import can be resumed from


class ImportBusy(Exception):
    """Another run of the same import holds its workspace (another window, tab or process); nothing was done."""

    def __init__(self, file_path: str) -> None:
        super().__init__(
            f"The import of {Path(file_path).name} is running elsewhere (another window, tab or command). "
            "Two runs of one import would fight over its files, so this one did nothing: wait for the other to "
            "finish, or stop it, then resume."
        )


class Workspace:
    """The directory of one import and its checkpoint file (written atomically)."""

    def __init__(self, root: Path, import_id: str) -> None:
        self.dir = root / "imports" / import_id
        self.checkpoint_path = self.dir / "checkpoint.json"
        self.send_path = self.dir / "send.jsonl"
        self.rejected_path = self.dir / "rejected.jsonl"
        self.klaviyo_path = self.dir / "klaviyo.jsonl"
        self.send_lines_path = self.dir / SEND_LINES

    def load(self) -> Checkpoint | None:
        if not self.checkpoint_path.exists():
            return None
        doc = json.loads(self.checkpoint_path.read_text(encoding="utf-8"))
        if doc.get("version") != CHECKPOINT_VERSION:
            return None
        return Checkpoint.from_json(doc)

    def save(self, checkpoint: Checkpoint) -> None:
        checkpoint.updated_at = time.time()
        tmp = self.checkpoint_path.with_suffix(".tmp")
        with open_private(tmp, "w", encoding="utf-8") as f:
            json.dump(checkpoint.to_json(), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.checkpoint_path)

    def sent_lines(self) -> np.ndarray:
        """File line of every row written to send.jsonl, in send order (empty before anything was cut)."""
        path = self.send_lines_path
        return np.fromfile(path, dtype=np.int64) if path.exists() else np.array([], dtype=np.int64)

    @contextlib.contextmanager
    def lock(self, file_path: str) -> Iterator[None]:
        """Hold this import for one run (ImportBusy when another run holds it).

        Why: a run still reading (a tab whose Stop has not landed yet, a worker left by a killed command) and a
        resume of the same import shared the spooled Arrow chunks, and one deleted the other's: the resume died
        with FileNotFoundError. The OS drops the lock when its process dies, so a killed run never blocks."""
        private_dir(self.dir)
        with open_private(self.dir / LOCK_FILE, "a+b") as handle:
            try:
                _lock_file(handle.fileno())
            except OSError:
                raise ImportBusy(file_path) from None
            try:
                yield
            finally:
                _unlock_file(handle.fileno())

    def discard(self) -> None:
        """Forget this import: its checkpoint and spooled rows (the user chose Discard); not while it runs."""
        if self.dir.is_dir():
            with self.lock(str(self.dir)):
                shutil.rmtree(self.dir, ignore_errors=True)

    def reset_files(self) -> None:
        private_dir(self.dir)
        for path in (self.send_path, self.send_lines_path, self.rejected_path, self.klaviyo_path):
            path.unlink(missing_ok=True)


def unfinished_imports(root: Path) -> list[Checkpoint]:
    """Imports that were started and not finished, newest first (the page offers to resume them)."""
    found = []
    for path in sorted((root / "imports").glob("*/checkpoint.json")):
        try:
            cp = Workspace(root, path.parent.name).load()
        except (ValueError, OSError):
            continue
        if cp is not None and cp.stage in UNFINISHED:
            found.append(cp)
    return sorted(found, key=lambda c: c.updated_at, reverse=True)


def discard_import(root: Path, import_id: str) -> bool:
    """Forget an unfinished import (its checkpoint and spooled rows): the page's and the CLI's Discard.

    Rows it already sent stay imported in Klaviyo; a later import of the same file starts afresh; its report,
    if written elsewhere, stays. Returns whether there was anything to forget. Only a folder under
    `<root>/imports` named by a 16-hex id is removed, and not while a run holds it (ImportBusy).
    """
    if len(import_id) != 16 or any(c not in "0123456789abcdef" for c in import_id):
        return False
    ws = Workspace(root, import_id)
    if not ws.dir.is_dir():
        return False
    ws.discard()
    return True
