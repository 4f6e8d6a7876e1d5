"""Variants, categories and delete-missing planned and applied against a real sandbox (issue 19)."""

from __future__ import annotations

import pytest

from klaviyo_core.catalog import (
    CatalogFileError,
    apply_catalog,
    first_request,
    plan_catalog,
    read_catalog_file,
    read_variants_file,
    report_rows,
)
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

ITEMS = (
    "external_id,title,description,url,price,categories\n"
    "SHIRT,Shirt,Cotton,https://shop.example.com/shirt,40,Apparel|Summer Sale\n"
    "MUG,Mug,Stoneware,https://shop.example.com/mug,12,Kitchen\n"
)
VARIANTS = (
    "external_id,item_external_id,title,description,sku,url,price,inventory_quantity,inventory_policy\n"
    "SHIRT-S,SHIRT,Shirt S,Small,SH-S,https://shop.example.com/shirt?s,40,3,1\n"
    "SHIRT-M,SHIRT,Shirt M,Medium,SH-M,https://shop.example.com/shirt?m,40,0,deny\n"
    "MUG-1,MUG,Mug,Mug,MG-1,https://shop.example.com/mug,12,2.5,\n"
    "HAT-1,HAT,Hat,Hat,HT-1,https://shop.example.com/hat,9,1,\n"
)
PREFIX = "$custom:::$default:::"


@pytest.fixture
def client(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def _plan(client: KlaviyoClient, items: str = ITEMS, variants: str = VARIANTS, delete: bool = False):  # type: ignore[no-untyped-def]
    return plan_catalog(
        client, read_catalog_file(items.encode()), variants=read_variants_file(variants.encode()), delete_missing=delete
    )


def test_variants_and_categories_plan_apply_and_rerun_plans_nothing(client: KlaviyoClient) -> None:
    plan = _plan(client)
    assert plan.new_categories == {"apparel": "Apparel", "summer-sale": "Summer Sale", "kitchen": "Kitchen"}
    assert [(v.external_id, v.action) for v in plan.variants] == [
        ("SHIRT-S", "create"),
        ("SHIRT-M", "create"),
        ("MUG-1", "skip"),
        ("HAT-1", "skip"),
    ]
    assert [p.column for p in plan.variants[2].problems] == ["inventory_quantity"]
    assert [p.column for p in plan.variants[3].problems] == ["item_external_id"]
    assert plan.counts("variant") == {"create": 2, "update": 0, "unchanged": 0, "skip": 2, "delete": 0}
    _, path, _ = first_request(plan) or ("", "", {})
    assert path == "/api/catalog-category-bulk-create-jobs"
    result = apply_catalog(client, plan)
    assert result.ok and result.counts() == {"done": 7, "failed": 0}
    medium = client.get(f"/api/catalog-variants/{PREFIX}SHIRT-M")["data"]["attributes"]
    assert (medium["inventory_policy"], medium["inventory_quantity"]) == (1, 0)
    cats = client.get(f"/api/catalog-items/{PREFIX}SHIRT/relationships/categories")["data"]
    assert sorted(c["id"] for c in cats) == [PREFIX + "apparel", PREFIX + "summer-sale"]
    again = _plan(client)
    assert again.writes == 0 and again.counts("variant")["unchanged"] == 2


def test_changed_stock_and_categories_plan_updates_of_those_fields(client: KlaviyoClient) -> None:
    apply_catalog(client, _plan(client))
    plan = _plan(client, ITEMS.replace("Apparel|Summer Sale", "Apparel"), VARIANTS.replace(",40,3,1", ",40,7,1"))
    assert [(v.external_id, v.action, v.changed) for v in plan.variants[:2]] == [
        ("SHIRT-S", "update", ("inventory_quantity",)),
        ("SHIRT-M", "unchanged", ()),
    ]
    assert (plan.items[0].action, plan.items[0].changed) == ("update", ("categories",))
    assert apply_catalog(client, plan).ok
    assert client.get(f"/api/catalog-variants/{PREFIX}SHIRT-S")["data"]["attributes"]["inventory_quantity"] == 7
    cats = client.get(f"/api/catalog-items/{PREFIX}SHIRT/relationships/categories")["data"]
    assert [c["id"] for c in cats] == [PREFIX + "apparel"]


def test_delete_missing_only_when_asked_and_shown_in_the_plan(client: KlaviyoClient) -> None:
    apply_catalog(client, _plan(client))
    only_shirt = ITEMS.splitlines()[0] + "\n" + ITEMS.splitlines()[1] + "\n"
    shirt_variants = "\n".join(VARIANTS.splitlines()[:2]) + "\n"
    kept = _plan(client, only_shirt, shirt_variants)
    assert kept.deletes == [] and kept.writes == 0
    plan = _plan(client, only_shirt, shirt_variants, delete=True)
    assert [(d.kind, d.external_id) for d in plan.deletes] == [("variant", "SHIRT-M"), ("item", "MUG")]
    assert plan.effect() == "catalog items: 1 delete; catalog variants: 1 delete"
    rows = report_rows(plan, None)
    assert [(r["kind"], r["external_id"], r["action"], r["status"]) for r in rows[-2:]] == [
        ("variant", "SHIRT-M", "delete", "planned"),
        ("item", "MUG", "delete", "planned"),
    ]
    assert apply_catalog(client, plan).ok
    assert [i["id"] for i in client.iter_resources("/api/catalog-items")] == [PREFIX + "SHIRT"]
    assert [v["id"] for v in client.iter_resources("/api/catalog-variants")] == [PREFIX + "SHIRT-S"]


def test_variants_file_needs_its_columns() -> None:
    with pytest.raises(CatalogFileError, match="item_external_id"):
        read_variants_file(b"external_id,title\nA,B\n")
