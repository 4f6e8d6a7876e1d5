"""Sandbox catalog items: CRUD with compound ids, required fields, filters, demo products (issue 19)."""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code

ITEM_ID = "$custom:::$default:::SKU-1"


def _item(**attributes: Any) -> dict[str, Any]:
    base = {"external_id": "SKU-1", "title": "Shirt", "description": "Blue", "url": "https://shop.example.com/1"}
    return {"data": {"type": "catalog-item", "attributes": base | attributes}}


def test_create_read_update_delete_by_compound_id(sandbox: SandboxServer) -> None:
    created = call(sandbox.url, "POST", "/api/catalog-items", _item(price=42))
    assert created.status_code == 201 and created.json()["data"]["id"] == ITEM_ID
    assert created.json()["data"]["attributes"]["published"] is True
    again = call(sandbox.url, "POST", "/api/catalog-items", _item())
    assert again.status_code == 409 and error_code(again) == "duplicate_catalog_item"
    patch = {"data": {"type": "catalog-item", "id": ITEM_ID, "attributes": {"price": 40.5}}}
    updated = call(sandbox.url, "PATCH", f"/api/catalog-items/{ITEM_ID}", patch)
    assert updated.status_code == 200 and updated.json()["data"]["attributes"]["price"] == 40.5
    assert updated.json()["data"]["attributes"]["title"] == "Shirt"
    encoded = ITEM_ID.replace("$", "%24").replace(":", "%3A")  # as SDKs send it
    assert call(sandbox.url, "GET", f"/api/catalog-items/{encoded}").json()["data"]["attributes"]["price"] == 40.5
    assert call(sandbox.url, "DELETE", f"/api/catalog-items/{ITEM_ID}").status_code == 204
    gone = call(sandbox.url, "GET", f"/api/catalog-items/{ITEM_ID}")
    assert gone.status_code == 404 and error_code(gone) == "not_found"


def test_required_fields_urls_and_prices_are_checked(sandbox: SandboxServer) -> None:
    for body, pointer in (
        (_item(title=""), "/data/attributes/title"),
        (_item(url="shop.example.com/1"), "/data/attributes/url"),
        (_item(price=-1), "/data/attributes/price"),
        (_item(image_full_url="ftp://x"), "/data/attributes/image_full_url"),
    ):
        resp = call(sandbox.url, "POST", "/api/catalog-items", body)
        assert resp.status_code == 400 and error_code(resp) == "invalid"
        assert resp.json()["errors"][0]["source"]["pointer"] == pointer


def test_demo_products_filters_and_sort(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=5)
    listed = call(sandbox.url, "GET", "/api/catalog-items", params={"sort": "-created"}).json()
    assert {i["attributes"]["external_id"] for i in listed["data"]} >= {"DEMO-SHIRT", "DEMO-MUG"}
    mug = call(sandbox.url, "GET", "/api/catalog-items", params={"filter": 'contains(title,"Mug")'}).json()["data"]
    assert [i["id"] for i in mug] == ["$custom:::$default:::DEMO-MUG"]
    by_id = call(
        sandbox.url, "GET", "/api/catalog-items", params={"filter": 'any(ids,["$custom:::$default:::DEMO-TOTE"])'}
    ).json()["data"]
    assert [i["attributes"]["title"] for i in by_id] == ["Canvas Tote"]
    bad = call(sandbox.url, "GET", "/api/catalog-items", params={"sort": "title"})
    assert bad.status_code == 400 and error_code(bad) == "invalid"


def test_nulls_for_unset_fields_are_accepted(sandbox: SandboxServer) -> None:
    """The official SDK sends null for every nullable field it was not given."""
    created = call(sandbox.url, "POST", "/api/catalog-items", _item(images=None, published=None, price=None))
    assert created.status_code == 201 and created.json()["data"]["attributes"]["images"] == []
    patch = {"data": {"type": "catalog-item", "id": ITEM_ID, "attributes": {"title": None, "price": 3}}}
    updated = call(sandbox.url, "PATCH", f"/api/catalog-items/{ITEM_ID}", patch).json()["data"]["attributes"]
    assert updated["title"] == "Shirt" and updated["price"] == 3
