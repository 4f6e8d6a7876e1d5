"""Catalog bulk jobs (items, variants, categories x create, update, delete): one table, the raw request kept
until the worker has processed it, so a job accepted before a restart is processed after it."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS catalog_jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        total_count INTEGER NOT NULL,
        completed_count INTEGER NOT NULL DEFAULT 0,
        failed_count INTEGER NOT NULL DEFAULT 0,
        completed_at TEXT,
        expires_at TEXT,
        payload TEXT,
        errors TEXT NOT NULL DEFAULT '[]',
        resource_ids TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX IF NOT EXISTS catalog_jobs_kind ON catalog_jobs(kind, created_at);
    CREATE INDEX IF NOT EXISTS catalog_jobs_status ON catalog_jobs(status);
    """,
    ("catalog_jobs",),
)

UNFINISHED = ("queued", "processing")
KEEP_FOR = timedelta(days=30)  # EMULATOR CHOICE, as for profile import jobs (facts §9)


def in_progress(store: Store) -> int:
    with store.read() as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM catalog_jobs WHERE status IN ('queued', 'processing')").fetchone()[0]
        )


def insert_job(store: Store, job_id: str, kind: str, total: int, payload: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO catalog_jobs (id, kind, status, created_at, total_count, payload) "
            "VALUES (?, ?, 'queued', ?, ?, ?)",
            (job_id, kind, timeutil.iso(), total, payload),
        )


def job_row(store: Store, job_id: str, kind: str) -> sqlite3.Row | None:
    with store.read() as conn:
        return conn.execute("SELECT * FROM catalog_jobs WHERE id=? AND kind=?", (job_id, kind)).fetchone()  # type: ignore[no-any-return]


def job_rows(store: Store, kind: str) -> list[sqlite3.Row]:
    with store.read() as conn:
        return conn.execute("SELECT * FROM catalog_jobs WHERE kind=? ORDER BY created_at, id", (kind,)).fetchall()


def pending_jobs(store: Store) -> list[str]:
    """Jobs accepted but not finished (e.g. when the sandbox stopped), oldest first."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id FROM catalog_jobs WHERE status IN ('queued', 'processing') ORDER BY created_at, id"
        ).fetchall()
    return [r[0] for r in rows]


def start_job(store: Store, job_id: str) -> tuple[sqlite3.Row, int] | None:
    """Mark the job processing; (its row, how many other jobs wait) or None when it is already complete."""
    with store.write() as conn:
        row = conn.execute("SELECT * FROM catalog_jobs WHERE id=?", (job_id,)).fetchone()
        if row is None or row["status"] not in UNFINISHED:
            return None
        conn.execute("UPDATE catalog_jobs SET status='processing' WHERE id=?", (job_id,))
        backlog = conn.execute("SELECT COUNT(*) FROM catalog_jobs WHERE status='queued'").fetchone()[0]
    return row, int(backlog)


def finish_job(conn: sqlite3.Connection, job_id: str, done_ids: list[str], errors: list[dict[str, Any]]) -> None:
    """Counts, errors and the resources touched, in the caller's transaction (the one that wrote them)."""
    now = timeutil.now()
    conn.execute(
        "UPDATE catalog_jobs SET status='complete', completed_count=?, failed_count=?, completed_at=?, "
        "expires_at=?, payload=NULL, errors=?, resource_ids=? WHERE id=?",
        (
            len(done_ids),
            len(errors),
            timeutil.iso(now),
            timeutil.iso(now + KEEP_FOR),
            json.dumps(errors),
            json.dumps(done_ids),
            job_id,
        ),
    )
