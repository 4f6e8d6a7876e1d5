"""Sandbox catalog bulk jobs: asynchronous, errors per resource, limits, restart, every job type (issue 19)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.catalog import jobs_store
from tests.sandbox.catalog.helpers import PREFIX, item, job_body, jobs_path, submit, variant, wait_job
from tests.sandbox.engine.helpers import call, error_code


def test_create_job_is_queued_then_complete_with_errors_per_item(sandbox: SandboxServer) -> None:
    entries = [item("A", price=5), item("B", url="http://insecure"), item("C", title=""), item("A")]
    job = submit(sandbox.url, "item", "create", entries)
    assert job["type"] == "catalog-item-bulk-create-job" and job["attributes"]["status"] == "queued"
    assert job["attributes"]["total_count"] == 4
    done = wait_job(sandbox.url, "item", "create", job["id"])["attributes"]
    assert (done["completed_count"], done["failed_count"]) == (1, 3)
    pointers = [(e["code"], e["source"]["pointer"]) for e in done["errors"]]
    assert pointers == [
        ("invalid", "/data/attributes/items/data/1/attributes/url"),
        ("invalid", "/data/attributes/items/data/2/attributes/title"),
        ("duplicate_catalog_item", "/data/attributes/items/data/3"),
    ]
    got = call(sandbox.url, "GET", f"{jobs_path('item', 'create')}/{job['id']}", params={"include": "items"}).json()
    assert [i["id"] for i in got["included"]] == [PREFIX + "A"]
    assert got["data"]["relationships"]["items"]["data"] == [{"type": "catalog-item", "id": PREFIX + "A"}]


def test_update_and_delete_jobs(sandbox: SandboxServer) -> None:
    wait_job(sandbox.url, "item", "create", submit(sandbox.url, "item", "create", [item("A"), item("B")])["id"])
    patch = [
        {"type": "catalog-item", "id": PREFIX + "A", "attributes": {"price": 7.5}},
        {"type": "catalog-item", "id": PREFIX + "NOPE", "attributes": {"price": 1}},
    ]
    updated = wait_job(sandbox.url, "item", "update", submit(sandbox.url, "item", "update", patch)["id"])
    assert updated["attributes"]["failed_count"] == 1
    assert updated["attributes"]["errors"][0]["code"] == "not_found"
    assert call(sandbox.url, "GET", f"/api/catalog-items/{PREFIX}A").json()["data"]["attributes"]["price"] == 7.5
    gone = [{"type": "catalog-item", "id": PREFIX + "B"}]
    wait_job(sandbox.url, "item", "delete", submit(sandbox.url, "item", "delete", gone)["id"])
    assert call(sandbox.url, "GET", f"/api/catalog-items/{PREFIX}B").status_code == 404
    listed = call(sandbox.url, "GET", jobs_path("item", "delete"), params={"filter": 'equals(status,"complete")'})
    assert len(listed.json()["data"]) == 1


def test_variant_and_category_jobs(sandbox: SandboxServer) -> None:
    wait_job(sandbox.url, "item", "create", submit(sandbox.url, "item", "create", [item("P")])["id"])
    variants = [variant("P-S", "P", inventory_policy=1), variant("X-S", "MISSING"), variant("P-M", "P", sku=None)]
    done = wait_job(sandbox.url, "variant", "create", submit(sandbox.url, "variant", "create", variants)["id"])
    assert [e["source"]["pointer"] for e in done["attributes"]["errors"]] == [
        "/data/attributes/variants/data/1/relationships/item/data/id",
        "/data/attributes/variants/data/2/attributes/sku",
    ]
    category = {
        "type": "catalog-category",
        "attributes": {"external_id": "SHIRTS", "name": "Shirts"},
        "relationships": {"items": {"data": [{"type": "catalog-item", "id": PREFIX + "P"}]}},
    }
    wait_job(sandbox.url, "category", "create", submit(sandbox.url, "category", "create", [category])["id"])
    in_it = call(sandbox.url, "GET", "/api/catalog-items", params={"filter": f'equals(category.id,"{PREFIX}SHIRTS")'})
    assert [i["id"] for i in in_it.json()["data"]] == [PREFIX + "P"]


def test_limits_100_resources_and_500_jobs_in_progress(sandbox: SandboxServer) -> None:
    too_many = call(
        sandbox.url,
        "POST",
        jobs_path("item", "create"),
        job_body("item", "create", [item(f"I{i}") for i in range(101)]),
    )
    assert too_many.status_code == 400 and error_code(too_many) == "invalid"
    wrong_type = call(sandbox.url, "POST", jobs_path("item", "create"), job_body("item", "create", [{"type": "x"}]))
    assert wrong_type.status_code == 400
    for n in range(500):  # parked jobs the worker was never told about: they stay queued
        jobs_store.insert_job(sandbox.app.store, f"parked-{n:03}", "item-create", 1, "[]")
    refused = call(sandbox.url, "POST", jobs_path("variant", "delete"), job_body("variant", "delete", []))
    assert refused.status_code == 400  # the envelope is checked first
    body = job_body("category", "delete", [{"type": "catalog-category", "id": PREFIX + "X"}])
    throttled = call(sandbox.url, "POST", jobs_path("category", "delete"), body)
    assert throttled.status_code == 429 and error_code(throttled) == "throttled"
    assert throttled.headers["Retry-After"] == "1"


def test_job_survives_restart(sandbox_factory: Callable[..., SandboxServer], tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite3"
    slow = sandbox_factory(db_path=db, job_step_seconds=60)  # the job parks in 'processing'
    job = submit(slow.url, "item", "create", [item("R")])
    deadline = time.monotonic() + 10
    path = f"{jobs_path('item', 'create')}/{job['id']}"
    while call(slow.url, "GET", path).json()["data"]["attributes"]["status"] != "processing":
        assert time.monotonic() < deadline, "the worker never picked the job up"
    slow.stop()
    fresh = sandbox_factory(db_path=db)
    assert wait_job(fresh.url, "item", "create", job["id"])["attributes"]["completed_count"] == 1


def test_catalog_routes_are_rate_limited_per_the_spec(sandbox_factory: Callable[..., SandboxServer]) -> None:
    """75/s burst on the job reads (x-klaviyo-ratelimit); a 10x window keeps the test independent of speed."""
    limited = sandbox_factory(rate_limits=True, window_scale=10)
    answers = []
    for _ in range(160):  # a window boundary may fall inside the run: two windows at most
        answers.append(call(limited.url, "GET", jobs_path("item", "create")))
        if answers[-1].status_code == 429:
            break
    assert answers[-1].status_code == 429 and answers[-1].headers["Retry-After"]
    assert answers[0].headers["RateLimit-Limit"] == "750"
