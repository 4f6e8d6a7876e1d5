"""Profile labels: an `email,label` file becomes a list-valued custom property in a bulk import payload."""

from __future__ import annotations

import pytest

from klaviyo_core.profile_labels import MERGE, REPLACE, LabelError, import_bodies, plan_labels
from klaviyo_core.tags_csv import read_tag_file
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
    from tests.sandbox.bulk_helpers import wait_job
    from tests.sandbox.helpers import call

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
