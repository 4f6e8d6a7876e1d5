"""Events and metrics storage shared by events routes, metric aggregates and demo seeding.

Contract other modules rely on (extend, do not break): the tables below, `get_or_create_metric`,
`insert_events`. Event time is `ts`, integer epoch seconds in UTC (Klaviyo truncates event time to the
second); `(metric_id, ts)` is indexed for aggregates. Klaviyo stores one event per (profile, metric,
unique_id), and an event without unique_id uses its timestamp, so two events of the same profile and metric
in the same second collide (facts §11): the UNIQUE index below is that rule, and inserts ignore duplicates.
"""

from __future__ import annotations

import json
import os
import sqlite3
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from klaviyo_sandbox.engine import fastjson, ids, timeutil
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import Condition
from klaviyo_sandbox.engine.store import Store, register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS metrics (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        integration TEXT NOT NULL DEFAULT '{}',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        metric_id TEXT NOT NULL,
        profile_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        value REAL,
        value_currency TEXT,
        properties TEXT NOT NULL DEFAULT '{}',
        unique_id TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS events_metric_ts ON events(metric_id, ts);
    CREATE INDEX IF NOT EXISTS events_profile ON events(profile_id, ts);
    CREATE UNIQUE INDEX IF NOT EXISTS events_dedupe ON events(metric_id, profile_id, unique_id);
    """,
    ("events", "metrics"),
)


@dataclass
class NewEvent:
    metric_id: str
    profile_id: str
    ts: int
    properties: dict[str, Any] = field(default_factory=dict)
    value: float | None = None
    value_currency: str | None = None
    unique_id: str | None = None


def get_or_create_metric(conn: sqlite3.Connection, name: str, integration: dict[str, Any] | None = None) -> str:
    """A metric is created on first use of its name (facts §11)."""
    row = conn.execute("SELECT id FROM metrics WHERE name=?", (name,)).fetchone()
    if row:
        return str(row[0])
    metric_id = ids.short_id()
    stamp = timeutil.iso()
    integration = integration or {
        "object": "integration",
        "id": "0rG4eQ",
        "key": "api",
        "name": "API",
        "category": "API",
    }
    conn.execute(
        "INSERT INTO metrics(id, name, integration, created, updated) VALUES (?, ?, ?, ?, ?)",
        (metric_id, name, json.dumps(integration), stamp, stamp),
    )
    return metric_id


_INSERT = (
    "INSERT OR IGNORE INTO events(id, metric_id, profile_id, ts, value, value_currency, properties, unique_id,"
    " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_ALNUM = string.ascii_letters + string.digits


def _properties_text(properties: dict[str, Any]) -> str:
    """Compact JSON (orjson, ~10x faster for a 1,000-event job); the json module where orjson refuses (a lone
    surrogate). Readers parse it, so both texts read back as the same properties."""
    try:
        return fastjson.encode(properties)
    except TypeError:
        return json.dumps(properties)


def _row(event_id: str, ev: NewEvent, stamp: str) -> tuple[Any, ...]:
    unique_id = ev.unique_id or str(ev.ts)
    return (
        event_id,
        ev.metric_id,
        ev.profile_id,
        ev.ts,
        ev.value,
        ev.value_currency,
        _properties_text(ev.properties),
        unique_id,
        stamp,
    )


#: Each random byte read as one of the 62 id characters (a slight lean to the first 8 is no matter for ids).
_ID_CHARS = bytes((_ALNUM * 5).encode()[:256])


def _event_ids(count: int, length: int = 20) -> list[str]:
    """`count` ids shaped as `ids.short_id(length)`, from one os.urandom read (identifiers, not secrets)."""
    text = os.urandom(count * length).translate(_ID_CHARS).decode()
    return [text[i : i + length] for i in range(0, count * length, length)]


def insert_events(conn: sqlite3.Connection, events: Iterable[NewEvent]) -> list[str | None]:
    """Insert events; returns each one's id, or None where it collided with a stored event."""
    out: list[str | None] = []
    stamp = timeutil.iso()
    for ev in events:
        event_id = ids.short_id(20)
        cur = conn.execute(_INSERT, _row(event_id, ev, stamp))
        out.append(event_id if cur.rowcount else None)
    return out


def bulk_insert_events(conn: sqlite3.Connection, events: Iterable[NewEvent]) -> int:
    """`insert_events` in one executemany for demo and bench volumes; returns how many were stored.

    Event ids have the same 20-character alphanumeric shape as `ids.short_id(20)` but come from `_event_ids`:
    they are identifiers, not secrets, and this is 10x faster for a million rows.
    """
    stamp = timeutil.iso()
    before = conn.total_changes
    rows = (
        _row(event_id, ev, stamp)
        for chunk in _chunks(events)
        for event_id, ev in zip(_event_ids(len(chunk)), chunk, strict=True)
    )
    conn.executemany(_INSERT, rows)
    return conn.total_changes - before


def _chunks(events: Iterable[NewEvent], size: int = 10_000) -> Iterator[list[NewEvent]]:
    chunk: list[NewEvent] = []
    for ev in events:
        chunk.append(ev)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert_job_events(conn: sqlite3.Connection, events: list[NewEvent]) -> dict[str, int]:
    """`insert_events` for a bulk job, in one executemany (ids as in `bulk_insert_events`); returns each profile's
    newest stored event time, duplicates left out, so the caller moves each last_event_date once. (A range
    scan of the new rowids, summed up here: a GROUP BY could walk the whole profile index instead.)

    The stored rows are told apart by `seq` (the rowid): inside the write transaction every new row gets a
    larger one than the largest before the insert, and an ignored duplicate gets none.
    """
    before = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
    bulk_insert_events(conn, events)
    newest: dict[str, int] = {}
    for profile_id, ts in conn.execute("SELECT profile_id, ts FROM events WHERE seq > ?", (before,)):
        if ts > newest.get(profile_id, ts - 1):
            newest[profile_id] = ts
    return newest


# -- reads (events/routes.py) ----------------------------------------------------------------------------------
_SQL_OPS = {"greater-than": ">", "greater-or-equal": ">=", "less-than": "<", "less-or-equal": "<="}


def _event_where(conditions: list[Condition]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for cond in conditions:
        if cond.op == "has":
            continue  # every sandbox event has a profile and a resolvable metric
        if cond.field in ("metric_id", "profile_id"):
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            clauses.append(f"{cond.field} IN ({','.join('?' * len(values))})")
            args.extend(str(v) for v in values)
            continue
        value = cond.value
        if cond.field == "datetime":
            if not isinstance(value, datetime):
                raise invalid("datetime filters take a bare ISO 8601 datetime (unquoted).", parameter="filter")
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid("timestamp filters take a number of seconds.", parameter="filter")
        clauses.append(f"ts {_SQL_OPS[cond.op]} ?")
        args.append(value)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def event_page(
    conn: sqlite3.Connection, conditions: list[Condition], *, newest_first: bool, offset: int, size: int
) -> list[sqlite3.Row]:
    """One page of events (plus one look-ahead row), by time then arrival order."""
    where, args = _event_where(conditions)
    direction = "DESC" if newest_first else "ASC"
    query = f"SELECT * FROM events{where} ORDER BY ts {direction}, seq {direction} LIMIT ? OFFSET ?"
    return conn.execute(query, [*args, size + 1, offset]).fetchall()


def event_row(conn: sqlite3.Connection, event_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM events WHERE id=?", (event_id,)).fetchone()
    return row


def all_metrics(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every metric, oldest first (EMULATOR CHOICE, metrics/routes.py)."""
    return conn.execute("SELECT * FROM metrics ORDER BY created, id").fetchall()


def metric_row(conn: sqlite3.Connection, metric_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM metrics WHERE id=?", (metric_id,)).fetchone()
    return row


# -- bulk event jobs (events/bulk.py); the aggregate index is in metrics/store.py ----------------------------
register_schema(
    """
    CREATE TABLE IF NOT EXISTS event_bulk_jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        payload TEXT NOT NULL,
        total INTEGER NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
    ("event_bulk_jobs",),
)


def insert_bulk_job(store: Store, job_id: str, payload: str, total: int) -> None:
    """A queued bulk create job; its validated events wait as JSON in `payload`."""
    stamp = timeutil.iso()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO event_bulk_jobs(id, status, payload, total, created, updated)"
            " VALUES (?, 'queued', ?, ?, ?, ?)",
            (job_id, payload, total, stamp, stamp),
        )


def pending_bulk_jobs(store: Store) -> list[str]:
    """Unfinished jobs, oldest first (run again after a restart: stored events are deduplicated)."""
    with store.read() as conn:
        rows = conn.execute("SELECT id FROM event_bulk_jobs WHERE status != 'complete' ORDER BY created").fetchall()
    return [r[0] for r in rows]


def bulk_job(store: Store, job_id: str) -> sqlite3.Row | None:
    """The job's status and payload."""
    with store.read() as conn:
        row: sqlite3.Row | None = conn.execute(
            "SELECT status, payload FROM event_bulk_jobs WHERE id=?", (job_id,)
        ).fetchone()
    return row


def set_bulk_job_status(store: Store, job_id: str, status: str) -> None:
    with store.write() as conn:
        conn.execute("UPDATE event_bulk_jobs SET status=?, updated=? WHERE id=?", (status, timeutil.iso(), job_id))


def complete_bulk_job(conn: sqlite3.Connection, job_id: str) -> None:
    """Call in the transaction that stored the events; the payload is dropped (it holds customer data)."""
    conn.execute(
        "UPDATE event_bulk_jobs SET status='complete', payload='[]', updated=? WHERE id=?", (timeutil.iso(), job_id)
    )
