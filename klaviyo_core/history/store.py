"""Where the write history lives: one folder per account, an append-only JSON-lines file and the reports.

    <data dir>/history/<account>/runs.jsonl      a line when a run starts, another when it ends (same run_id)
    <data dir>/history/<account>/reports/<run_id>.csv

Why per account id (the target binding of DESIGN §1b): a renamed account or a replaced key keeps its history,
and a LIVE store's runs never mix with a sandbox's. Why append-only: a crash mid-run leaves the "running" line,
which is read back as "interrupted" once its process is gone, instead of a half-written JSON file. Every file
is customer data (file names, counts, per-row reports): 0600 in 0700 folders. Nothing from a key is stored,
and text is scrubbed of anything shaped like one before it is written (a key pasted into a file name).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from klaviyo_core.history.records import INTERRUPTED, RUNNING, WriteRecord
from klaviyo_core.http.redaction import scrub_keys
from klaviyo_core.paths import data_dir, open_private, private_dir, private_file, write_private_text

RUNS_FILE = "runs.jsonl"
REPORTS = "reports"
_LOCK = threading.Lock()


def history_root() -> Path:
    return data_dir("history")


def account_folder(account_id: str, root: Path | None = None) -> Path:
    """A folder name safe on every OS for an account id (ids are alphanumeric; anything else is hashed in)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", account_id).strip("-")[:40] or "unknown"
    if slug != account_id:
        slug += "-" + hashlib.sha256(account_id.encode()).hexdigest()[:8]
    return (root or history_root()) / slug


def append(record: WriteRecord, root: Path | None = None) -> None:
    """Add a line for `record` (a start, or its end: the later line of a run_id wins when read back)."""
    path = account_folder(record.target.account_id, root) / RUNS_FILE
    line = json.dumps(scrub_keys(record.to_json()), ensure_ascii=False, default=str)
    with _LOCK, open_private(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def report_path(record: WriteRecord, root: Path | None = None) -> Path | None:
    """The stored per-row report of a run, when it has one and it is still there."""
    if not record.report:
        return None
    path = account_folder(record.target.account_id, root) / REPORTS / Path(record.report).name
    return path if path.is_file() else None


def store_report_text(account_id: str, run_id: str, text: str, root: Path | None = None) -> str:
    """Keep a report the caller built with the one CSV writer; returns its name for the record."""
    name = f"{run_id}.csv"
    write_private_text(account_folder(account_id, root) / REPORTS / name, text)
    return name


def store_report_file(account_id: str, run_id: str, source: Path, root: Path | None = None) -> str:
    """Keep a copy of a report file already written (the profile import's, which may be large): a hard link
    when the file system allows it (no second copy on disk), else a byte copy; owner-only either way."""
    name = f"{run_id}.csv"
    folder = private_dir(account_folder(account_id, root) / REPORTS)
    dest = folder / name
    dest.unlink(missing_ok=True)
    try:
        os.link(source, dest)
    except OSError:
        with open(source, "rb") as src, open_private(dest, "wb") as out:
            shutil.copyfileobj(src, out)
    private_file(dest)
    return name


def _alive(record: WriteRecord) -> bool:
    """Whether a "running" record's process still runs (on this machine; another host's is trusted)."""
    if record.host and record.host != socket.gethostname():
        return True
    if record.pid <= 0:
        return False
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _read(path: Path) -> Iterator[WriteRecord]:
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                yield WriteRecord.from_json(json.loads(line))
            except (ValueError, TypeError, KeyError):
                continue  # a line cut short by a crash: skip it, keep the rest


def _runs_in(folder: Path) -> list[WriteRecord]:
    latest: dict[str, WriteRecord] = {}
    for record in _read(folder / RUNS_FILE):
        latest[record.run_id] = record
    out = [r.with_status(INTERRUPTED) if r.status == RUNNING and not _alive(r) else r for r in latest.values()]
    return sorted(out, key=lambda r: (r.started_at, r.run_id), reverse=True)


def load_runs(account_id: str, limit: int = 100, root: Path | None = None) -> list[WriteRecord]:
    """One account's runs, newest first."""
    return _runs_in(account_folder(account_id, root))[: max(limit, 0)]


def load_all_runs(account: str = "", limit: int = 100, root: Path | None = None) -> list[WriteRecord]:
    """Every account's runs, newest first; `account` keeps only those whose account name or id equals it."""
    base = root or history_root()
    folders = sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    runs = [r for folder in folders for r in _runs_in(folder)]
    if account:
        wanted = account.casefold()
        runs = [r for r in runs if wanted in (r.target.name.casefold(), r.target.account_id.casefold())]
    return sorted(runs, key=lambda r: (r.started_at, r.run_id), reverse=True)[: max(limit, 0)]
