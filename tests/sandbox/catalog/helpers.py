"""Catalog request bodies and a job poller shared by the sandbox catalog tests."""

from __future__ import annotations

import time
from typing import Any

from tests.sandbox.engine.helpers import call

PREFIX = "$custom:::$default:::"


def item(external_id: str, **attributes: Any) -> dict[str, Any]:
    base = {"external_id": external_id, "title": f"T {external_id}", "description": "D", "url": "https://s.example/x"}
    return {"type": "catalog-item", "attributes": base | attributes}


def variant(external_id: str, item_external_id: str, **attributes: Any) -> dict[str, Any]:
    base = {
        "external_id": external_id,
        "title": f"V {external_id}",
        "description": "D",
        "sku": f"SKU-{external_id}",
        "inventory_quantity": 3,
        "price": 10,
        "url": "https://s.example/v",
    }
    return {
        "type": "catalog-variant",
        "attributes": base | attributes,
        "relationships": {"item": {"data": {"type": "catalog-item", "id": PREFIX + item_external_id}}},
    }


def job_body(resource: str, action: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    group = {"item": "items", "variant": "variants", "category": "categories"}[resource]
    return {"data": {"type": f"catalog-{resource}-bulk-{action}-job", "attributes": {group: {"data": entries}}}}


def jobs_path(resource: str, action: str) -> str:
    return f"/api/catalog-{resource}-bulk-{action}-jobs"


def submit(base: str, resource: str, action: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    resp = call(base, "POST", jobs_path(resource, action), job_body(resource, action, entries))
    assert resp.status_code == 202, resp.text
    return resp.json()["data"]  # type: ignore[no-any-return]


def wait_job(base: str, resource: str, action: str, job_id: str, deadline_s: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    while True:
        job = call(base, "GET", f"{jobs_path(resource, action)}/{job_id}").json()["data"]
        if job["attributes"]["status"] == "complete":
            return job  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"job {job_id} still {job['attributes']['status']}"
