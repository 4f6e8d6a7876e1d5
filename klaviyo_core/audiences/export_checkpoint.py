"""The resume point of an audience export, bound to its target (DESIGN §1b).

Why: an export of a large audience runs at the members endpoint's ceiling (750 pages a minute) for minutes;
a dropped connection or a closed laptop must not start it over. After each page the rows are appended to the
`.partial` file and flushed, then this checkpoint records the partial file's size and the cursor of
the next page (the path and query of `links.next`, so a sandbox restarted on another port still resumes). A
resume first cuts the partial file back to the recorded size, so rows written after the last checkpoint (a
crash between the two writes) are dropped and read again: no row is ever written twice. Neither file is
fsynced (it cost a third of each page's time): a process that dies leaves both in the OS's cache, and after a
power cut a partial file shorter than its checkpoint says is detected and the export starts afresh. The checkpoint names
the account id it was made for; a resume on another account is refused (TargetMismatch) before any request.
The key covers the audience, the columns, the hashing and the output file: another choice starts afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from klaviyo_core.paths import data_dir, open_private


@dataclass
class ExportCheckpoint:
    key: str
    target: dict[str, Any]
    audience: dict[str, str]
    fields: list[str]
    hashed: str | None
    out: str
    next_page: str | None = None  # path?query of the next page; None before the first page
    rows: int = 0
    size: int = 0  # bytes of the partial file that hold whole, checkpointed rows
    pages: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def checkpoint_key(account_id: str, kind: str, audience_id: str, fields: tuple[str, ...], hashed: str | None,
                   out: Path) -> str:  # fmt: skip
    text = json.dumps([account_id, kind, audience_id, list(fields), hashed, str(Path(out).resolve())])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _path(key: str) -> Path:
    return data_dir("exports", "checkpoints", f"{key}.json")


def load_checkpoint(key: str) -> ExportCheckpoint | None:
    """The checkpoint for this export, or None (none, or unreadable: an export then starts afresh)."""
    with contextlib.suppress(OSError, ValueError, TypeError):
        data = json.loads(_path(key).read_text(encoding="utf-8"))
        return ExportCheckpoint(**data)
    return None


def save_checkpoint(cp: ExportCheckpoint) -> None:
    """Atomic (a crash leaves the old checkpoint or the new one) and private."""
    path = _path(cp.key)
    tmp = path.with_suffix(".tmp")
    with open_private(tmp, "w", encoding="utf-8") as fh:
        json.dump(cp.to_json(), fh)
    os.replace(tmp, path)


def drop_checkpoint(key: str) -> None:
    _path(key).unlink(missing_ok=True)
