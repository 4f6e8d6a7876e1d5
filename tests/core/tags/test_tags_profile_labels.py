"""Profile labels: an `email,label` file becomes a list-valued custom property in a bulk import payload."""

from __future__ import annotations

import pytest

from klaviyo_core.tags.files import read_tag_file
from klaviyo_core.tags.labels import (
    MERGE,
    REPLACE,
    ImportsStillRunning,
    LabelError,
    import_bodies,
    plan_labels,
    send_labels,
)
from tests.spec_validation import request_errors, require_spec

FILE = (
    b"email,label\nAna@Example.com,vip\nana@example.com,summer\nana@example.com,vip\n"
    b"bob@example.com,vip\nnot-an-email,x\n"
)


def test_labels_are_grouped_per_profile() -> None:
    plan = plan_labels(read_tag_file(FILE), "labels", REPLACE)
    assert plan.labels == {"ana@example.com": ["vip", "summer"], "bob@example.com": ["vip"]}
    assert plan.duplicates == 1 and plan.skipped == [(6, "'not-an-email' is not an email address")]


@pytest.mark.parametrize("mode", [MERGE, REPLACE])
def test_payloads_match_the_bulk_import_schema(mode: str) -> None:
    require_spec()
    plan = plan_labels(read_tag_file(FILE), "Interests", mode)
    bodies = import_bodies(plan)
    assert len(bodies) == 1
    assert request_errors("POST", "/api/profile-bulk-import-jobs", bodies[0]) == []
    first = bodies[0]["data"]["attributes"]["profiles"]["data"][0]
    if mode == REPLACE:
        assert first["attributes"]["properties"] == {"Interests": ["vip", "summer"]}
    else:
        assert first["meta"]["patch_properties"] == {"append": {"Interests": ["vip", "summer"]}}
        assert "properties" not in first["attributes"]


def test_payloads_are_chunked() -> None:
    rows = "".join(f"p{i}@example.com,x\n" for i in range(25))
    plan = plan_labels(read_tag_file(("email,label\n" + rows).encode()), "labels", REPLACE)
    assert [len(b["data"]["attributes"]["profiles"]["data"]) for b in import_bodies(plan, chunk=10)] == [10, 10, 5]


@pytest.mark.parametrize(("name", "mode"), [("", MERGE), ("$email", MERGE), ("labels", "overwrite")])
def test_bad_property_name_or_mode(name: str, mode: str) -> None:
    with pytest.raises(LabelError):
        plan_labels(read_tag_file(FILE), name, mode)


def test_not_a_label_file() -> None:
    with pytest.raises(LabelError, match="not an email,label file"):
        plan_labels(read_tag_file(b"tag_group,tag\nA,B\n"), "labels")


def test_labels_land_on_profiles_through_the_sandbox_bulk_import(sandbox) -> None:  # type: ignore[no-untyped-def]
    """The payloads, sent as they are, give each profile the property (replace) and then add to it (merge)."""
    from tests.sandbox.engine.helpers import call
    from tests.sandbox.profiles.bulk_helpers import wait_job

    def run(text: bytes, mode: str) -> dict[str, list[str]]:
        (body,) = import_bodies(plan_labels(read_tag_file(text), "labels", mode))
        resp = call(sandbox.url, "POST", "/api/profile-bulk-import-jobs", body)
        assert resp.status_code == 202, resp.text
        job = wait_job(sandbox.url, resp.json()["data"]["id"])
        assert job["attributes"]["failed_count"] == 0
        profiles = call(sandbox.url, "GET", f"/api/profile-bulk-import-jobs/{job['id']}/profiles").json()["data"]
        return {p["attributes"]["email"]: p["attributes"]["properties"]["labels"] for p in profiles}

    assert run(FILE, REPLACE) == {"ana@example.com": ["vip", "summer"], "bob@example.com": ["vip"]}
    assert run(b"email,label\nana@example.com,gold\n", MERGE) == {"ana@example.com": ["vip", "summer", "gold"]}
    assert run(FILE, REPLACE)["ana@example.com"] == ["vip", "summer"]  # replace is re-runnable


# -- merge twice: idempotent against a real sandbox -----------------------------------------------------------
def _client(sandbox):  # type: ignore[no-untyped-def]
    from klaviyo_core.http.client import KlaviyoClient
    from klaviyo_core.http.config import ClientConfig
    from tests.conftest import FULL_KEY

    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, max_wait_seconds=5))


