"""Sandbox catalog variants and categories: CRUD, required fields, inventory_policy, filters, relationships."""

from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.catalog.helpers import PREFIX, item, variant
from tests.sandbox.engine.helpers import call, error_code


def _make_item(sandbox: SandboxServer, external_id: str) -> None:
    assert call(sandbox.url, "POST", "/api/catalog-items", {"data": item(external_id)}).status_code == 201


def test_variant_crud_required_fields_and_inventory_policy(sandbox: SandboxServer) -> None:
    _make_item(sandbox, "P")
    created = call(sandbox.url, "POST", "/api/catalog-variants", {"data": variant("P-S", "P")})
    assert created.status_code == 201 and created.json()["data"]["id"] == PREFIX + "P-S"
    assert created.json()["data"]["attributes"]["inventory_policy"] == 0
    for body, pointer in (
        (variant("P-M", "P", sku=""), "/data/attributes/sku"),
        (variant("P-M", "P", inventory_policy=3), "/data/attributes/inventory_policy"),
        (variant("P-M", "P", inventory_quantity=1.5), "/data/attributes/inventory_quantity"),
        (variant("P-M", "GONE"), "/data/relationships/item/data/id"),
    ):
        resp = call(sandbox.url, "POST", "/api/catalog-variants", {"data": body})
        assert resp.status_code == 400 and error_code(resp) == "invalid"
        assert resp.json()["errors"][0]["source"]["pointer"] == pointer
    again = call(sandbox.url, "POST", "/api/catalog-variants", {"data": variant("P-S", "P")})
    assert again.status_code == 409 and error_code(again) == "duplicate_catalog_variant"
    patch = {"data": {"type": "catalog-variant", "id": PREFIX + "P-S", "attributes": {"inventory_quantity": 0}}}
    updated = call(sandbox.url, "PATCH", f"/api/catalog-variants/{PREFIX}P-S", patch).json()["data"]
    assert updated["attributes"]["inventory_quantity"] == 0 and updated["attributes"]["sku"] == "SKU-P-S"
    of_item = call(sandbox.url, "GET", f"/api/catalog-items/{PREFIX}P/variants").json()["data"]
    assert [v["id"] for v in of_item] == [PREFIX + "P-S"]
    assert call(sandbox.url, "DELETE", f"/api/catalog-items/{PREFIX}P").status_code == 204
    assert call(sandbox.url, "GET", f"/api/catalog-variants/{PREFIX}P-S").status_code == 404  # gone with its item


def test_category_crud_and_relationships(sandbox: SandboxServer) -> None:
    _make_item(sandbox, "P")
    _make_item(sandbox, "Q")
    body = {"data": {"type": "catalog-category", "attributes": {"external_id": "C", "name": "Cups"}}}
    assert call(sandbox.url, "POST", "/api/catalog-categories", body).status_code == 201
    rel = f"/api/catalog-categories/{PREFIX}C/relationships/items"
    add = {"data": [{"type": "catalog-item", "id": PREFIX + "P"}, {"type": "catalog-item", "id": PREFIX + "Q"}]}
    assert call(sandbox.url, "POST", rel, add).status_code == 204
    assert [i["id"] for i in call(sandbox.url, "GET", rel).json()["data"]] == [PREFIX + "P", PREFIX + "Q"]
    missing = call(sandbox.url, "POST", rel, {"data": [{"type": "catalog-item", "id": PREFIX + "NOPE"}]})
    assert missing.status_code == 400 and error_code(missing) == "invalid"
    of_item = call(sandbox.url, "GET", f"/api/catalog-items/{PREFIX}Q/categories").json()["data"]
    assert [c["attributes"]["name"] for c in of_item] == ["Cups"]
    rename = {"data": {"type": "catalog-category", "id": PREFIX + "C", "attributes": {"name": "Mugs"}}}
    assert (
        call(sandbox.url, "PATCH", f"/api/catalog-categories/{PREFIX}C", rename).json()["data"]["attributes"]["name"]
        == "Mugs"
    )
    by_item = call(sandbox.url, "GET", "/api/catalog-categories", params={"filter": f'equals(item.id,"{PREFIX}P")'})
    assert [c["id"] for c in by_item.json()["data"]] == [PREFIX + "C"]
    assert call(sandbox.url, "DELETE", rel, {"data": [{"type": "catalog-item", "id": PREFIX + "P"}]}).status_code == 204
    assert call(sandbox.url, "DELETE", f"/api/catalog-categories/{PREFIX}C").status_code == 204
    assert call(sandbox.url, "GET", f"/api/catalog-items/{PREFIX}Q").status_code == 200  # items stay


def test_demo_variants_categories_and_filters(sandbox: SandboxServer) -> None:
    seed_demo(sandbox.app.store, profiles=5)
    shirt = call(
        sandbox.url, "GET", "/api/catalog-variants", params={"filter": f'equals(item.id,"{PREFIX}DEMO-SHIRT")'}
    ).json()["data"]
    assert {v["attributes"]["sku"] for v in shirt} == {"SHIRT-BLUE-S", "SHIRT-BLUE-M"}
    by_sku = call(sandbox.url, "GET", "/api/catalog-variants", params={"filter": 'equals(sku,"MUG-350")'})
    assert [v["id"] for v in by_sku.json()["data"]] == [PREFIX + "DEMO-MUG-350"]
    cats = call(sandbox.url, "GET", "/api/catalog-categories", params={"sort": "-created"}).json()["data"]
    assert {c["attributes"]["name"] for c in cats} == {"Apparel", "Kitchen"}
    named = call(sandbox.url, "GET", "/api/catalog-categories", params={"filter": 'contains(name,"Kit")'}).json()
    assert [c["id"] for c in named["data"]] == [PREFIX + "DEMO-KITCHEN"]
    with_variants = call(
        sandbox.url, "GET", f"/api/catalog-items/{PREFIX}DEMO-SHIRT", params={"include": "variants"}
    ).json()
    assert len(with_variants["data"]["relationships"]["variants"]["data"]) == 2
    assert {v["type"] for v in with_variants["included"]} == {"catalog-variant"}
    listed = call(sandbox.url, "GET", "/api/catalog-items", params={"include": "variants"}).json()
    assert len(listed["included"]) == 4
    bad = call(sandbox.url, "GET", "/api/catalog-variants", params={"filter": 'equals(price,"1")'})
    assert bad.status_code == 400 and error_code(bad) == "invalid"
