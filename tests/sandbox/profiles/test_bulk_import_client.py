"""The project's own client against the profile routes: what the importer will do, end to end over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.http.errors import ApiError, Conflict
from klaviyo_core.http.explain import explain
from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY
from tests.sandbox.profiles.bulk_helpers import import_body, profile


def _client(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url, pace=False))


def _wait_idle(sandbox: SandboxServer) -> None:
    assert requests.post(
        sandbox.url + "/__sandbox/jobs/wait", json={"timeout": 30}, headers=ADMIN_HEADERS, timeout=40
    ).json()["idle"]


def test_importer_flow_through_the_client(sandbox: SandboxServer) -> None:
    c = _client(sandbox)
    list_id = c.post("/api/lists", {"data": {"type": "list", "attributes": {"name": "From CSV"}}})["data"]["id"]
    rows: list[dict[str, Any]] = [profile(email=f"c{i}@example.com", first_name=f"C{i}") for i in range(250)]
    rows[7] = profile(email="broken@", first_name="Bad")
    rows[99] = profile(phone_number="12345")
    job = c.post("/api/profile-bulk-import-jobs", import_body(rows, (list_id,)))["data"]
    assert job["attributes"]["status"] == "queued"
    _wait_idle(sandbox)
    done = c.get(f"/api/profile-bulk-import-jobs/{job['id']}")["data"]["attributes"]
    assert (done["status"], done["completed_count"], done["failed_count"]) == ("complete", 248, 2)
    errors = list(c.iter_resources(f"/api/profile-bulk-import-jobs/{job['id']}/import-errors"))
    assert {e["attributes"]["source"]["pointer"].split("/")[5] for e in errors} == {"7", "99"}
    assert {e["attributes"]["original_payload"]["attributes"].get("first_name") for e in errors} == {"Bad", None}
    imported = list(c.iter_resources(f"/api/profile-bulk-import-jobs/{job['id']}/relationships/profiles"))
    members = list(c.iter_resources(f"/api/lists/{list_id}/relationships/profiles", {"page[size]": 100}))
    assert len(imported) == 248 and {m["id"] for m in members} == {p["id"] for p in imported}


def test_duplicate_profile_is_explained(sandbox: SandboxServer) -> None:
    c = _client(sandbox)
    first = c.post("/api/profiles", {"data": {"type": "profile", "attributes": {"email": "one@example.com"}}})
    with pytest.raises(ApiError) as caught:
        c.post("/api/profiles", {"data": {"type": "profile", "attributes": {"email": "one@example.com"}}})
    err = caught.value
    assert err.status == 409 and err.code == "duplicate_profile"
    assert err.errors[0]["meta"]["duplicate_profile_id"] == first["data"]["id"]
    assert isinstance(err, Conflict) and err.duplicate_profile_id == first["data"]["id"]
    assert explain(err).what and explain(err).todo
    upsert = c.request(
        "POST", "/api/profile-import", json={"data": {"type": "profile", "attributes": {"email": "one@example.com"}}}
    )
    assert upsert.status == 200 and upsert.body["data"]["id"] == first["data"]["id"]
