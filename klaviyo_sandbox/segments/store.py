"""Segment membership: each demo segment is a rule the sandbox evaluates over profiles at read time.

EMULATOR CHOICE: Klaviyo recomputes segments continuously from condition groups; the sandbox holds one SQL rule
per demo segment (by name, below) so members follow the data (a new order, a new consent). A segment without a
rule (one a test inserted) has no members. `joined_group_at` is the profile's `created` time.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.filters import Condition
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.lists.store import member_where

_ORDERS = "CAST(json_extract(p.attributes, '$.properties.orders_count') AS INTEGER)"
_VALUE = "CAST(json_extract(p.attributes, '$.properties.lifetime_value') AS REAL)"
_QUIET = "(p.last_event_date IS NULL OR p.last_event_date < :{days})"

#: name -> (what it means, SQL over profiles `p`; `:d30`, `:d60`, `:d90` are the cut-off times)
RULES: dict[str, tuple[str, str]] = {
    "Engaged 30 days": ("an event in the last 30 days", "p.last_event_date >= :d30"),
    "VIP customers": ("lifetime value of 400 or more", f"{_VALUE} >= 400"),
    "Lapsed buyers": ("ordered before, no event in 90 days", f"{_ORDERS} >= 1 AND {_QUIET.format(days='d90')}"),
    "Newsletter openers": (
        "subscribed to email marketing",
        "json_extract(p.subscriptions, '$.email.marketing.consent') = 'SUBSCRIBED'",
    ),
    "Winback candidates": (
        "two or more orders, no event in 60 days",
        f"{_ORDERS} >= 2 AND {_QUIET.format(days='d60')}",
    ),
}


def _cutoffs() -> dict[str, str]:
    now = timeutil.now()
    return {f"d{days}": timeutil.iso(now - timedelta(days=days)) for days in (30, 60, 90)}


def _rule(conn: sqlite3.Connection, segment_id: str) -> str | None:
    row = conn.execute("SELECT name FROM segments WHERE id=?", (segment_id,)).fetchone()
    return RULES[row[0]][1] if row is not None and row[0] in RULES else None


def _named(sql: str) -> str:
    """member_where writes `?` placeholders; number them (:a0, :a1...) so they mix with the rule's names."""
    parts = sql.split("?")
    return "".join(part + (f":a{i}" if i < len(parts) - 1 else "") for i, part in enumerate(parts))


def member_page(
    store: Store, segment_id: str, conditions: list[Condition], *, descending: bool, offset: int, size: int
) -> list[sqlite3.Row]:
    """One page (plus one look-ahead row) of `(profile_id, joined_at)` for the segment's members."""
    with store.read() as conn:
        rule = _rule(conn, segment_id)
        if rule is None:
            return []
        where, args = member_where(conditions)
        named: dict[str, Any] = {**_cutoffs(), **{f"a{i}": v for i, v in enumerate(args)}}
        order = "DESC" if descending else "ASC"
        sql = (
            "SELECT m.profile_id, m.joined_at FROM (SELECT id AS profile_id, created AS joined_at FROM profiles p"
            f" WHERE {rule}) m JOIN profiles p ON p.id = m.profile_id WHERE {_named(' AND '.join(['1', *where]))}"
            f" ORDER BY m.joined_at {order}, m.profile_id {order} LIMIT :limit OFFSET :offset"
        )
        return conn.execute(sql, {**named, "limit": size + 1, "offset": offset}).fetchall()


def segments_of_profile(store: Store, profile_id: str) -> list[sqlite3.Row]:
    """The segments whose rule the profile meets, by id."""
    with store.read() as conn:
        rows = conn.execute("SELECT * FROM segments ORDER BY id").fetchall()
        out = []
        for row in rows:
            rule = RULES.get(row["name"])
            if (
                rule
                and conn.execute(
                    f"SELECT 1 FROM profiles p WHERE p.id = :pid AND ({rule[1]})", {**_cutoffs(), "pid": profile_id}
                ).fetchone()
            ):
                out.append(row)
        return out


def member_count(store: Store, segment_id: str) -> int:
    """How many profiles meet the segment's rule now (`additional-fields[segment]=profile_count`)."""
    with store.read() as conn:
        rule = _rule(conn, segment_id)
        if rule is None:
            return 0
        return int(conn.execute(f"SELECT count(*) FROM profiles p WHERE {rule}", _cutoffs()).fetchone()[0])


def membership_changes(store: Store, start: str, end: str) -> list[tuple[str, int, int]]:
    """(segment id, members who joined in [start, end), members at `end`) for every segment, by id; times are
    `timeutil.iso` strings. EMULATOR CHOICE (reports): a member joined at its profile's `created` time and the
    rules are evaluated now, so nobody is seen leaving (the sandbox keeps no membership history)."""
    out: list[tuple[str, int, int]] = []
    with store.read() as conn:
        for segment_id, name in conn.execute("SELECT id, name FROM segments ORDER BY id").fetchall():
            rule = RULES.get(name)
            if rule is None:
                out.append((str(segment_id), 0, 0))
                continue
            added, total = conn.execute(
                "SELECT count(*) FILTER (WHERE p.created >= :start), count(*) FROM profiles p"
                f" WHERE p.created < :end AND ({rule[1]})",
                {**_cutoffs(), "start": start, "end": end},
            ).fetchone()
            out.append((str(segment_id), int(added), int(total)))
    return out
