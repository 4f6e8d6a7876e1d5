"""Bulk import edge cases the fast paths must keep exact: every refusal reason with its pointer and payload,
merges into stored profiles, the 100 KB per-profile limit at its boundary, and jobs stored by older versions."""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import closing

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine import fastjson
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.profiles import bulk_upsert as profilebulk
from klaviyo_sandbox.profiles import store as profilestore
from tests.sandbox.engine.helpers import call, error_code
from tests.sandbox.profiles.bulk_helpers import all_pages, create_list, import_body, profile, submit, wait_job

JOBS = "/api/profile-bulk-import-jobs"
LIMIT = 100 * 1024


def _errors(base: str, job_id: str) -> dict[int, dict]:
    found = all_pages(base, f"{JOBS}/{job_id}/import-errors", **{"page[size]": "100"})
    return {int(e["attributes"]["source"]["pointer"].split("/")[5]): e["attributes"] for e in found}


def test_every_refusal_keeps_its_pointer_detail_and_payload(sandbox: SandboxServer) -> None:
    owner = submit(sandbox.url, [profile(email="owner@example.com"), profile(external_id="ext-owned")])
    wait_job(sandbox.url, owner["id"])
    rows = [
        profile(email="  Ada@Example.COM ", last_name=None, location={"city": "Paris", "zip": None}),  # imports
        profile(email=123),
        profile(email="a@example.com", location="Paris"),
        profile(email="b@example.com", location={"planet": "Mars"}),
        profile(email="c@example.com", location={"city": ["x"]}),
        profile(email="d@example.com", properties=[1, 2]),
        profile(phone_number="0155"),
        profile(first_name="Nobody"),
        {"type": "profile", "id": "01UNKNOWNPROFILE0000000000", "attributes": {"first_name": "Ghost"}},
        profile(email="owner@example.com", external_id="ext-owned"),
        profile(email="", first_name="Empty"),
        profile(email="e@example.com", first_name=7),
        profile(email="bad..dots@example.com", first_name="Zoë"),
        profile(_kx="kx-token", first_name="Kx"),  # imports: _kx is an identifier
    ]
    job = submit(sandbox.url, rows)
    done = wait_job(sandbox.url, job["id"])["attributes"]
    assert (done["completed_count"], done["failed_count"], done["total_count"]) == (2, 12, 14)
    errors = _errors(sandbox.url, job["id"])
    expected = {
        1: ("invalid", "/attributes/email", "'email' must be a string or null."),
        2: ("invalid", "/attributes/location", "'location' must be an object."),
        3: ("invalid", "/attributes/location/planet", "'planet' is not a valid location field."),
        4: ("invalid", "/attributes/location/city", "'location.city' must be a string."),
        5: ("invalid", "/attributes/properties", "'properties' must be an object."),
        6: (
            "invalid",
            "/attributes/phone_number",
            "Invalid phone number '0155': use E.164 format, e.g. +15555550123.",
        ),
        7: (
            "invalid",
            "/attributes",
            "A profile needs at least one identifier: email, phone_number, external_id or _kx.",
        ),
        8: ("not_found", "/id", "A profile with id 01UNKNOWNPROFILE0000000000 does not exist."),
        9: ("duplicate_profile", "/attributes", "A profile already exists with one of these identifiers."),
        10: (
            "invalid",
            "/attributes",
            "A profile needs at least one identifier: email, phone_number, external_id or _kx.",
        ),
        11: ("invalid", "/attributes/first_name", "'first_name' must be a string or null."),
        12: ("invalid", "/attributes/email", "Invalid email address: 'bad..dots@example.com'."),
    }
    assert set(errors) == set(expected)
    for pos, (code, pointer, detail) in expected.items():
        got = errors[pos]
        assert (got["code"], got["source"]["pointer"], got["detail"]) == (
            code,
            f"/data/attributes/profiles/data/{pos}{pointer}",
            detail,
        )
        assert got["original_payload"] == rows[pos]
    imported = all_pages(sandbox.url, f"{JOBS}/{job['id']}/profiles")
    assert imported[0]["attributes"]["email"] == "ada@example.com"
    assert imported[0]["attributes"]["location"] == {"city": "Paris"}
    assert imported[1]["attributes"]["first_name"] == "Kx" and imported[1]["attributes"]["email"] is None


def test_merges_into_stored_profiles_and_lists(sandbox: SandboxServer) -> None:
    list_id = create_list(sandbox.url, "Merged")
    first = submit(
        sandbox.url,
        [profile(email="keep@example.com", first_name="Keep", location={"city": "A"}, properties={"a": 1, "l": [1]})],
        (list_id,),
    )
    wait_job(sandbox.url, first["id"])
    kept = all_pages(sandbox.url, f"{JOBS}/{first['id']}/profiles")[0]
    rows = [
        {"type": "profile", "id": kept["id"], "attributes": {"last_name": "ById", "location": {"country": "FR"}}},
        {
            "type": "profile",
            "attributes": {"email": "KEEP@example.com", "properties": {"b": 2}},
            "meta": {"patch_properties": {"append": {"l": 2}, "unset": "a"}},
        },
        profile(email="dup@example.com", first_name="D1", title="T"),
        profile(email="Dup@example.com", first_name="D2", title=None),  # the same profile: later values win
    ]
    second = submit(sandbox.url, rows, (list_id,))
    done = wait_job(sandbox.url, second["id"])["attributes"]
    assert (done["completed_count"], done["failed_count"]) == (4, 0)
    profiles = all_pages(sandbox.url, f"{JOBS}/{second['id']}/profiles")
    assert [p["attributes"]["email"] for p in profiles] == ["keep@example.com", "dup@example.com"]
    keep = profiles[0]["attributes"]
    assert profiles[0]["id"] == kept["id"]
    assert (keep["first_name"], keep["last_name"], keep["location"]) == ("Keep", "ById", {"city": "A", "country": "FR"})
    assert keep["properties"] == {"l": [1, 2], "b": 2}
    assert (profiles[1]["attributes"]["first_name"], profiles[1]["attributes"]["title"]) == ("D2", None)
    members = all_pages(sandbox.url, f"/api/lists/{list_id}/relationships/profiles")
    assert sorted(m["id"] for m in members) == sorted(p["id"] for p in profiles)


