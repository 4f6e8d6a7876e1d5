"""Set-based profile upsert: a 10,000-row import job (or one single upsert) in a handful of SQL statements.

Why it looks like this: the sandbox must absorb 1,000,000 imported profiles in under a minute on two cores,
while answering the importer's POSTs quickly. So an upsert is a plan in three phases:

1. `UpsertPlan(conn, rows)`, under the lock (`store.read()` is enough): pass the rows' identifiers as sorted
   JSON arrays and load, with up to 4 indexed joins over `json_each`, every stored profile that owns one of
   them (plus a snapshot to detect later changes).
2. `plan.compute()`, WITHOUT the lock: match rows to profiles in order, merge attributes, encode JSON.
3. `plan.write(conn)`, under the lock in the caller's transaction: if the snapshot still holds, 3 executemany
   calls; otherwise (someone wrote a profile meanwhile) the plan is rebuilt under the lock first.

Matching rules (the same for every write route): rows match on any identifier as the data stands after the
rows before them, so a file with the same email twice updates one profile (later values win); a row whose
identifiers belong to two different profiles is refused with 409 duplicate_profile, a row naming an unknown
`id` with 404. Emails are compared lower-cased.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.errors import ApiError, conflict, not_found
from klaviyo_sandbox.engine.fastjson import decode, encode, encoded_size
from klaviyo_sandbox.profiles.store import IDENTIFIERS, _merge, apply_patch_properties


@dataclass(slots=True)
class UpsertRow:
    pos: int  # the row's index in the request (import errors point at it)
    attributes: dict[str, Any]
    profile_id: str | None = None
    patch_properties: dict[str, Any] | None = None


@dataclass
class UpsertResult:
    ids: dict[int, str] = field(default_factory=dict)  # pos -> profile id
    errors: dict[int, ApiError] = field(default_factory=dict)  # pos -> why the row was refused
    created: set[str] = field(default_factory=set)


# -- small fast helpers ------------------------------------------------------------------------------------
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BYTE_TO_CROCKFORD = bytes(ord(_CROCKFORD[b & 31]) for b in range(256))
_IDENTIFIER_SET = frozenset(IDENTIFIERS)


def new_profile_ids(count: int) -> list[str]:
    """`count` ULIDs at once (ids.ulid() one by one costs more than the rest of an import row).

    All ids are laid out in one buffer of 27-byte slots, in C: random bytes masked to 5 bits each (256 is a
    multiple of 32, so every character stays uniform) and mapped to Crockford's alphabet by one
    `bytes.translate`, then the 10-character time prefix and a separator written into every slot by strided
    slice assignments, and one `split`.
    """
    ms = int(time.time() * 1000)
    prefix = "".join(_CROCKFORD[(ms >> (5 * i)) & 31] for i in reversed(range(10))).encode()
    buf = bytearray(os.urandom(27 * count).translate(_BYTE_TO_CROCKFORD))
    for i in range(10):
        buf[i::27] = prefix[i : i + 1] * count
    buf[26::27] = b" " * count
    return buf.decode().split()


def oversized(items: list[Any], limit: int, total_bytes: int) -> tuple[int, int] | None:
    """(index, bytes) of the first item whose compact JSON exceeds `limit`, or None; `total_bytes` ~ all items.

    Encoding 10,000 profiles one call each costs more than parsing them; encoding slices of about limit/2 bytes
    costs one call per slice, and a slice within the limit clears every item in it. The compact encoding of a
    list is "[" + items joined by "," + "]", so a slice's items weigh len(encoded) - len(slice) - 1 bytes.
    """
    step = max(1, len(items) * limit // (2 * max(total_bytes, 1)))
    for start in range(0, len(items), step):
        chunk = items[start : start + step]
        if encoded_size(chunk) - len(chunk) - 1 <= limit:
            continue
        for i, item in enumerate(chunk, start):
            size = encoded_size(item)
            if size > limit:
                return i, size
    return None


def duplicate_error(other: str) -> ApiError:
    return conflict(
        "duplicate_profile",
        "A profile already exists with one of these identifiers.",
        meta={"duplicate_profile_id": other},
    )


def _keys(attrs: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    email, phone, ext = attrs.get("email"), attrs.get("phone_number"), attrs.get("external_id")
    email = (email.strip().lower() or None) if email.__class__ is str else None
    return email, (phone or None) if phone.__class__ is str else None, (ext or None) if ext.__class__ is str else None


def _fresh_attributes(row: UpsertRow) -> dict[str, Any]:
    """A new profile's stored attributes: the row's, without identifiers and nulls (one level down too).

    Runs once per imported row: a C-level copy and three deletes cost less than a comprehension over every key.
    """
    attrs = dict(row.attributes)
    for name in _IDENTIFIER_SET.intersection(attrs):
        del attrs[name]
    if None in attrs.values():
        attrs = {k: v for k, v in attrs.items() if v is not None}
    location, properties = attrs.get("location"), attrs.get("properties")
    if location.__class__ is dict and None in location.values():
        attrs["location"] = {k: v for k, v in location.items() if v is not None}
    if properties.__class__ is dict and None in properties.values():
        attrs["properties"] = {k: v for k, v in properties.items() if v is not None}
    if row.patch_properties:
        attrs["properties"] = apply_patch_properties(attrs.get("properties") or {}, row.patch_properties)
    return attrs


# -- running big batches ---------------------------------------------------------------------------------
_GC_LOCK = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while 10,000 acyclic profile dicts are built and dropped (measured: -20% CPU per job).

    Everything a job allocates is freed by reference counting; the collector would only re-walk it on every
    few hundred allocations. Nested and concurrent uses (the worker and submit threads) share one counter.
    """
    global _gc_pauses, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


