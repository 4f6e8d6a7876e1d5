"""Profiles storage shared by every resource that touches profiles (profiles, imports, events, lists).

Contract other modules rely on (extend, do not break): the `profiles` table columns below,
`find_profile_ids`, `upsert_profile` and `load_profile`.
Identifiers (email, phone_number, external_id) are unique per account (facts §8; EMULATOR CHOICE for phone
and external_id). Everything else a profile holds lives in the `attributes` JSON (first_name, ..., location{},
properties{}), merged key by key on update: an omitted field is unchanged, a null clears it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

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


def profile_problem(attrs: dict[str, Any], has_id: bool = False) -> tuple[str, str] | None:
    """The first reason Klaviyo would refuse these profile attributes: (field, detail), or None."""
    for name in STRING_FIELDS:
        value = attrs.get(name)
        if value is not None and not isinstance(value, str):
            return name, f"'{name}' must be a string or null."
    location = attrs.get("location")
    if location is not None:
        if not isinstance(location, dict):
            return "location", "'location' must be an object."
        for key, value in location.items():
            if key not in LOCATION_FIELDS:
                return f"location/{key}", f"'{key}' is not a valid location field."
            if value is not None and not isinstance(value, (str, int, float)):
                return f"location/{key}", f"'location.{key}' must be a string."
    if attrs.get("properties") is not None and not isinstance(attrs["properties"], dict):
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
@dataclass
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


_COLUMNS = {"email": "email", "phone_number": "phone", "external_id": "ext", "id": "pid"}


def _identifier(field_name: str, value: Any) -> str | None:
    if field_name == "email":
        return normalise_email(value)
    return value if isinstance(value, str) and value else None


def _load_touched(conn: sqlite3.Connection, rows: list[UpsertRow]) -> dict[str, dict[str, Any]]:
    """Every stored profile that owns an identifier (or id) named by any row: 4 indexed joins."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS upsert_keys(pos INTEGER PRIMARY KEY, email, phone, ext, pid)")
    conn.execute("DELETE FROM upsert_keys")
    conn.executemany(
        "INSERT INTO upsert_keys VALUES (?, ?, ?, ?, ?)",
        [
            (
                r.pos,
                _identifier("email", r.attributes.get("email")),
                _identifier("phone_number", r.attributes.get("phone_number")),
                _identifier("external_id", r.attributes.get("external_id")),
                r.profile_id,
            )
            for r in rows
        ],
    )
    selects = " UNION ".join(
        f"SELECT p.* FROM upsert_keys k CROSS JOIN profiles p ON p.{col} = k.{key}" for col, key in _COLUMNS.items()
    )
    found = {}
    for row in conn.execute(selects):
        found[row["id"]] = {
            "id": row["id"],
            "email": row["email"],
            "phone_number": row["phone_number"],
            "external_id": row["external_id"],
            "attributes": json.loads(row["attributes"]),
            "new": False,
            "ids_changed": False,
        }
    conn.execute("DELETE FROM upsert_keys")
    return found


def _duplicate(other: str) -> ApiError:
    return conflict(
        "duplicate_profile",
        "A profile already exists with one of these identifiers.",
        meta={"duplicate_profile_id": other},
    )


def _resolve(row: UpsertRow, state: dict[str, dict[str, Any]], owner: dict[tuple[str, str], str]) -> str:
    """The profile this row lands on (a new id when nothing matches); raises 404/409 like Klaviyo."""
    matches: list[str] = []
    for name in IDENTIFIERS:
        value = _identifier(name, row.attributes.get(name))
        pid = owner.get((name, value)) if value else None
        if pid and pid not in matches:
            matches.append(pid)
    if row.profile_id is not None:
        if row.profile_id not in state:
            raise ApiError(404, "not_found", "Not found.", f"A profile with id {row.profile_id} does not exist.")
        others = [m for m in matches if m != row.profile_id]
        if others:
            raise _duplicate(others[0])
        return row.profile_id
    if len(matches) > 1:
        raise _duplicate(matches[1])
    if matches:
        return matches[0]
    new_id = ids.ulid()
    state[new_id] = {"id": new_id, "email": None, "phone_number": None, "external_id": None}
    state[new_id].update(attributes={}, new=True, ids_changed=False)
    return new_id


def _apply(row: UpsertRow, record: dict[str, Any], owner: dict[tuple[str, str], str]) -> None:
    for name in IDENTIFIERS:
        if name not in row.attributes:
            continue
        value = _identifier(name, row.attributes[name])
        if value == record[name]:
            continue
        if record[name] is not None:
            owner.pop((name, record[name]), None)
        if value is not None:
            owner[(name, value)] = record["id"]
        record[name] = value
        record["ids_changed"] = True
    merged = _merge(record["attributes"], row.attributes)
    if row.patch_properties:
        merged["properties"] = apply_patch_properties(merged.get("properties") or {}, row.patch_properties)
    record["attributes"] = merged
    record["dirty"] = True


def bulk_upsert(conn: sqlite3.Connection, rows: list[UpsertRow]) -> UpsertResult:
    """Upsert many profiles in order, inside the caller's `store.write()` transaction.

    Rows are matched on any identifier (as the stored data stands after the rows before them), so a file with
    the same email twice updates one profile; a row whose identifiers belong to two different profiles is
    refused with 409 duplicate_profile. All reads are 4 joins and all writes are 3 executemany calls.
    """
    result = UpsertResult()
    state = _load_touched(conn, rows)
    owner = {(name, rec[name]): pid for pid, rec in state.items() for name in IDENTIFIERS if rec[name]}
    for row in rows:
        try:
            pid = _resolve(row, state, owner)
        except ApiError as err:
            result.errors[row.pos] = err
            continue
        _apply(row, state[pid], owner)
        result.ids[row.pos] = pid
    stamp = timeutil.iso()
    dirty = [rec for rec in state.values() if rec.get("dirty")]
    # Identifiers may move between profiles inside one batch: release them first so UNIQUE never trips.
    conn.executemany(
        "UPDATE profiles SET email=NULL, phone_number=NULL, external_id=NULL WHERE id=?",
        [(r["id"],) for r in dirty if r["ids_changed"] and not r["new"]],
    )
    values = [
        (r["email"], r["phone_number"], r["external_id"], json.dumps(r["attributes"]), stamp, r["id"]) for r in dirty
    ]
    conn.executemany(
        "UPDATE profiles SET email=?, phone_number=?, external_id=?, attributes=?, updated=? WHERE id=?",
        [v for v, r in zip(values, dirty, strict=True) if not r["new"]],
    )
    conn.executemany(
        "INSERT INTO profiles(email, phone_number, external_id, attributes, created, updated, id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*v[:5], stamp, v[5]) for v, r in zip(values, dirty, strict=True) if r["new"]],
    )
    result.created = {r["id"] for r in dirty if r["new"]}
    return result
