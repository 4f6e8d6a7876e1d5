"""The reports' own index of message events: who got which campaign or flow message when, kept compact.

Why: a report over a year reads every message event in it; reading `events.properties` JSON per event takes
seconds at a million events (SQLite 3.40 cannot cover an expression index), so each event naming a message
(`$message`) or a conversion naming one (`$attributed_message`) gets one narrow row here, read from indexes only.
`catch_up` adds the events stored since the last call (events are append-only: `seq` only grows, and reset
empties this table and the `kv` mark together), so every path that stores events (API, bulk, demo, bench) is
covered without hooks; the first report after a large import pays the catch-up once.
"""

from __future__ import annotations

import sqlite3

from klaviyo_sandbox.engine.store import register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS report_message_events (
        seq INTEGER PRIMARY KEY,
        metric_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        message TEXT,
        attributed TEXT,
        profile_id TEXT NOT NULL,
        value REAL
    );
    CREATE INDEX IF NOT EXISTS rme_by_message ON report_message_events(metric_id, message, profile_id, ts)
        WHERE message IS NOT NULL;
    CREATE INDEX IF NOT EXISTS rme_by_message_time ON report_message_events(metric_id, message, ts, profile_id)
        WHERE message IS NOT NULL;
    CREATE INDEX IF NOT EXISTS rme_by_attribution_time
        ON report_message_events(metric_id, attributed, ts, profile_id, value) WHERE attributed IS NOT NULL;
    DROP INDEX IF EXISTS rme_by_time;
    DROP INDEX IF EXISTS rme_by_attribution;
    """,
    ("report_message_events",),
)

MARK = "report_message_events_seq"
_CATCH_UP = """
INSERT OR IGNORE INTO report_message_events(seq, metric_id, ts, message, attributed, profile_id, value)
SELECT seq, metric_id, ts, msg, attr, profile_id, value FROM (
    SELECT seq, metric_id, ts, profile_id, value,
           json_extract(properties, '$."$message"') AS msg, json_extract(properties, '$."$attributed_message"') AS attr
    FROM events WHERE seq > ? AND instr(properties, 'message"') > 0
) WHERE msg IS NOT NULL OR attr IS NOT NULL
"""
#: A long timeframe reads each message's run of the covering index in (message, profile) order, so the GROUP BY
#: streams and only each message's distinct-profile count needs a small sort; a short one (a series bucket, a
#: week's report) seeks each (metric, message) pair straight to its time range, so it reads only the asked
#: messages' events of that range, already in GROUP BY order. (Measured in bench/reports.py: a two-level GROUP BY
#: was 4x slower on SQLite 3.40; one grouped query over all of a series' buckets, with the bucket computed per
#: row, was 1.3-1.7x slower than one query per bucket on this index, the sort of a year's rows costing more than
#: 53 small ones. rme_by_time and rme_by_attribution of earlier versions read every message of the range, or a
#: message's whole year for each bucket: dropped.)
LONG_SPAN = 45 * 86_400
MAX_LISTED = 2_000  # message ids bound into one query (SQLite allows 32,766 variables)
_COUNTS = """
SELECT message, metric_id, count(*), count(DISTINCT profile_id) FROM report_message_events INDEXED BY {index}
WHERE metric_id IN ({ids}) AND {messages} AND ts >= ? AND ts < ?
GROUP BY metric_id, message
"""
_CONVERSIONS = """
SELECT attributed, count(*), count(DISTINCT profile_id), coalesce(sum(value), 0)
FROM report_message_events INDEXED BY rme_by_attribution_time
WHERE metric_id = ? AND {messages} AND ts >= ? AND ts < ?
GROUP BY attributed
"""


def catch_up(conn: sqlite3.Connection) -> int:
    """Index the events stored since the last call (inside the caller's write transaction); returns how many."""
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (MARK,)).fetchone()
    done = int(row[0]) if row else 0
    last = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
    if last <= done:
        return 0
    before = conn.total_changes
    conn.execute(_CATCH_UP, (done,))
    conn.execute(
        "INSERT INTO kv(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (MARK, str(last)),
    )
    return conn.total_changes - before - 1


def _only(column: str, messages: list[str]) -> tuple[str, list[str]]:
    """A clause keeping the asked messages (a campaign report skips the flows' runs of the index, and the other
    way round); beyond MAX_LISTED ids every message is read and the caller drops the others."""
    if len(messages) > MAX_LISTED:
        return f"{column} IS NOT NULL", []
    return f"{column} IN ({','.join('?' * len(messages))})", messages


def message_rows(
    conn: sqlite3.Connection, metric_ids: list[str], messages: list[str], start: int, end: int
) -> list[tuple[str, str, int, int]]:
    """(message id, metric id, events, distinct profiles) of the metrics' events naming one of `messages`."""
    if not metric_ids or not messages:
        return []
    clause, listed = _only("message", messages)
    index = "rme_by_message" if end - start > LONG_SPAN or not listed else "rme_by_message_time"
    sql = _COUNTS.format(index=index, ids=",".join("?" * len(metric_ids)), messages=clause)
    rows = conn.execute(sql, (*metric_ids, *listed, start, end))
    return [(str(m), str(k), int(n), int(u)) for m, k, n, u in rows]


def conversion_rows(
    conn: sqlite3.Connection, metric_id: str, messages: list[str], start: int, end: int
) -> list[tuple[str, int, int, float]]:
    """(attributed message id, conversions, distinct converters, summed value) of the conversion metric."""
    if not messages:
        return []
    clause, listed = _only("attributed", messages)
    rows = conn.execute(_CONVERSIONS.format(messages=clause), (metric_id, *listed, start, end))
    return [(str(m), int(n), int(u), float(v)) for m, n, u, v in rows]
