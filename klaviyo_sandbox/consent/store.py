"""Unsubscribe and suppression, applied to the consent each profile stores (profiles.subscriptions JSON).

Klaviyo's rules (facts §10, §20; spec descriptions): an unsubscribe names a list or not; a profile that is a
member of the given list leaves that list with a list suppression (its global consent stays), every other
profile is unsubscribed globally. Suppressing creates unknown emails and marks USER_SUPPRESSED; unsuppressing
removes only USER_SUPPRESSED (UNSUBSCRIBE, HARD_BOUNCE... stay) and ignores unknown emails. Subscribing again
clears suppressions (profiles/subscriptions.py rewrites the channel).

EMULATOR CHOICES: the jobs are applied when they are accepted and answered as `complete` (deterministic for
tests); an unsubscribe of an email or phone number with no profile is skipped (nothing is created).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from klaviyo_sandbox.engine import fastbody, ids, timeutil
from klaviyo_sandbox.engine.store import register_schema
from klaviyo_sandbox.profiles import store as profilestore

register_schema(
    """
    CREATE TABLE IF NOT EXISTS suppression_jobs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        completed_at TEXT,
        total INTEGER NOT NULL,
        completed INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        list_id TEXT,
        segment_id TEXT
    );
    """,
    ("suppression_jobs",),
)

UNSUBSCRIBED = "UNSUBSCRIBED"


def _load(conn: sqlite3.Connection, profile_id: str) -> dict[str, Any]:
    row = conn.execute("SELECT subscriptions FROM profiles WHERE id=?", (profile_id,)).fetchone()
    return json.loads(row[0]) if row else {}


def _save(conn: sqlite3.Connection, profile_id: str, subs: dict[str, Any], stamp: str) -> None:
    # Compact orjson text (readers parse it; a bulk unsubscribe writes 100 of these per call).
    text = fastbody.encode(subs)
    conn.execute("UPDATE profiles SET subscriptions=?, updated=? WHERE id=?", (text, stamp, profile_id))


def _find(conn: sqlite3.Connection, email: str | None, phone: str | None) -> str | None:
    found = profilestore.find_profile_ids(conn, {"email": profilestore.normalise_email(email), "phone_number": phone})
    return found[0] if found else None


def unsubscribe(conn: sqlite3.Connection, profile: dict[str, Any], list_id: str | None, stamp: str) -> bool:
    """Apply one profile of an unsubscribe request; False when no profile has that email or phone."""
    attrs = profile["attributes"]
    pid = _find(conn, attrs.get("email"), attrs.get("phone_number"))
    if pid is None:
        return False
    subs = _load(conn, pid)
    member = (
        list_id is not None
        and conn.execute("SELECT 1 FROM list_members WHERE list_id=? AND profile_id=?", (list_id, pid)).fetchone()
    )
    if member:  # in the given list: leave the list, keep the global consent
        conn.execute("DELETE FROM list_members WHERE list_id=? AND profile_id=?", (list_id, pid))
        if "email" in attrs["subscriptions"]:
            marketing = subs.setdefault("email", {}).setdefault("marketing", {})
            entry = {"list_id": list_id, "reason": "UNSUBSCRIBE", "timestamp": stamp}
            marketing["list_suppressions"] = [*marketing.get("list_suppressions", []), entry]
    else:  # no list, or not a member: global unsubscribe of every channel and type named
        for channel, kinds in attrs["subscriptions"].items():
            for kind in (k for k in kinds if k != "tokens"):
                state = subs.setdefault(channel, {}).setdefault(kind, {})
                state.update(consent=UNSUBSCRIBED, last_updated=stamp, method="API", method_detail=None)
                state["consent_timestamp"] = stamp
                if channel == "email" and kind == "marketing":
                    state["suppression"] = [
                        *state.get("suppression", []),
                        {"reason": "UNSUBSCRIBE", "timestamp": stamp},
                    ]
    _save(conn, pid, subs, stamp)
    return True


def suppress(conn: sqlite3.Connection, profile_ids: list[str], stamp: str) -> None:
    for pid in profile_ids:
        subs = _load(conn, pid)
        marketing = subs.setdefault("email", {}).setdefault("marketing", {})
        current = marketing.get("suppression", [])
        if not any(s["reason"] == "USER_SUPPRESSED" for s in current):
            marketing["suppression"] = [*current, {"reason": "USER_SUPPRESSED", "timestamp": stamp}]
            _save(conn, pid, subs, stamp)


def unsuppress(conn: sqlite3.Connection, profile_ids: list[str], stamp: str) -> None:
    for pid in profile_ids:
        subs = _load(conn, pid)
        marketing = (subs.get("email") or {}).get("marketing") or {}
        kept = [s for s in marketing.get("suppression", []) if s["reason"] != "USER_SUPPRESSED"]
        if kept != marketing.get("suppression", []):
            marketing["suppression"] = kept
            _save(conn, pid, subs, stamp)


def profiles_by_email(conn: sqlite3.Connection, emails: list[str], *, create: bool) -> list[str]:
    """Profile ids for these emails; with `create`, unknown emails become new profiles (as suppress does)."""
    out = []
    for email in emails:
        pid = _find(conn, email, None)
        if pid is None and create:
            pid = ids.ulid()
            stamp = timeutil.iso()
            conn.execute(
                "INSERT INTO profiles(id, email, created, updated) VALUES (?, ?, ?, ?)",
                (pid, profilestore.normalise_email(email), stamp, stamp),
            )
        if pid is not None:
            out.append(pid)
    return out


def group_members(conn: sqlite3.Connection, list_id: str | None, segment_ids: list[str] | None) -> list[str]:
    """Members of a list, or the given segment member ids (segments are evaluated by their own store)."""
    if list_id is not None:
        return [r[0] for r in conn.execute("SELECT profile_id FROM list_members WHERE list_id=?", (list_id,))]
    return list(segment_ids or [])


def record_job(conn: sqlite3.Connection, kind: str, total: int, done: int, **group: str | None) -> str:
    job_id = ids.ulid()
    stamp = timeutil.iso()
    conn.execute(
        "INSERT INTO suppression_jobs(id, kind, status, created_at, completed_at, total, completed, skipped,"
        " list_id, segment_id) VALUES (?, ?, 'complete', ?, ?, ?, ?, ?, ?, ?)",
        (job_id, kind, stamp, stamp, total, done, total - done, group.get("list_id"), group.get("segment_id")),
    )
    return job_id


def suppression_job(conn: sqlite3.Connection, job_id: str, kind: str) -> sqlite3.Row | None:
    """One suppress ("create") or unsuppress ("delete") job."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM suppression_jobs WHERE id=? AND kind=?", (job_id, kind)
    ).fetchone()
    return row


def suppression_jobs(conn: sqlite3.Connection, kind: str) -> list[sqlite3.Row]:
    """Every job of one kind, oldest first."""
    return conn.execute("SELECT * FROM suppression_jobs WHERE kind=? ORDER BY seq", (kind,)).fetchall()
