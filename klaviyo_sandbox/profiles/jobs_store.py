"""Profile job storage: bulk import jobs (profiles/import_jobs.py) and bulk subscribe jobs (profiles/subscriptions.py).

Why a module of its own: the routes only parse, call a store and serialise (moto's models.py / responses.py), and
these job tables with their queries would push `profiles/store.py` past the house limit of ~400 lines.

A job's raw body waits in `profile_import_payloads`, not in the job row: SQLite rewrites a whole row on UPDATE,
so a 2 MB payload in the job row was copied again when the job moved to 'processing'. Databases written before
that keep payloads in `profile_import_jobs.payload`; `start_import_job` reads either.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from klaviyo_sandbox.engine import fastjson, timeutil
from klaviyo_sandbox.engine.store import Store, register_schema
from klaviyo_sandbox.profiles import store as profilestore

register_schema(
    """
    CREATE TABLE IF NOT EXISTS profile_import_jobs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        expires_at TEXT,
        total_count INTEGER NOT NULL,
        completed_count INTEGER NOT NULL DEFAULT 0,
        failed_count INTEGER NOT NULL DEFAULT 0,
        list_ids TEXT NOT NULL DEFAULT '[]',
        payload BLOB,  -- only in databases written before profile_import_payloads existed
        profile_ids TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE IF NOT EXISTS profile_import_payloads (job_id TEXT PRIMARY KEY, payload BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS profile_import_errors (
        job_id TEXT NOT NULL,
        pos INTEGER NOT NULL,
        id TEXT NOT NULL,
        code TEXT NOT NULL,
        title TEXT NOT NULL,
        detail TEXT NOT NULL,
        pointer TEXT NOT NULL,
        original_payload TEXT,
        PRIMARY KEY (job_id, pos)
    ) WITHOUT ROWID;
    """,
    ("profile_import_errors", "profile_import_payloads", "profile_import_jobs"),
)

register_schema(
    """
    CREATE TABLE IF NOT EXISTS subscription_jobs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    """,
    ("subscription_jobs",),
)

#: One import error row after its job id: (pos, id, code, title, detail, pointer, original_payload JSON).
ErrorRow = tuple[Any, ...]


# -- profile bulk import jobs --------------------------------------------------------------------------------
def insert_import_job(store: Store, job_id: str, total: int, list_ids: list[str], body: bytes) -> None:
    """A queued job and its raw body (the worker parses it later, outside the POST)."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO profile_import_jobs(id, status, created_at, total_count, list_ids)"
            " VALUES (?, 'queued', ?, ?, ?)",
            (job_id, timeutil.iso(), total, json.dumps(list_ids)),
        )
        conn.execute("INSERT INTO profile_import_payloads(job_id, payload) VALUES (?, ?)", (job_id, body))


def pending_import_jobs(store: Store) -> list[str]:
    """Jobs to (re)run after a restart, oldest first: 'processing' ones were interrupted and are resumable."""
    with store.read() as conn:
        rows = conn.execute("SELECT id FROM profile_import_jobs WHERE status IN ('queued', 'processing') ORDER BY seq")
        return [r[0] for r in rows]


def start_import_job(store: Store, job_id: str) -> tuple[sqlite3.Row, bool] | None:
    """Mark the job processing and return (row with status/list_ids/payload, whether other jobs wait behind it);
    None when the job is gone or already finished."""
    with store.write() as conn:
        row: sqlite3.Row | None = conn.execute(
            "SELECT j.status, j.list_ids, COALESCE(p.payload, j.payload) AS payload FROM profile_import_jobs j"
            " LEFT JOIN profile_import_payloads p ON p.job_id = j.id WHERE j.id=?",
            (job_id,),
        ).fetchone()
        if row is None or row["status"] not in ("queued", "processing"):
            return None
        conn.execute(
            "UPDATE profile_import_jobs SET status='processing', started_at=COALESCE(started_at, ?) WHERE id=?",
            (timeutil.iso(), job_id),
        )
        backlog = conn.execute("SELECT 1 FROM profile_import_jobs WHERE status='queued' LIMIT 1").fetchone()
    return row, backlog is not None


