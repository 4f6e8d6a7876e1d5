from __future__ import annotations

import gc
import time

from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import call, error_code
from tests.sandbox.profiles.bulk_helpers import all_pages, create_list, import_body, profile, submit, wait_job

JOBS = "/api/profile-bulk-import-jobs"


def test_job_runs_queued_to_complete_with_import_errors(sandbox: SandboxServer) -> None:
    rows = [
        profile(email="ada@example.com", first_name="Ada", properties={"tier": "gold"}),
        profile(email="not-an-email", first_name="Bad"),
        profile(phone_number="555-0100"),
        profile(first_name="Nobody"),
        profile(phone_number="+15555550100", location={"city": "Boston", "latitude": 42.36}),
        profile(external_id="crm-7"),
    ]
    job = submit(sandbox.url, rows)
    assert job["attributes"]["status"] == "queued" and job["attributes"]["total_count"] == 6
    assert job["links"]["self"].endswith(f"{JOBS}/{job['id']}")
    done = wait_job(sandbox.url, job["id"])["attributes"]
    assert (done["completed_count"], done["failed_count"], done["total_count"]) == (3, 3, 6)
    assert call(sandbox.url, "POST", "/__sandbox/jobs/wait", {"timeout": 5}).json()["idle"]
    assert gc.isenabled()  # paused only while the job computed
    assert done["started_at"] and done["completed_at"] and done["expires_at"] > done["completed_at"]

    errors = call(sandbox.url, "GET", f"{JOBS}/{job['id']}/import-errors").json()["data"]
    by_pointer = {e["attributes"]["source"]["pointer"]: e["attributes"] for e in errors}
    assert set(by_pointer) == {
        "/data/attributes/profiles/data/1/attributes/email",
        "/data/attributes/profiles/data/2/attributes/phone_number",
        "/data/attributes/profiles/data/3/attributes",
    }
    assert all(e["code"] == "invalid" and e["detail"] for e in by_pointer.values())
    assert by_pointer["/data/attributes/profiles/data/1/attributes/email"]["original_payload"] == rows[1]

    imported = all_pages(sandbox.url, f"{JOBS}/{job['id']}/profiles")
    assert [p["attributes"]["email"] for p in imported] == ["ada@example.com", None, None]
    assert imported[0]["attributes"]["properties"] == {"tier": "gold"}
    assert imported[1]["attributes"]["location"] == {"city": "Boston", "latitude": 42.36}
    ids = all_pages(sandbox.url, f"{JOBS}/{job['id']}/relationships/profiles", **{"page[size]": "2"})
    assert [i["id"] for i in ids] == [p["id"] for p in imported]


def test_job_adds_profiles_to_list_and_reads_lists(sandbox: SandboxServer) -> None:
    list_id = create_list(sandbox.url, "Imported")
    job = submit(sandbox.url, [profile(email=f"p{i}@example.com") for i in range(5)], (list_id,))
    assert job["relationships"]["lists"]["data"] == [{"type": "list", "id": list_id}]
    wait_job(sandbox.url, job["id"])
    got = call(sandbox.url, "GET", f"{JOBS}/{job['id']}", params={"include": "lists"}).json()
    assert got["included"][0]["id"] == list_id
    lists = call(sandbox.url, "GET", f"{JOBS}/{job['id']}/lists").json()["data"]
    assert [x["attributes"]["name"] for x in lists] == ["Imported"]
    rel = call(sandbox.url, "GET", f"{JOBS}/{job['id']}/relationships/lists").json()["data"]
    assert rel == [{"type": "list", "id": list_id}]


def test_job_upserts_and_reports_conflicts(sandbox: SandboxServer) -> None:
    first = submit(sandbox.url, [profile(email="a@example.com", first_name="A"), profile(email="b@example.com")])
    wait_job(sandbox.url, first["id"])
    second = submit(
        sandbox.url,
        [
            profile(email="A@example.com", last_name="Updated"),  # same profile, email case-insensitive
            profile(email="c@example.com", first_name="C1"),
            profile(email="c@example.com", first_name="C2"),  # repeated in one job: later row wins
            profile(email="a@example.com", external_id="x-1"),
            profile(email="b@example.com", external_id="x-1"),  # x-1 now belongs to a@: conflict
        ],
    )
    done = wait_job(sandbox.url, second["id"])["attributes"]
    assert (done["completed_count"], done["failed_count"]) == (4, 1)
    errors = call(sandbox.url, "GET", f"{JOBS}/{second['id']}/import-errors").json()["data"]
    assert errors[0]["attributes"]["code"] == "duplicate_profile"
    assert errors[0]["attributes"]["source"]["pointer"] == "/data/attributes/profiles/data/4/attributes"
    profiles = all_pages(sandbox.url, f"{JOBS}/{second['id']}/profiles")
    by_email = {p["attributes"]["email"]: p["attributes"] for p in profiles}
    assert set(by_email) == {"a@example.com", "c@example.com"}
    assert by_email["a@example.com"]["first_name"] == "A" and by_email["a@example.com"]["last_name"] == "Updated"
    assert by_email["a@example.com"]["external_id"] == "x-1"
    assert by_email["c@example.com"]["first_name"] == "C2"


