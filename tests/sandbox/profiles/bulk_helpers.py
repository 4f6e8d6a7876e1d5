"""Helpers for profile and bulk-import tests: payload builders and a job poller with a deadline."""

from __future__ import annotations

import time
from typing import Any

from tests.sandbox.engine.helpers import call


def profile(**attributes: Any) -> dict[str, Any]:
    return {"type": "profile", "attributes": attributes}


def import_body(profiles: list[dict[str, Any]], list_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "profile-bulk-import-job", "attributes": {"profiles": {"data": profiles}}}
    if list_ids:
        data["relationships"] = {"lists": {"data": [{"type": "list", "id": i} for i in list_ids]}}
    return {"data": data}


def create_list(base: str, name: str) -> str:
    resp = call(base, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]["id"]


def wait_job(base: str, job_id: str, path: str = "/api/profile-bulk-import-jobs", deadline_s: float = 30.0) -> dict:
    """Poll the job until it is complete (the admin wait blocks server-side, so there is no sleep here)."""
    deadline = time.monotonic() + deadline_s
    while True:
        job = call(base, "GET", f"{path}/{job_id}").json()["data"]
        if job["attributes"]["status"] == "complete":
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['attributes']['status']}"
        call(base, "POST", "/__sandbox/jobs/wait", {"timeout": 1})


def submit(base: str, profiles: list[dict[str, Any]], list_ids: tuple[str, ...] = ()) -> dict:
    resp = call(base, "POST", "/api/profile-bulk-import-jobs", import_body(profiles, list_ids))
    assert resp.status_code == 202, resp.text
    return resp.json()["data"]


def all_pages(base: str, path: str, **params: Any) -> list[dict]:
    out: list[dict] = []
    doc = call(base, "GET", path, params=params or None).json()
    out.extend(doc["data"])
    while doc["links"].get("next"):
        doc = call(base, "GET", doc["links"]["next"].split(base, 1)[1]).json()
        out.extend(doc["data"])
    return out