def test_oversized_finds_the_first_profile_over_the_limit() -> None:
    rng = random.Random(3)
    for _ in range(40):
        items = [{"n": "x" * rng.choice((10, 200, 5_000, LIMIT - 9, LIMIT - 8, LIMIT))} for _ in range(60)]
        sizes = [fastjson.encoded_size(i) for i in items]
        total = fastjson.encoded_size(items)
        expected = next(((i, s) for i, s in enumerate(sizes) if s > LIMIT), None)
        assert profilebulk.oversized(items, LIMIT, total) == expected


def _profile_of_size(size: int, email: str) -> dict:
    item = profile(email=email, properties={"notes": ""})
    pad = size - fastjson.encoded_size(item)
    item["attributes"]["properties"]["notes"] = "é" * (pad // 2) + "x" * (pad % 2)  # 2 bytes each in UTF-8
    assert fastjson.encoded_size(item) == size
    return item


def test_profile_size_limit_is_exact_among_many(sandbox: SandboxServer) -> None:
    small = [profile(email=f"s{i}@example.com", first_name="Small") for i in range(3_000)]
    at_limit = [*small[:1_500], _profile_of_size(LIMIT, "edge@example.com"), *small[1_500:]]
    accepted = call(sandbox.url, "POST", JOBS, import_body(at_limit))
    assert accepted.status_code == 202, accepted.text
    over = [*small[:2_000], _profile_of_size(LIMIT + 1, "over@example.com"), *small[2_000:]]
    refused = call(sandbox.url, "POST", JOBS, import_body(over))
    assert refused.status_code == 413 and error_code(refused) == "request_too_large"
    assert refused.json()["errors"][0]["source"]["pointer"] == "/data/attributes/profiles/data/2000"
    assert wait_job(sandbox.url, accepted.json()["data"]["id"])["attributes"]["completed_count"] == 3_001


def test_job_stored_in_the_old_layout_resumes(sandbox_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Jobs queued by a version that kept the payload in the job row still run after an upgrade."""
    db = tmp_path / "old.sqlite3"
    sandbox_factory(db_path=db).stop()  # creates the tables
    body = json.dumps(import_body([profile(email="legacy@example.com"), profile(email="nope")])).encode()
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "INSERT INTO profile_import_jobs(id, status, created_at, total_count, list_ids, payload)"
            " VALUES ('01LEGACYJOB000000000000000', 'queued', '2026-07-15T10:00:00+00:00', 2, '[]', ?)",
            (body,),
        )
    fresh = sandbox_factory(db_path=db)
    done = wait_job(fresh.url, "01LEGACYJOB000000000000000")["attributes"]
    assert (done["completed_count"], done["failed_count"]) == (1, 1)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT payload FROM profile_import_jobs").fetchone() == (None,)


def test_identifiers_with_a_nul_character_still_match(sandbox: SandboxServer) -> None:
    """SQLite's json_each cuts a string at U+0000, so such identifiers take the bound-parameter path."""
    first = submit(sandbox.url, [profile(external_id="crm\u00007", first_name="A")])
    wait_job(sandbox.url, first["id"])
    again = submit(sandbox.url, [profile(external_id="crm\u00007", last_name="B"), profile(email="n@example.com")])
    done = wait_job(sandbox.url, again["id"])["attributes"]
    assert (done["completed_count"], done["failed_count"]) == (2, 0)
    before = all_pages(sandbox.url, f"{JOBS}/{first['id']}/profiles")
    after = all_pages(sandbox.url, f"{JOBS}/{again['id']}/profiles")
    assert after[0]["id"] == before[0]["id"]
    assert (after[0]["attributes"]["first_name"], after[0]["attributes"]["last_name"]) == ("A", "B")


def test_add_list_members_keeps_first_join_and_exact_ids() -> None:
    store = Store(None)
    with store.write() as conn:
        profilestore.add_list_members(conn, "L1", ["b", "a", "b"])
        first = dict(conn.execute("SELECT profile_id, joined_at FROM list_members").fetchall())
        profilestore.add_list_members(conn, "L1", ["a", "c\x00d"])
        rows = dict(conn.execute("SELECT profile_id, joined_at FROM list_members").fetchall())
    assert set(rows) == {"a", "b", "c\x00d"}
    assert rows["a"] == first["a"] and rows["b"] == first["b"]
