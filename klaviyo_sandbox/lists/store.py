"""Lists storage: the `lists` table and its queries (membership rows live in profiles/store.py).

Table contract, relied on by other features (tags, profile imports, subscriptions, seeding):
`lists(id, name, opt_in_process, created, updated)`. Other features reach lists through this module, never
through lists/routes.py.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import Condition
from klaviyo_sandbox.engine.store import Store, register_schema
from klaviyo_sandbox.profiles import store as profilestore

register_schema(
    """
    CREATE TABLE IF NOT EXISTS lists (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        opt_in_process TEXT NOT NULL DEFAULT 'single_opt_in',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS lists_name ON lists(name);
    """,
    ("lists",),
)


def list_row(store: Store, list_id: str) -> sqlite3.Row:
    """The list, or Klaviyo's 404 naming it."""
    return store.row_or_404("lists", list_id, "list")


def insert_list(store: Store, name: str, opt_in_process: str) -> str:
    list_id = ids.short_id()
    stamp = timeutil.iso()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO lists(id, name, opt_in_process, created, updated) VALUES (?, ?, ?, ?, ?)",
            (list_id, name, opt_in_process, stamp, stamp),
        )
    return list_id


def insert_seed_lists(conn: sqlite3.Connection, rows: list[tuple[str, str, str, str]]) -> None:
    """Demo lists as (id, name, opt_in_process, created); a list whose id exists is left as it is (seeding
    twice adds nothing). Call inside `store.write()`."""
    conn.executemany(
        "INSERT OR IGNORE INTO lists(id, name, opt_in_process, created, updated) VALUES (?, ?, ?, ?, ?)",
        [(lid, name, opt_in, stamp, stamp) for lid, name, opt_in, stamp in rows],
    )


def update_list(store: Store, list_id: str, name: str, opt_in_process: str) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE lists SET name=?, opt_in_process=?, updated=? WHERE id=?",
            (name, opt_in_process, timeutil.iso(), list_id),
        )


def delete_list(store: Store, list_id: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM lists WHERE id=?", (list_id,))
        conn.execute("DELETE FROM list_members WHERE list_id=?", (list_id,))


def add_members(store: Store, list_id: str, wanted: list[str]) -> None:
    """All or nothing: an unknown profile id refuses the whole call (EMULATOR CHOICE), nothing is added."""
    with store.write() as conn:
        known = {
            r[0] for r in conn.execute(f"SELECT id FROM profiles WHERE id IN ({', '.join('?' * len(wanted))})", wanted)
        }
        for i, pid in enumerate(wanted):
            if pid not in known:
                raise invalid(f"A profile with id {pid} does not exist.", pointer=f"/data/{i}/id")
        profilestore.add_list_members(conn, list_id, wanted)


def remove_members(store: Store, list_id: str, profile_ids: list[str]) -> None:
    with store.write() as conn:
        conn.executemany(
            "DELETE FROM list_members WHERE list_id=? AND profile_id=?", [(list_id, pid) for pid in profile_ids]
        )


_MEMBER_COLUMNS = {"email": "p.email", "phone_number": "p.phone_number", "joined_group_at": "m.joined_at"}
_SQL_OPS = {"greater-than": ">", "greater-or-equal": ">=", "less-than": "<", "less-or-equal": "<="}


def _member_where(conditions: list[Condition]) -> tuple[list[str], list[Any]]:
    """SQL over `m` (members) and `p` (profiles) for the spec's member filters."""
    where: list[str] = []
    args: list[Any] = []
    for cond in conditions:
        column = _MEMBER_COLUMNS.get(cond.field)
        if column is None:
            where.append("0")  # _kx and push_token: the sandbox stores neither, so nothing matches
        elif cond.op in _SQL_OPS:
            where.append(f"{column} {_SQL_OPS[cond.op]} ?")
            args.append(timeutil.iso(cond.value) if hasattr(cond.value, "astimezone") else cond.value)
        else:
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            if cond.field == "email":
                values = [profilestore.normalise_email(v) if isinstance(v, str) else v for v in values]
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            args.extend(values)
    return where, args


def member_page(
    store: Store, list_id: str, conditions: list[Condition], *, descending: bool, offset: int, size: int
) -> list[sqlite3.Row]:
    """One page (plus one look-ahead row) of `(profile_id, joined_at)`, oldest member first unless descending."""
    where, args = _member_where(conditions)
    order = "DESC" if descending else "ASC"
    sql = (
        "SELECT m.profile_id, m.joined_at FROM list_members m JOIN profiles p ON p.id = m.profile_id"
        f" WHERE {' AND '.join(['m.list_id = ?', *where])}"
        f" ORDER BY m.joined_at {order}, m.profile_id {order} LIMIT ? OFFSET ?"
    )
    with store.read() as conn:
        return conn.execute(sql, [list_id, *args, size + 1, offset]).fetchall()


def lists_of_profile(store: Store, profile_id: str) -> list[sqlite3.Row]:
    """The lists a profile belongs to, by id."""
    with store.read() as conn:
        return conn.execute(
            "SELECT l.* FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.profile_id=? ORDER BY l.id",
            (profile_id,),
        ).fetchall()


def opt_in_process(conn: sqlite3.Connection, list_id: str) -> str | None:
    row = conn.execute("SELECT opt_in_process FROM lists WHERE id=?", (list_id,)).fetchone()
    return None if row is None else str(row[0])
