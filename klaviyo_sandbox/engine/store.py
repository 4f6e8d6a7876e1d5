"""SQLite persistence for the sandbox.

Concurrency model: ONE connection shared by all request threads and the job worker, guarded by one
re-entrant lock. Every read and write takes the lock, so SQLite never sees two statements at once and
never answers "database is locked". Writes run inside `BEGIN IMMEDIATE ... COMMIT`. This keeps the server
simple and is far faster than Klaviyo's own rate limits need (see bench/sandbox_throughput.py).

Each feature's `store.py` (listed in `STORE_MODULES`) declares its tables as DDL and registers them with
`register_schema`; the store imports every one of them on open, so no table depends on which routes happen to
be imported, creates them all, and `reset()` empties them all.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import secrets
import sqlite3
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from klaviyo_sandbox.engine.errors import not_found

_SCHEMAS: list[tuple[str, tuple[str, ...]]] = []

# One line per feature store (the only modules that call register_schema; tests/sandbox/test_stores.py checks).
STORE_MODULES: tuple[str, ...] = (
    "klaviyo_sandbox.profiles.store",
    "klaviyo_sandbox.profiles.jobs_store",
    "klaviyo_sandbox.lists.store",
    "klaviyo_sandbox.events.store",
    "klaviyo_sandbox.metrics.store",
    "klaviyo_sandbox.taggables.store",
    "klaviyo_sandbox.campaigns.store",
    "klaviyo_sandbox.flows.store",
    "klaviyo_sandbox.consent.store",
    "klaviyo_sandbox.templates.store",
    "klaviyo_sandbox.tags.store",
    "klaviyo_sandbox.catalog.store",
    "klaviyo_sandbox.reports.message_store",
    "klaviyo_sandbox.catalog.variants_store",
    "klaviyo_sandbox.catalog.categories_store",
    "klaviyo_sandbox.catalog.jobs_store",
)

_BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identity (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
#: Klaviyo account ids are the account's 6-character public key (letters and digits).
_ACCOUNT_ID_ALPHABET = string.ascii_uppercase + string.digits


def register_schema(ddl: str, tables: tuple[str, ...]) -> None:
    """Called at import time by feature stores; `tables` are emptied by reset()."""
    if (ddl, tables) not in _SCHEMAS:
        _SCHEMAS.append((ddl, tables))


def _private_db(path: Path) -> None:
    """The database holds customer data: a 0700 folder when we create it, the file 0600 (SQLite creates the WAL
    and SHM files with the database's mode, so they follow; those of an earlier version are tightened here).
    The core has the same rule in `klaviyo_core.paths`; the sandbox imports nothing from it."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in missing:
        os.chmod(folder, 0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            os.chmod(file, 0o600)


class Store:
    def __init__(self, path: Path | None) -> None:
        if path is not None:
            _private_db(path)
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        # New databases only (an existing file keeps its page size): a bulk job writes ~8 MB (its 2 MB body, then
        # profiles and indexes), and SQLite writes the WAL and checkpoints page by page with two system calls
        # each; 16 KB pages make that 4x fewer calls (measured: -25% system CPU per job, b-trees no slower).
        self._conn.execute("PRAGMA page_size=16384")
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # Checkpoint every 32 MB of WAL rather than the default 1,000 pages, which checkpointed after every
            # job and so copied the same index pages into the database again and again (measured: -4% CPU per
            # job); the size limit truncates the WAL file back after a big checkpoint.
            page_size = self._conn.execute("PRAGMA page_size").fetchone()[0]
            self._conn.execute(f"PRAGMA wal_autocheckpoint={32 * 1024 * 1024 // page_size}")
            self._conn.execute("PRAGMA journal_size_limit=67108864")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        # The default 2 MB page cache thrashes once the four profile indexes pass a few hundred MB (a million
        # imported profiles); 64 MB keeps their inner pages in memory.
        self._conn.execute("PRAGMA cache_size=-65536")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._depth = 0
        self.ensure_schemas()

    def ensure_schemas(self) -> None:
        for name in STORE_MODULES:
            importlib.import_module(name)
        with self._lock:
            self._conn.executescript(_BASE_SCHEMA)
            for ddl, _ in _SCHEMAS:
                self._conn.executescript(ddl)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def row_or_404(self, table: str, row_id: str, what: str) -> sqlite3.Row:
        """The row with this id, or Klaviyo's 404 naming the resource ("A list with id X does not exist.")."""
        with self.read() as conn:
            row = conn.execute(f"SELECT * FROM {table} WHERE id=?", (row_id,)).fetchone()  # table: ours, fixed
        if row is None:
            raise not_found(f"A {what} with id {row_id} does not exist.")
        return row  # type: ignore[no-any-return]

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested calls join the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def reset(self) -> None:
        with self.write() as conn:
            conn.execute("DELETE FROM kv")
            for _, tables in reversed(_SCHEMAS):
                for table in tables:
                    conn.execute(f"DELETE FROM {table}")

    def kv_get(self, key: str, default: Any = None) -> Any:
        with self.read() as conn:
            row = conn.execute("SELECT value FROM kv WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def kv_set(self, key: str, value: Any) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, json.dumps(value)),
            )

    def account_id(self) -> str:
        """This database's own lasting account id, made on first use and never reset.

        Why: the workbench binds checkpoints and plans to the account id from GET /api/accounts; if every
        sandbox answered the same id, an import started on one sandbox could resume on another. The id
        lives in `identity`, which `reset()` leaves alone (a reset empties an account, it does not make a
        new one)."""
        with self.write() as conn:
            row = conn.execute("SELECT value FROM identity WHERE key='account_id'").fetchone()
            if row is not None:
                return str(row[0])
            made = "".join(secrets.choice(_ACCOUNT_ID_ALPHABET) for _ in range(6))
            conn.execute("INSERT INTO identity(key, value) VALUES('account_id', ?)", (made,))
            return made

    def close(self) -> None:
        with self._lock:
            self._conn.close()
