"""Profiles storage shared by every resource that touches profiles (profiles, imports, events, lists).

Contract other modules rely on (extend, do not break): the `profiles` table columns below,
`find_profile_ids`, `upsert_profile` and `load_profile`.
Identifiers (email, phone_number, external_id) are unique per account (facts §8; EMULATOR CHOICE for phone
and external_id). Everything else a profile holds lives in the `attributes` JSON (first_name, ..., location{},
properties{}), merged key by key on update: an omitted field is unchanged, a null clears it.
`subscriptions` holds consent per channel, written only by bulk subscribe (never by an import or a list).

Also here: the `list_members(list_id, profile_id, joined_at)` table with `add_list_members`, and the checks
Klaviyo applies to every profile (`profile_problem`, `valid_email`, `valid_phone`). Batch upserts (imports,
and the profile routes) use `klaviyo_sandbox.profilebulk`, which follows the same merge rules.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine import fastjson, ids, timeutil
from klaviyo_sandbox.engine.errors import conflict
from klaviyo_sandbox.engine.filters import Condition
from klaviyo_sandbox.engine.store import register_schema
from klaviyo_spec import field_rules

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


def load_subscriptions(conn: sqlite3.Connection, profile_id: str) -> dict[str, Any]:
    """The profile's consent per channel (`{}` when it has none, or no such profile)."""
    row = conn.execute("SELECT subscriptions FROM profiles WHERE id=?", (profile_id,)).fetchone()
    subs: dict[str, Any] = json.loads(row[0]) if row else {}
    return subs


def save_subscriptions(conn: sqlite3.Connection, profile_id: str, subscriptions: dict[str, Any], stamp: str) -> None:
    """Only bulk subscribe writes consent (facts §10, §14); call inside `store.write()`."""
    conn.execute(
        "UPDATE profiles SET subscriptions=?, updated=? WHERE id=?", (json.dumps(subscriptions), stamp, profile_id)
    )


# -- seeding (profiles/seed.py, events/demo.py): fixed rows, INSERT OR IGNORE so seeding twice adds nothing ----
SeedProfile = tuple[str, str | None, str | None, str | None, str, str, str, str]
"""(id, email, phone_number, external_id, attributes JSON, subscriptions JSON, created, updated)."""


