"""Where an import stands, on disk, so a closed tab, a killed process or a lost network loses nothing.

One directory per import under `<data dir>/imports/<import id>/`; the id is derived from the file's content
fingerprint, the mapping and the options, so importing the same file the same way finds its own checkpoint.
The directory holds:
  checkpoint.json   this module's state: file, mapping, options, counts, the chunk plan and every chunk's
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

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

CHECKPOINT_VERSION = 2  # 2: jobs are cut while the file is read (stage 'streaming', send_lines.i64)
SEND_LINES = "send_lines.i64"  # file line of every sent row, in send order (int64, native byte order)


@dataclass
class ChunkState:
    index: int
    offset: int  # byte offset of its first line in send.jsonl
    rows: int
    size: int  # compact JSON bytes of its profiles
    first_line: int
    last_line: int
    state: str = "planned"  # planned | submitting | submitted | complete | cancelled
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
    stage: str = "new"  # new | streaming (reading and sending) | prepared (dry run) | sending | done
    counts: dict[str, int] = field(default_factory=dict)
    chunks: list[ChunkState] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    version: int = CHECKPOINT_VERSION

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Checkpoint:
        chunks = [ChunkState(**c) for c in doc.pop("chunks", [])]
        return cls(**doc, chunks=chunks)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def finished(self) -> bool:
        return self.stage == "done"


def import_id_for(fingerprint: str, mapping: list[dict[str, str]], options: dict[str, Any]) -> str:
    blob = json.dumps([fingerprint, mapping, options], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


UNFINISHED = ("streaming", "prepared", "sending")  # stages an import can be resumed from


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
        self.dir.mkdir(parents=True, exist_ok=True)
        checkpoint.updated_at = time.time()
        tmp = self.checkpoint_path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(checkpoint.to_json(), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.checkpoint_path)

    def sent_lines(self) -> np.ndarray:
        """File line of every row written to send.jsonl, in send order (empty before anything was cut)."""
        path = self.send_lines_path
        return np.fromfile(path, dtype=np.int64) if path.exists() else np.array([], dtype=np.int64)

    def reset_files(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
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
    """Forget an unfinished import (its checkpoint and spooled rows): the user chose not to resume it.

    Rows it already sent stay imported in Klaviyo; a later import of the same file starts afresh. Returns
    whether there was anything to forget. Only a folder under `<root>/imports` named by a 16-hex id is removed.
    """
    if len(import_id) != 16 or any(c not in "0123456789abcdef" for c in import_id):
        return False
    folder = Workspace(root, import_id).dir
    if not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True