def test_job_limits(sandbox: SandboxServer) -> None:
    too_many = call(sandbox.url, "POST", JOBS, import_body([profile(email="x@example.com")] * 10_001))
    assert too_many.status_code == 400 and error_code(too_many) == "invalid"
    assert too_many.json()["errors"][0]["source"]["pointer"] == "/data/attributes/profiles/data"
    big = profile(email="big@example.com", properties={"notes": "x" * 101 * 1024})
    too_big = call(sandbox.url, "POST", JOBS, import_body([profile(email="ok@example.com"), big]))
    assert too_big.status_code == 413 and error_code(too_big) == "request_too_large"
    assert too_big.json()["errors"][0]["source"]["pointer"] == "/data/attributes/profiles/data/1"
    huge = [profile(email=f"h{i}@example.com", properties={"notes": "y" * 90_000}) for i in range(60)]
    body_too_big = call(sandbox.url, "POST", JOBS, import_body(huge))
    assert body_too_big.status_code == 413 and error_code(body_too_big) == "request_too_large"
    empty = call(sandbox.url, "POST", JOBS, import_body([]))
    assert empty.status_code == 400 and error_code(empty) == "invalid"
    bad_row = call(sandbox.url, "POST", JOBS, import_body([profile(email="a@example.com"), {"type": "event"}]))
    assert bad_row.status_code == 400 and error_code(bad_row) == "invalid"
    assert bad_row.json()["errors"][0]["source"]["pointer"] == "/data/attributes/profiles/data/1"
    no_list = call(sandbox.url, "POST", JOBS, import_body([profile(email="a@example.com")], ("nope00",)))
    assert no_list.status_code == 400 and error_code(no_list) == "invalid"
    assert no_list.json()["errors"][0]["source"]["pointer"] == "/data/relationships/lists/data/0/id"
    missing = call(sandbox.url, "GET", f"{JOBS}/01NOSUCHJOB0000000000000000")
    assert missing.status_code == 404 and error_code(missing) == "not_found"


def test_job_listing_filter_and_sort(sandbox: SandboxServer) -> None:
    jobs = [submit(sandbox.url, [profile(email=f"l{i}@example.com")]) for i in range(3)]
    for job in jobs:
        wait_job(sandbox.url, job["id"])
    newest_first = call(sandbox.url, "GET", JOBS, params={"sort": "-created_at"}).json()["data"]
    assert [j["id"] for j in newest_first] == [j["id"] for j in reversed(jobs)]
    complete = call(sandbox.url, "GET", JOBS, params={"filter": 'equals(status,"complete")', "page[size]": "2"})
    assert len(complete.json()["data"]) == 2 and complete.json()["links"]["next"]
    queued = call(sandbox.url, "GET", JOBS, params={"filter": 'any(status,["queued","processing"])'}).json()
    assert queued["data"] == []
    bad_sort = call(sandbox.url, "GET", JOBS, params={"sort": "status"})
    assert bad_sort.status_code == 400 and error_code(bad_sort) == "invalid"


def test_job_survives_restart(sandbox_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "jobs.sqlite3"
    slow = sandbox_factory(db_path=db, job_step_seconds=60)  # the job parks in 'processing'
    job = submit(slow.url, [profile(email="resume@example.com")])
    assert job["attributes"]["status"] == "queued"
    deadline = time.monotonic() + 10
    while call(slow.url, "GET", f"{JOBS}/{job['id']}").json()["data"]["attributes"]["status"] != "processing":
        assert time.monotonic() < deadline, "the worker never picked the job up"
    slow.stop()
    fresh = sandbox_factory(db_path=db)
    done = wait_job(fresh.url, job["id"])["attributes"]
    assert done["completed_count"] == 1


def test_full_size_job_accounts_for_every_row(sandbox: SandboxServer) -> None:
    """10,000 rows (the limit), every 50th one invalid: counts, errors and profiles add up exactly."""
    rows = [
        profile(email=f"row{i}@example.com" if i % 50 else f"row{i}-at-example.com", properties={"n": i})
        for i in range(10_000)
    ]
    job = submit(sandbox.url, rows)
    done = wait_job(sandbox.url, job["id"], deadline_s=120)["attributes"]
    assert (done["completed_count"], done["failed_count"]) == (9_800, 200)
    errors = all_pages(sandbox.url, f"{JOBS}/{job['id']}/import-errors", **{"page[size]": "100"})
    rows_refused = sorted(int(e["attributes"]["source"]["pointer"].split("/")[5]) for e in errors)
    assert rows_refused == list(range(0, 10_000, 50))
    last = call(sandbox.url, "GET", "/api/profiles", params={"filter": 'equals(email,"row9999@example.com")'})
    assert last.json()["data"][0]["attributes"]["properties"] == {"n": 9999}