def insert_seed_profiles(conn: sqlite3.Connection, rows: list[SeedProfile]) -> int:
    """Store demo profiles whose ids are not taken yet; returns how many were added."""
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO profiles(id, email, phone_number, external_id, attributes, subscriptions, created,"
        " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return conn.total_changes - before


def insert_seed_members(conn: sqlite3.Connection, members: list[tuple[str, str, str]]) -> None:
    """(list_id, profile_id, joined_at) rows; a member already in the list keeps its joined_at."""
    conn.executemany("INSERT OR IGNORE INTO list_members(list_id, profile_id, joined_at) VALUES (?, ?, ?)", members)


def ensure_email_profiles(conn: sqlite3.Connection, rows: list[tuple[str, str, str, str, str]]) -> list[str]:
    """(id, email, attributes JSON, created, updated) rows, created unless the email exists already; returns the
    id stored for each row's email, in order (an existing profile keeps its id)."""
    conn.executemany(
        "INSERT OR IGNORE INTO profiles(id, email, attributes, created, updated) VALUES (?, ?, ?, ?, ?)", rows
    )
    emails = [r[1] for r in rows]
    found: dict[str, str] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT email, id FROM profiles WHERE email IN ({marks})", chunk).fetchall())
    return [found[e] for e in emails]


# -- reads (profiles/routes.py): identifier filters and sorts run in SQL ---------------------------------------
COLUMNS = {"id", "email", "phone_number", "external_id", "created", "updated"}


_SUPPRESSIONS = "subscriptions.email.marketing."
_OPS = {"equals": "=", "greater-than": ">", "greater-or-equal": ">=", "less-than": "<", "less-or-equal": "<="}


def _suppression_condition(cond: Condition) -> tuple[str, list[Any]]:
    """`subscriptions.email.marketing.(list_)suppression(s).<member>`: any stored entry matches (consent/store.py
    writes them); e.g. a Singer tap reads its global exclusions with suppression.reason."""
    array, _, member = cond.field.removeprefix(_SUPPRESSIONS).partition(".")
    value = timeutil.iso(cond.value) if hasattr(cond.value, "astimezone") else cond.value
    sql = (
        f"EXISTS (SELECT 1 FROM json_each(profiles.subscriptions, '$.email.marketing.{array}')"
        f" WHERE json_extract(value, '$.{member}') {_OPS[cond.op]} ?)"
    )
    return sql, [value]


def _sql_condition(cond: Condition) -> tuple[str, list[Any]]:
    """One parsed filter condition as SQL over the profiles table (values bound, never interpolated)."""
    if cond.field.startswith(_SUPPRESSIONS) and cond.op in _OPS:
        return _suppression_condition(cond)  # field and op come from the spec's allowed list, never user text
    if cond.field not in COLUMNS:
        return "0", []  # _kx: the sandbox does not store it, so nothing matches
    value = cond.value
    if cond.field in ("created", "updated"):
        op = {"greater-than": ">", "less-than": "<"}[cond.op]
        return f"{cond.field} {op} ?", [timeutil.iso(value) if hasattr(value, "astimezone") else str(value)]
    values = value if isinstance(value, list) else [value]
    if cond.field == "email":
        values = [normalise_email(v) if isinstance(v, str) else v for v in values]
    return f"{cond.field} IN ({', '.join('?' * len(values))})", values


def _profile_where(conditions: list[Condition]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    args: list[Any] = []
    for cond in conditions:
        sql, values = _sql_condition(cond)
        parts.append(sql)
        args.extend(values)
    return (" WHERE " + " AND ".join(parts) if parts else ""), args


def profile_page(
    conn: sqlite3.Connection, conditions: list[Condition], column: str, *, descending: bool, offset: int, size: int
) -> list[dict[str, Any]]:
    """One page of profiles (plus one look-ahead), sorted by `column` (one of COLUMNS) then id."""
    where, args = _profile_where(conditions)
    order = f" ORDER BY {column} {'DESC' if descending else 'ASC'}, id"  # column: checked by the route
    ids_ = [
        r[0] for r in conn.execute(f"SELECT id FROM profiles{where}{order} LIMIT ? OFFSET ?", [*args, size + 1, offset])
    ]
    loaded = [load_profile(conn, pid) for pid in ids_]
    return [p for p in loaded if p is not None]


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
    -- members in page order (lists/store.member_page): without it each page sorted the whole list
    CREATE INDEX IF NOT EXISTS list_members_joined ON list_members(list_id, joined_at, profile_id);
    """,
    ("list_members",),
)


def add_list_members(conn: sqlite3.Connection, list_id: str, profile_ids: list[str]) -> None:
    """Idempotent: a profile already in the list keeps its original joined_at.

    One statement over a sorted JSON array (json_each, in C) rather than one bound row per profile: a bulk job
    adds 10,000 members, and inserting them in key order appends to both indexes' pages (measured 2x faster).
    """
    if not profile_ids:
        return
    stamp, array = timeutil.iso(), fastjson.encode(sorted(set(profile_ids)))
    if "\\u0000" in array:  # json_each would cut such an id short (ours are ULIDs; this is a safety net)
        conn.executemany(
            "INSERT OR IGNORE INTO list_members(list_id, profile_id, joined_at) VALUES (?, ?, ?)",
            [(list_id, pid, stamp) for pid in profile_ids],
        )
        return
    conn.execute(
        "INSERT OR IGNORE INTO list_members(list_id, profile_id, joined_at) SELECT ?, value, ? FROM json_each(?)",
        (list_id, stamp, array),
    )


# -- validation Klaviyo applies to every profile it stores -------------------------------------------------
_EMAIL = field_rules.EMAIL  # the rule the client validates with too (klaviyo_spec/field_rules.py)
_E164 = field_rules.E164
STRING_FIELDS: tuple[str, ...] = (
    "email",
    "phone_number",
    "external_id",
    "_kx",
    "first_name",
    "last_name",
    "organization",
    "locale",
)
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
_LOCATION_SET = frozenset(LOCATION_FIELDS)
_email_match = _EMAIL.match
_phone_match = _E164.match


def _location_problem(location: Any) -> tuple[str, str] | None:
    if not isinstance(location, dict):
        return "location", "'location' must be an object."
    for key, value in location.items():
        if key not in _LOCATION_SET:
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
    if email and not _email_match(email.strip()):  # valid_email(), inlined: this runs for every imported row
        return "email", f"Invalid email address: '{email}'."
    if phone and not _phone_match(phone):
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