@contextmanager
def heavy_batch() -> Iterator[None]:
    """While a bulk job computes: no cyclic GC, and request threads get the GIL every 1 ms instead of 5 ms.

    A POST of 5 MB reads its body in many socket calls, each of which gives up the GIL; with the default 5 ms
    switch interval the worker made every POST wait ~5 ms per call (measured: p50 276 ms -> 141 ms).

    Both settings are process-wide, which is why they live here, scoped to a batch, and not in server.py: the
    server also runs embedded in the Streamlit app and in test processes, where a setting made for the
    server's lifetime would change the host's GC and thread switching for as long as it runs.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        with gc_paused():
            yield
    finally:
        sys.setswitchinterval(previous)


# -- the plan ----------------------------------------------------------------------------------------------
_INSERT_BATCH = 100  # 501 parameters, below even the old 999-variable limit of SQLite builds


def _insert_sql(rows: int) -> str:
    """INSERT of `rows` new profiles: ?1 is the shared created/updated stamp, then 5 parameters per row."""
    values = (
        f"(NULLIF(?{n}, ''), NULLIF(?{n + 1}, ''), NULLIF(?{n + 2}, ''), ?{n + 3}, ?1, ?1, ?{n + 4})"
        for n in range(2, 2 + 5 * rows, 5)
    )
    return "INSERT INTO profiles(email, phone_number, external_id, attributes, created, updated, id) VALUES " + (
        ", ".join(values)
    )


_INSERT_FULL = _insert_sql(_INSERT_BATCH)


class UpsertPlan:
    """One batch of upserts; see the module docstring for the three phases."""

    def __init__(self, conn: sqlite3.Connection, rows: list[UpsertRow]) -> None:
        self.rows = rows
        self.keys = [_keys(r.attributes) for r in rows]
        self.state: dict[str, dict[str, Any]] = {}
        self.owners: tuple[dict[str, str], ...] = ({}, {}, {})
        self.result = UpsertResult()
        self._load(conn)
        self.max_rowid = conn.execute("SELECT MAX(rowid) FROM profiles").fetchone()[0]
        self.seen = {pid: rec["updated"] for pid, rec in self.state.items()}
        self.params: tuple[list[tuple[Any, ...]], ...] = ([], [], [])
        self.stamp = ""

    def _load(self, conn: sqlite3.Connection) -> None:
        # The rows' distinct identifiers go in as one sorted JSON array per identifier kind (json_each, in C):
        # no temp table to fill and empty, and probing in key order walks each index page by page instead of
        # jumping around a large file. Only identifiers some row has are joined (a typical file has emails only).
        columns = ("email", "phone_number", "external_id")
        wanted = [sorted({v for k in self.keys if (v := k[i]) is not None}) for i in range(3)]
        wanted.append(sorted({r.profile_id for r in self.rows if r.profile_id is not None}))
        joins, args, exact = [], [], []
        for col, values in zip((*columns, "id"), wanted, strict=True):
            if not values:
                continue
            array = encode(values)
            if "\\u0000" in array:  # json_each ends a string at U+0000: such (rare) values are bound as such
                exact.append((col, values))
                continue
            joins.append(f"SELECT p.* FROM json_each(?) k CROSS JOIN profiles p ON p.{col} = k.value")
            args.append(array)
        found = list(conn.execute(" UNION ALL ".join(joins), args)) if joins else []  # duplicates merged below
        for col, values in exact:
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                found += conn.execute(f"SELECT * FROM profiles WHERE {col} IN ({', '.join('?' * len(chunk))})", chunk)
        for row in found:
            if row["id"] in self.state:
                continue
            ident = (row["email"], row["phone_number"], row["external_id"])
            self.state[row["id"]] = {
                "id": row["id"],
                "ids": ident,
                "attributes": decode(row["attributes"]),
                "updated": row["updated"],
                "new": False,
                "moved": False,
                "dirty": False,
            }
            for owner, value in zip(self.owners, ident, strict=True):
                if value:
                    owner[value] = row["id"]

    # -- phase 2: pure Python, no lock needed --------------------------------------------------------------
    def compute(self) -> UpsertPlan:
        by_email, by_phone, by_ext = self.owners
        ids, state = self.result.ids, self.state
        for row, key, new_id in zip(self.rows, self.keys, new_profile_ids(len(self.rows)), strict=True):
            email, phone, ext = key
            if row.profile_id is None and email not in by_email and phone not in by_phone and ext not in by_ext:
                # the common case, kept cheap: nothing matches, a new profile
                attrs = _fresh_attributes(row)
                state[new_id] = {
                    "id": new_id,
                    "ids": key,
                    "attributes": attrs,
                    "new": True,
                    "moved": False,
                    "dirty": True,
                }
                if email:
                    by_email[email] = new_id
                if phone:
                    by_phone[phone] = new_id
                if ext:
                    by_ext[ext] = new_id
                ids[row.pos] = new_id
                continue
            try:
                pid = self._resolve(row, key, new_id)
            except ApiError as err:
                self.result.errors[row.pos] = err
                continue
            self._apply(row, key, state[pid])
            ids[row.pos] = pid
        self._encode_writes()
        return self

    def _resolve(self, row: UpsertRow, keys: tuple[Any, ...], new_id: str) -> str:
        matches: list[str] = []
        for owner, value in zip(self.owners, keys, strict=True):
            pid = owner.get(value) if value else None
            if pid and pid not in matches:
                matches.append(pid)
        if row.profile_id is not None:
            if row.profile_id not in self.state:
                raise not_found(f"A profile with id {row.profile_id} does not exist.")
            others = [m for m in matches if m != row.profile_id]
            if others:
                raise duplicate_error(others[0])
            return row.profile_id
        if len(matches) > 1:
            raise duplicate_error(matches[1])
        if matches:
            return matches[0]
        self.state[new_id] = {"id": new_id, "ids": (None, None, None), "attributes": {}}
        self.state[new_id].update(new=True, moved=False, dirty=False)
        return new_id

    def _apply(self, row: UpsertRow, keys: tuple[Any, ...], record: dict[str, Any]) -> None:
        old = record["ids"]
        new = tuple(
            value if name in row.attributes else current
            for name, value, current in zip(IDENTIFIERS, keys, old, strict=True)
        )
        if new != old:
            for owner, before, after in zip(self.owners, old, new, strict=True):
                if before != after:
                    if before:
                        owner.pop(before, None)
                    if after:
                        owner[after] = record["id"]
            record["ids"] = new
            record["moved"] = True
        merged = _merge(record["attributes"], row.attributes)
        if row.patch_properties:
            merged["properties"] = apply_patch_properties(merged.get("properties") or {}, row.patch_properties)
        if merged == record["attributes"] and not record["moved"]:
            return  # nothing changes (a resent chunk): no write, `updated` keeps its value
        record["attributes"] = merged
        record["dirty"] = True

    def _encode_writes(self) -> None:
        """The three parameter lists of `write`, in `state` order, in one pass over the records.

        A missing identifier is sent as "" and turned into NULL by the SQL (NULLIF), because binding None costs
        the sqlite3 module a failed adapter lookup and a formatted exception per value (measured: 9% of the
        inserts); no identifier is ever stored as "" (empty ones are None from `_keys` on).
        """
        stamp = timeutil.iso()
        releases: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []
        created = self.result.created
        for r in self.state.values():
            if not r["dirty"]:
                continue
            email, phone, ext = r["ids"]
            if r["new"]:
                inserts.append((email or "", phone or "", ext or "", encode(r["attributes"]), r["id"]))
                created.add(r["id"])
                continue
            if r["moved"]:
                releases.append((r["id"],))
            updates.append((email or "", phone or "", ext or "", encode(r["attributes"]), stamp, r["id"]))
        self.params = (releases, updates, inserts)
        self.stamp = stamp

    # -- phase 3: under the lock -----------------------------------------------------------------------------
    def still_valid(self, conn: sqlite3.Connection) -> bool:
        """True when no profile was created, deleted or changed since phase 1 among those this plan read."""
        if conn.execute("SELECT MAX(rowid) FROM profiles").fetchone()[0] != self.max_rowid:
            return False
        touched = list(self.seen)
        for start in range(0, len(touched), 500):
            chunk = touched[start : start + 500]
            rows = conn.execute(f"SELECT id, updated FROM profiles WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
            now = dict(rows.fetchall())
            if any(now.get(pid) != self.seen[pid] for pid in chunk):
                return False
        return True

    def write(self, conn: sqlite3.Connection) -> None:
        releases, updates, inserts = self.params
        # Identifiers may move between profiles inside one batch: release them first so UNIQUE never trips.
        conn.executemany("UPDATE profiles SET email=NULL, phone_number=NULL, external_id=NULL WHERE id=?", releases)
        conn.executemany(
            "UPDATE profiles SET email=NULLIF(?, ''), phone_number=NULLIF(?, ''), external_id=NULLIF(?, ''),"
            " attributes=?, updated=? WHERE id=?",
            updates,
        )
        # New profiles go in 100 rows per statement: one statement run (and its statement journal) per row
        # was a third of the insert cost. A failing row fails its statement; commit_plan then rolls back all.
        for start in range(0, len(inserts), _INSERT_BATCH):
            batch = inserts[start : start + _INSERT_BATCH]
            sql = _INSERT_FULL if len(batch) == _INSERT_BATCH else _insert_sql(len(batch))
            conn.execute(sql, [self.stamp, *chain.from_iterable(batch)])


def bulk_upsert(conn: sqlite3.Connection, rows: list[UpsertRow]) -> UpsertResult:
    """All three phases at once, inside the caller's `store.write()` transaction (small batches)."""
    plan = UpsertPlan(conn, rows).compute()
    plan.write(conn)
    return plan.result


def commit_plan(conn: sqlite3.Connection, plan: UpsertPlan) -> UpsertResult:
    """Phase 3 for a plan computed outside the lock; call inside `store.write()`. Rebuilds a stale plan."""
    if not plan.still_valid(conn):
        return bulk_upsert(conn, plan.rows)
    conn.execute("SAVEPOINT upsert_plan")
    try:
        plan.write(conn)
    except sqlite3.IntegrityError:  # a profile outside the snapshot took one of the identifiers meanwhile
        conn.execute("ROLLBACK TO upsert_plan")
        conn.execute("RELEASE upsert_plan")
        return bulk_upsert(conn, plan.rows)
    conn.execute("RELEASE upsert_plan")
    return plan.result