def _labels_now(sandbox, emails: list[str], name: str = "labels") -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    from tests.sandbox.engine.helpers import call

    found = {}
    for email in emails:
        (profile,) = call(sandbox.url, "GET", f'/api/profiles?filter=equals(email,"{email}")').json()["data"]
        found[email] = profile["attributes"]["properties"].get(name)
    return found


def _wait_jobs(sandbox, jobs: list[str]) -> None:  # type: ignore[no-untyped-def]
    from tests.sandbox.profiles.bulk_helpers import wait_job

    for job in jobs:
        wait_job(sandbox.url, job)


def test_merge_run_twice_adds_nothing_the_second_time(sandbox) -> None:  # type: ignore[no-untyped-def]
    client = _client(sandbox)
    _wait_jobs(
        sandbox,
        send_labels(client, plan_labels(read_tag_file(b"email,label\nana@example.com,vip\n"), "labels", REPLACE)).jobs,
    )
    plan = plan_labels(read_tag_file(FILE), "labels", MERGE)
    first = send_labels(client, plan)
    assert first.profiles_sent == 2 and first.profiles_up_to_date == 0 and first.labels_already_there == 1
    sent_body = [r for r in sandbox.app.log if r["path"] == "/api/profile-bulk-import-jobs" and r["method"] == "POST"]
    assert len(sent_body) == 2  # the replace, then the merge
    _wait_jobs(sandbox, first.jobs)
    expected = {"ana@example.com": ["vip", "summer"], "bob@example.com": ["vip"]}
    assert _labels_now(sandbox, list(expected)) == expected  # 'vip' was there already: not appended again
    again = send_labels(client, plan)
    assert again.jobs == [] and again.profiles_sent == 0 and again.profiles_up_to_date == 2
    assert _labels_now(sandbox, list(expected)) == expected
    posts = [r for r in sandbox.app.log if r["path"] == "/api/profile-bulk-import-jobs" and r["method"] == "POST"]
    assert len(posts) == 2  # the second run sent nothing


def test_merge_right_after_a_merge_waits_for_it_instead_of_doubling(sandbox) -> None:  # type: ignore[no-untyped-def]
    """The first run's job is still queued when the second starts: the second waits, then finds it all there."""
    client = _client(sandbox)
    plan = plan_labels(read_tag_file(b"email,label\nquick@example.com,a\nquick@example.com,b\n"), "tags2", MERGE)
    first = send_labels(client, plan)
    again = send_labels(client, plan, wait_seconds=30)
    assert len(first.jobs) == 1 and again.jobs == [] and again.profiles_up_to_date == 1
    assert _labels_now(sandbox, ["quick@example.com"], "tags2") == {"quick@example.com": ["a", "b"]}


def test_merge_refuses_while_imports_keep_running(sandbox_factory) -> None:  # type: ignore[no-untyped-def]
    slow = sandbox_factory(job_step_seconds=30.0)  # a job that stays queued for the whole test
    client = _client(slow)
    plan = plan_labels(read_tag_file(b"email,label\nslow@example.com,a\n"), "labels", MERGE)
    first = send_labels(client, plan)
    with pytest.raises(ImportsStillRunning) as caught:
        send_labels(client, plan, wait_seconds=0)
    assert caught.value.job_ids == first.jobs and "Nothing was sent" in str(caught.value)
    posts = [r for r in slow.app.log if r["path"] == "/api/profile-bulk-import-jobs" and r["method"] == "POST"]
    assert len(posts) == 1


def test_merge_lookups_are_batched_and_unquotable_emails_still_get_their_labels(sandbox) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(f"p{i}@example.com,x\n" for i in range(230)) + 'odd"quote@example.com,x\n'
    plan = plan_labels(read_tag_file(("email,label\n" + rows).encode()), "labels", MERGE)
    sent = send_labels(_client(sandbox), plan)
    lookups = [r for r in sandbox.app.log if r["path"] == "/api/profiles" and r["method"] == "GET"]
    assert len(lookups) == 3  # 230 quotable emails, 100 per request
    assert sent.profiles_unchecked == 1 and sent.profiles_sent == 231