def finish_import_job(
    conn: sqlite3.Connection,
    job_id: str,
    *,
    list_ids: list[str],
    profile_ids: list[str],
    imported: int,
    errors: Sequence[ErrorRow],
    keep_for: timedelta,
) -> None:
    """Import errors, list membership and the job's counts; call in the upsert's own `store.write()` transaction,
    so a crash leaves the job resumable and never half-applied."""
    conn.executemany(
        "INSERT INTO profile_import_errors(job_id, pos, id, code, title, detail, pointer, original_payload)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(job_id, *e) for e in errors],
    )
    for list_id in list_ids:
        profilestore.add_list_members(conn, list_id, profile_ids)
    conn.execute("DELETE FROM profile_import_payloads WHERE job_id=?", (job_id,))
    done = timeutil.now()
    conn.execute(
        "UPDATE profile_import_jobs SET status='complete', completed_count=?, failed_count=?, completed_at=?,"
        " expires_at=?, payload=NULL, profile_ids=? WHERE id=?",
        (
            imported,
            len(errors),
            timeutil.iso(done),
            timeutil.iso(done + keep_for),
            fastjson.encode(profile_ids),
            job_id,
        ),
    )


def import_job_row(store: Store, job_id: str, fields: Sequence[str]) -> sqlite3.Row | None:
    """The job's id, list_ids and `fields` (column names fixed by the route, never user text)."""
    with store.read() as conn:
        row: sqlite3.Row | None = conn.execute(
            f"SELECT id, list_ids, {', '.join(fields)} FROM profile_import_jobs WHERE id=?", (job_id,)
        ).fetchone()
    return row


def import_job_rows(store: Store, fields: Sequence[str], *, newest_first: bool) -> list[sqlite3.Row]:
    """Every job (id, list_ids and `fields`), in submission order."""
    order = "DESC" if newest_first else "ASC"
    with store.read() as conn:
        return conn.execute(
            f"SELECT id, list_ids, {', '.join(fields)} FROM profile_import_jobs ORDER BY seq {order}"
        ).fetchall()


def import_error_page(store: Store, job_id: str, offset: int, size: int) -> list[sqlite3.Row]:
    """One page of the job's import errors in row order, plus one look-ahead row."""
    with store.read() as conn:
        return conn.execute(
            "SELECT * FROM profile_import_errors WHERE job_id=? ORDER BY pos LIMIT ? OFFSET ?",
            (job_id, size + 1, offset),
        ).fetchall()


def import_job_profile_ids(store: Store, job_id: str) -> list[str]:
    """The ids of the profiles the job created or updated, in row order (empty until it completes)."""
    with store.read() as conn:
        raw = conn.execute("SELECT profile_ids FROM profile_import_jobs WHERE id=?", (job_id,)).fetchone()
    ids_: list[str] = json.loads(raw[0]) if raw else []
    return ids_


# -- bulk subscribe jobs -------------------------------------------------------------------------------------
def insert_subscription_job(store: Store, job_id: str, payload: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO subscription_jobs(id, status, created_at, payload) VALUES (?, 'queued', ?, ?)",
            (job_id, timeutil.iso(), payload),
        )


def pending_subscription_jobs(store: Store) -> list[str]:
    with store.read() as conn:
        return [r[0] for r in conn.execute("SELECT id FROM subscription_jobs WHERE status != 'complete' ORDER BY seq")]


def subscription_job_payload(store: Store, job_id: str) -> str | None:
    """The request body the job was accepted with; None when there is no such job."""
    with store.read() as conn:
        row = conn.execute("SELECT payload FROM subscription_jobs WHERE id=?", (job_id,)).fetchone()
    return None if row is None else str(row[0])


def complete_subscription_job(conn: sqlite3.Connection, job_id: str) -> None:
    """Call in the job's write transaction; the payload is dropped (it holds customer data)."""
    conn.execute("UPDATE subscription_jobs SET status='complete', payload='' WHERE id=?", (job_id,))
