"""Sandbox catalog: every `images` entry is an https URL and custom_metadata is a flat object within 100kb, for
single creates/updates and inside bulk jobs, refused with a spec-shaped 400 whose pointer names the entry or
key (issue 19 leftovers, part 4). Every answer here is checked against the spec by the sandbox fixture."""

from __future__ import annotations

from typing import Any

import pytest

from klaviyo_sandbox import SandboxServer
from tests.sandbox.catalog.helpers import PREFIX, item, submit, variant, wait_job
from tests.sandbox.engine.helpers import call, error_code

GOOD = "https://cdn.example.com/a.jpg"


def _create(sandbox: SandboxServer, **attributes: Any) -> tuple[int, str]:
    resp = call(sandbox.url, "POST", "/api/catalog-items", {"data": item("M-1", **attributes)})
    if resp.status_code != 400:
        return resp.status_code, ""
    assert error_code(resp) == "invalid" and resp.json()["errors"][0]["detail"]
    return 400, resp.json()["errors"][0]["source"]["pointer"]


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"images": [GOOD, "http://cdn.example.com/b.jpg"]}, "/data/attributes/images/1"),
        ({"images": ["cdn.example.com/b.jpg"]}, "/data/attributes/images/0"),
        ({"images": [GOOD, "https://cdn.example.com/a b.jpg"]}, "/data/attributes/images/1"),
        ({"custom_metadata": {"brand": "Acme", "sizes": ["S", "M"]}}, "/data/attributes/custom_metadata/sizes"),
        ({"custom_metadata": {"a/b": {"nested": 1}}}, "/data/attributes/custom_metadata/a~1b"),
        ({"custom_metadata": {"blob": "x" * (100 * 1024)}}, "/data/attributes/custom_metadata"),
    ],
)
def test_bad_images_and_metadata_are_400_with_pointers(
    sandbox: SandboxServer, attributes: dict[str, Any], pointer: str
) -> None:
    assert _create(sandbox, **attributes) == (400, pointer)
    assert call(sandbox.url, "GET", f"/api/catalog-items/{PREFIX}M-1").status_code == 404


def test_good_images_and_flat_metadata_are_kept(sandbox: SandboxServer) -> None:
    metadata = {"brand": "Acme", "top_pick": True, "rank": 3, "note": None, "blob": "x" * 1000}
    assert _create(sandbox, images=[GOOD, GOOD.replace("a.jpg", "b.jpg")], custom_metadata=metadata) == (201, "")
    kept = call(sandbox.url, "GET", f"/api/catalog-items/{PREFIX}M-1").json()["data"]["attributes"]
    assert kept["custom_metadata"] == metadata and kept["images"][1].endswith("b.jpg")
    patch = {"data": {"type": "catalog-item", "id": PREFIX + "M-1", "attributes": {"images": ["http://x.example"]}}}
    refused = call(sandbox.url, "PATCH", f"/api/catalog-items/{PREFIX}M-1", patch)
    assert (
        refused.status_code == 400 and refused.json()["errors"][0]["source"]["pointer"] == "/data/attributes/images/0"
    )


def test_bulk_jobs_report_the_entry(sandbox: SandboxServer) -> None:
    job = submit(
        sandbox.url,
        "item",
        "create",
        [item("J-1", images=[GOOD]), item("J-2", images=[GOOD, "ftp://x"]), item("J-3", custom_metadata={"a": {}})],
    )
    done = wait_job(sandbox.url, "item", "create", job["id"])["attributes"]
    assert [e["source"]["pointer"] for e in done["errors"]] == [
        "/data/attributes/items/data/1/attributes/images/1",
        "/data/attributes/items/data/2/attributes/custom_metadata/a",
    ]
    variants = submit(sandbox.url, "variant", "create", [variant("J-1-S", "J-1", images=["http://x.example/v.jpg"])])
    failed = wait_job(sandbox.url, "variant", "create", variants["id"])["attributes"]
    assert [e["source"]["pointer"] for e in failed["errors"]] == [
        "/data/attributes/variants/data/0/attributes/images/0"
    ]
