"""Profiles storage shared by every resource that touches profiles (profiles, imports, events, lists).

Contract other modules rely on (extend, do not break): the `profiles` table columns below,
`find_profile_ids`, `upsert_profile` and `load_profile`.
Identifiers (email, phone_number, external_id) are unique per account (facts §8; EMULATOR CHOICE for phone
and external_id). Everything else a profile holds lives in the `attributes` JSON (first_name, ..., location{},
properties{}), merged key by key on update: an omitted field is unchanged, a null clears it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is pinned in requirements.txt; json is the fallback
    orjson = None  # type: ignore[assignment]

from klaviyo_sandbox import ids, timeutil
from klaviyo_sandbox.errors import ApiError, conflict
from klaviyo_sandbox.store import register_schema

register_schema(
    """
    CREATE TABLE IF NOT EXISTS profiles (
        id TEXT PRIMARY KEY,
        email TEXT UNIQUE,
        phone_number TEXT UNIQUE,
        external_id TEXT UNIQUE,
        attributes TEXT NOT NULL DEFAULT '{}',
        subscriptions TEXT NOT NULL DEFAULT '{}',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        last_event_date TEXT
    );
    """,
    ("profiles",),
)

IDENTIFIERS = ("email", "phone_number", "external_id")


def normalise_email(email: str | None) -> str | None:
    return email.strip().lower() if isinstance(email, str) and email.strip() else None


def find_profile_ids(conn: sqlite3.Connection, identifiers: dict[str, Any]) -> list[str]:
    """Ids of the distinct profiles that any given identifier already belongs to."""
    found: list[str] = []
    for name in IDENTIFIERS:
        value = identifiers.get(name)
        if name == "email":
            value = normalise_email(value)
        if value:
            row = conn.execute(f"SELECT id FROM profiles WHERE {name}=?", (value,)).fetchone()
            if row and row[0] not in found:
                found.append(row[0])
    return found


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = dict(old)
    for key, value in new.items():
        if key in IDENTIFIERS:
            continue
        if value is None:
            out.pop(key, None)
        elif key in ("properties", "location") and isinstance(value, dict):
            merged = dict(out.get(key) or {})
            for k, v in value.items():
                if v is None:
                    merged.pop(k, None)
                else:
                    merged[k] = v
            out[key] = merged
        else:
            out[key] = value
    return out


def upsert_profile(
    conn: sqlite3.Connection, attributes: dict[str, Any], profile_id: str | None = None
) -> tuple[str, bool]:
    """Create or update one profile; returns (id, created). Call inside `store.write()`.

    Raises 409 duplicate_profile when the identifiers point at two different existing profiles, or at a
    profile other than `profile_id`.
    """
    matches = find_profile_ids(conn, attributes)
    if (profile_id is None and len(matches) > 1) or (profile_id is not None and any(m != profile_id for m in matches)):
        other = next(m for m in matches if m != profile_id)
        raise conflict(
            "duplicate_profile",
            "A profile already exists with one of these identifiers.",
            meta={"duplicate_profile_id": other},
        )
    target = profile_id or (matches[0] if matches else None)
    stamp = timeutil.iso()
    email = normalise_email(attributes.get("email"))
    existing = conn.execute("SELECT * FROM profiles WHERE id=?", (target,)).fetchone() if target else None
    if existing is None:
        new_id = target or ids.ulid()
        conn.execute(
            "INSERT INTO profiles(id, email, phone_number, external_id, attributes, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                new_id,
                email,
                attributes.get("phone_number") or None,
                attributes.get("external_id") or None,
                json.dumps(_merge({}, attributes)),
                stamp,
                stamp,
            ),
        )
        return new_id, True
    merged = _merge(json.loads(existing["attributes"]), attributes)
    conn.execute(
        "UPDATE profiles SET email=?, phone_number=?, external_id=?, attributes=?, updated=? WHERE id=?",
        (
            email if "email" in attributes else existing["email"],
            (attributes.get("phone_number") or None) if "phone_number" in attributes else existing["phone_number"],
            (attributes.get("external_id") or None) if "external_id" in attributes else existing["external_id"],
            json.dumps(merged),
            stamp,
            existing["id"],
        ),
    )
    return existing["id"], False


def load_profile(conn: sqlite3.Connection, profile_id: str) -> dict[str, Any] | None:
    """The stored profile as a flat dict: id, identifiers, created/updated, plus the attributes JSON."""
    row = conn.execute("SELECT * FROM profiles WHERE id=?", (profile_id,)).fetchone()
    if row is None:
        return None
    out: dict[str, Any] = json.loads(row["attributes"])
    out.update(
        id=row["id"],
        email=row["email"],
        phone_number=row["phone_number"],
        external_id=row["external_id"],
        created=row["created"],
        updated=row["updated"],
        last_event_date=row["last_event_date"],
        subscriptions=json.loads(row["subscriptions"]),
    )
    return out


# -- list membership (the table is shared: lists routes, bulk imports, subscriptions, seeding) -------------
register_schema(
    """
    CREATE TABLE IF NOT EXISTS list_members (
        list_id TEXT NOT NULL,
        profile_id TEXT NOT NULL,
        joined_at TEXT NOT NULL,
        PRIMARY KEY (list_id, profile_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS list_members_profile ON list_members(profile_id);
    """,
    ("list_members",),
)


def add_list_members(conn: sqlite3.Connection, list_id: str, profile_ids: list[str]) -> None:
    """Idempotent: a profile already in the list keeps its original joined_at."""
    stamp = timeutil.iso()
    conn.executemany(
        "INSERT OR IGNORE INTO list_members(list_id, profile_id, joined_at) VALUES (?, ?, ?)",
        [(list_id, pid, stamp) for pid in profile_ids],
    )


# -- validation Klaviyo applies to every profile it stores -------------------------------------------------
_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}(?<!\.)@"
    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
STRING_FIELDS = ("email", "phone_number", "external_id", "_kx", "first_name", "last_name", "organization", "locale")
STRING_FIELDS += ("title", "image")
LOCATION_FIELDS = (
    "address1",
    "address2",
    "city",
    "country",
    "latitude",
    "longitude",
    "region",
    "zip",
    "timezone",
    "ip",
)


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


def valid_phone(value: str) -> bool:
    return bool(_E164.match(value))


_STRING_SET = frozenset(STRING_FIELDS)


def _location_problem(location: Any) -> tuple[str, str] | None:
    if not isinstance(location, dict):
        return "location", "'location' must be an object."
    for key, value in location.items():
        if key not in LOCATION_FIELDS:
            return f"location/{key}", f"'{key}' is not a valid location field."
        if value is not None and not isinstance(value, (str, int, float)):
            return f"location/{key}", f"'location.{key}' must be a string."
    return None


def profile_problem(attrs: dict[str, Any], has_id: bool = False) -> tuple[str, str] | None:
    """The first reason Klaviyo would refuse these profile attributes: (field, detail), or None."""
    for name, value in attrs.items():
        if value is None:
            continue
        if name in _STRING_SET:
            if value.__class__ is not str:
                return name, f"'{name}' must be a string or null."
        elif name == "location":
            if problem := _location_problem(value):
                return problem
        elif name == "properties" and not isinstance(value, dict):
            return "properties", "'properties' must be an object."
    email, phone = attrs.get("email"), attrs.get("phone_number")
    if email and not valid_email(email):
        return "email", f"Invalid email address: '{email}'."
    if phone and not valid_phone(phone):
        return "phone_number", f"Invalid phone number '{phone}': use E.164 format, e.g. +15555550123."
    if not (has_id or email or phone or attrs.get("external_id") or attrs.get("_kx")):
        return "", "A profile needs at least one identifier: email, phone_number, external_id or _kx."
    return None


def apply_patch_properties(properties: dict[str, Any], patch: dict[str, Any] | None) -> dict[str, Any]:
    """`meta.patch_properties`: append to / unappend from list properties, unset keys."""
    if not patch:
        return properties
    out = dict(properties)
    for key, value in (patch.get("append") or {}).items():
        current = out.get(key)
        items = list(current) if isinstance(current, list) else ([] if current is None else [current])
        items.extend(value if isinstance(value, list) else [value])
        out[key] = items
    for key, value in (patch.get("unappend") or {}).items():
        if isinstance(out.get(key), list):
            drop = value if isinstance(value, list) else [value]
            out[key] = [v for v in out[key] if v not in drop]
    unset = patch.get("unset") or []
    for key in [unset] if isinstance(unset, str) else unset:
        out.pop(key, None)
    return out


# -- set-based upsert: one bulk import job (or one single upsert) in a handful of statements ---------------
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


_B32_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_profile_ids(count: int) -> list[str]:
    """`count` ULIDs at once (ids.ulid() one by one costs more than the rest of an import row)."""
    ms = int(time.time() * 1000)
    prefix = "".join(_CROCKFORD[(ms >> (5 * i)) & 31] for i in reversed(range(10)))
    tails = base64.b32encode(os.urandom(10 * count)).decode().translate(_B32_TO_CROCKFORD)
    return [prefix + tails[16 * i : 16 * i + 16] for i in range(count)]


def _keys(attrs: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    email, phone, ext = attrs.get("email"), attrs.get("phone_number"), attrs.get("external_id")
    email = (email.strip().lower() or None) if email.__class__ is str else None
    return email, (phone or None) if phone.__class__ is str else None, (ext or None) if ext.__class__ is str else None


class _Batch:
    """Profiles touched by one batch, and who owns each identifier as the batch stands so far."""

    def __init__(self, conn: sqlite3.Connection, rows: list[UpsertRow], keys: list[tuple[Any, ...]]) -> None:
        self.state: dict[str, dict[str, Any]] = {}
        self.owners: tuple[dict[str, str], ...] = ({}, {}, {})
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS upsert_keys(email, phone, ext, pid)")
        conn.execute("DELETE FROM upsert_keys")
        conn.executemany(
            "INSERT INTO upsert_keys VALUES (?, ?, ?, ?)", [(*k, r.profile_id) for r, k in zip(rows, keys, strict=True)]
        )
        joins = " UNION ".join(
            f"SELECT p.* FROM upsert_keys k CROSS JOIN profiles p ON p.{col} = k.{key}"
            for col, key in (("email", "email"), ("phone_number", "phone"), ("external_id", "ext"), ("id", "pid"))
        )
        for row in conn.execute(joins):
            ident = (row["email"], row["phone_number"], row["external_id"])
            self.state[row["id"]] = {"id": row["id"], "ids": ident, "attributes": json.loads(row["attributes"])}
            self.state[row["id"]].update(new=False, moved=False, dirty=False)
            for owner, value in zip(self.owners, ident, strict=True):
                if value:
                    owner[value] = row["id"]
        conn.execute("DELETE FROM upsert_keys")

    def resolve(self, row: UpsertRow, keys: tuple[Any, ...], new_id: str) -> str:
        """The profile this row lands on (new_id when nothing matches); raises 404/409 like Klaviyo."""
        matches: list[str] = []
        for owner, value in zip(self.owners, keys, strict=True):
            pid = owner.get(value) if value else None
            if pid and pid not in matches:
                matches.append(pid)
        if row.profile_id is not None:
            if row.profile_id not in self.state:
                raise ApiError(404, "not_found", "Not found.", f"A profile with id {row.profile_id} does not exist.")
            others = [m for m in matches if m != row.profile_id]
            if others:
                raise _duplicate(others[0])
            return row.profile_id
        if len(matches) > 1:
            raise _duplicate(matches[1])
        if matches:
            return matches[0]
        self.state[new_id] = {"id": new_id, "ids": (None, None, None), "attributes": {}}
        self.state[new_id].update(new=True, moved=False, dirty=False)
        return new_id

    def create(self, row: UpsertRow, keys: tuple[Any, ...], new_id: str) -> None:
        attrs = {k: v for k, v in row.attributes.items() if v is not None and k not in _IDENTIFIER_SET}
        for name in ("location", "properties"):
            inner = attrs.get(name)
            if inner.__class__ is dict and None in inner.values():
                attrs[name] = {k: v for k, v in inner.items() if v is not None}
        if row.patch_properties:
            attrs["properties"] = apply_patch_properties(attrs.get("properties") or {}, row.patch_properties)
        self.state[new_id] = {
            "id": new_id,
            "ids": keys,
            "attributes": attrs,
            "new": True,
            "moved": False,
            "dirty": True,
        }
        for owner, value in zip(self.owners, keys, strict=True):
            if value:
                owner[value] = new_id

    def apply(self, row: UpsertRow, keys: tuple[Any, ...], record: dict[str, Any]) -> None:
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
        record["attributes"] = merged
        record["dirty"] = True


def _duplicate(other: str) -> ApiError:
    return conflict(
        "duplicate_profile",
        "A profile already exists with one of these identifiers.",
        meta={"duplicate_profile_id": other},
    )


_IDENTIFIER_SET = frozenset(IDENTIFIERS)


def _encode(value: Any) -> str:
    """Compact JSON; orjson when installed (10x faster per profile, which matters at 10,000 per job)."""
    return orjson.dumps(value).decode() if orjson is not None else _STD_ENCODE(value)


_STD_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def encoded_size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON (how Klaviyo's 100 KB per profile limit is measured)."""
    return len(orjson.dumps(value)) if orjson is not None else len(_STD_ENCODE(value).encode())


def bulk_upsert(conn: sqlite3.Connection, rows: list[UpsertRow]) -> UpsertResult:
    """Upsert many profiles in order, inside the caller's `store.write()` transaction.

    Rows are matched on any identifier as the data stands after the rows before them, so a file with the same
    email twice updates one profile (later values win); a row whose identifiers belong to two different
    profiles is refused with 409 duplicate_profile, one with an unknown `id` with 404. Reads are 4 indexed
    joins against a temp table and writes are 3 executemany calls, never a round trip per profile.
    """
    result = UpsertResult()
    keys = [_keys(r.attributes) for r in rows]
    batch = _Batch(conn, rows, keys)
    by_email, by_phone, by_ext = batch.owners
    for row, key, new_id in zip(rows, keys, new_profile_ids(len(rows)), strict=True):
        email, phone, ext = key
        if row.profile_id is None and email not in by_email and phone not in by_phone and ext not in by_ext:
            batch.create(row, key, new_id)  # the common case, kept cheap: nothing matches, a new profile
            result.ids[row.pos] = new_id
            continue
        try:
            pid = batch.resolve(row, key, new_id)
        except ApiError as err:
            result.errors[row.pos] = err
            continue
        batch.apply(row, key, batch.state[pid])
        result.ids[row.pos] = pid
    stamp = timeutil.iso()
    dirty = [rec for rec in batch.state.values() if rec["dirty"]]
    # Identifiers may move between profiles inside one batch: release them first so UNIQUE never trips.
    conn.executemany(
        "UPDATE profiles SET email=NULL, phone_number=NULL, external_id=NULL WHERE id=?",
        [(r["id"],) for r in dirty if r["moved"] and not r["new"]],
    )
    conn.executemany(
        "UPDATE profiles SET email=?, phone_number=?, external_id=?, attributes=?, updated=? WHERE id=?",
        [(*r["ids"], _encode(r["attributes"]), stamp, r["id"]) for r in dirty if not r["new"]],
    )
    conn.executemany(
        "INSERT INTO profiles(email, phone_number, external_id, attributes, created, updated, id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*r["ids"], _encode(r["attributes"]), stamp, stamp, r["id"]) for r in dirty if r["new"]],
    )
    result.created = {r["id"] for r in dirty if r["new"]}
    return result
