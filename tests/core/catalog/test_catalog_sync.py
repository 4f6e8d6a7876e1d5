"""Catalog sync against a real sandbox: read, validate, plan, apply, re-run plans nothing (issue 19)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from klaviyo_core.accounts import TargetError
from klaviyo_core.catalog import (
    CatalogFileError,
    Source,
    apply_catalog,
    first_request,
    plan_catalog,
    read_catalog_file,
    report_csv,
)
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

TEMPLATE = (
    "external_id,title,description,url,price,image_url,published\n"
    "SKU-1,Blue Shirt,Cotton,https://shop.example.com/p/1,42.00,https://cdn.example.com/1.jpg,true\n"
    "SKU-2,Mug,Stoneware,https://shop.example.com/p/2,$12.50,ftp://cdn.example.com/2.jpg,\n"
    "SKU-3,,No title,https://shop.example.com/p/3,5,,\n"
    "SKU-4,Tote,Canvas,shop.example.com/p/4,19,,\n"
    "SKU-1,Blue Shirt again,Cotton,https://shop.example.com/p/1,40,,\n"
)


@pytest.fixture
def client(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def test_plan_apply_and_rerun_plans_nothing(client: KlaviyoClient) -> None:
    plan = plan_catalog(client, read_catalog_file(TEMPLATE.encode()))
    assert [i.action for i in plan.items] == ["create", "create", "skip", "skip", "skip"]
    assert [str(p) for p in plan.items[1].problems] == [
        "line 3, image_url 'ftp://cdn.example.com/2.jpg': not an https:// URL; sent without it."
    ]
    assert [p.column for p in plan.items[2].problems] == ["title"]
    assert [p.column for p in plan.items[3].problems] == ["url"]
    assert "same external_id as line 2" in plan.items[4].problems[0].fix
    method, path, body = first_request(plan) or ("", "", {})
    assert (method, path) == ("POST", "/api/catalog-item-bulk-create-jobs")
    assert body["data"]["type"] == "catalog-item-bulk-create-job"
    sent = body["data"]["attributes"]["items"]["data"]
    assert [i["attributes"]["external_id"] for i in sent] == ["SKU-1", "SKU-2"] and sent[0]["attributes"]["price"] == 42
    result = apply_catalog(client, plan)
    assert result.ok and result.counts() == {"done": 2, "failed": 0}
    mug = client.get("/api/catalog-items/$custom:::$default:::SKU-2")["data"]["attributes"]
    assert mug["price"] == 12.5 and mug["image_full_url"] is None
    again = plan_catalog(client, read_catalog_file(TEMPLATE.encode()))
    assert again.writes == 0 and again.counts()["unchanged"] == 2
    report = report_csv(plan, result).splitlines()
    assert report[0] == "line,kind,external_id,action,changed,status,message"
    assert report[1].startswith("2,item,SKU-1,create,,done")


def test_changed_price_plans_an_update_of_that_field_only(client: KlaviyoClient) -> None:
    apply_catalog(client, plan_catalog(client, read_catalog_file(TEMPLATE.encode())))
    cheaper = TEMPLATE.replace("42.00", "39.99")
    plan = plan_catalog(client, read_catalog_file(cheaper.encode()))
    shirt = plan.items[0]
    assert shirt.action == "update" and shirt.changed == ("price",) and shirt.attributes == {"price": 39.99}
    assert first_request(plan) == (
        "POST",
        "/api/catalog-item-bulk-update-jobs",
        {
            "data": {
                "type": "catalog-item-bulk-update-job",
                "attributes": {
                    "items": {
                        "data": [
                            {"type": "catalog-item", "id": "$custom:::$default:::SKU-1", "attributes": {"price": 39.99}}
                        ]
                    }
                },
            }
        },
    )
    assert apply_catalog(client, plan).ok
    assert client.get("/api/catalog-items/$custom:::$default:::SKU-1")["data"]["attributes"]["price"] == 39.99


def test_shopify_export_reads_one_item_per_handle() -> None:
    export = (
        "Handle,Title,Body (HTML),Vendor,Published,Option1 Value,Variant Price,Image Src\n"
        "blue-shirt,Blue Shirt,<p>Cotton</p>,Acme,TRUE,S,42.00,https://cdn.example.com/s.jpg\n"
        "blue-shirt,,,,,M,44.00,\n"
        "mug,Mug,Stoneware,Acme,FALSE,Default Title,12.50,\n"
    )
    read = read_catalog_file(export.encode(), store_url="https://shop.example.com/")
    assert read.source is Source.SHOPIFY
    assert [(r.line, r.values["external_id"], r.values["price"]) for r in read.rows] == [
        (2, "blue-shirt", "42.00"),
        (4, "mug", "12.50"),
    ]
    assert read.rows[0].values["url"] == "https://shop.example.com/products/blue-shirt"
    with pytest.raises(CatalogFileError, match="store's address"):
        read_catalog_file(export.encode())
    with pytest.raises(CatalogFileError, match="header lacks"):
        read_catalog_file(b"sku,name\n1,a\n")


def test_a_plan_is_refused_on_another_account(sandbox_factory: Callable[..., SandboxServer]) -> None:
    first, second = sandbox_factory(), sandbox_factory()
    planning = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=first.url))
    plan = plan_catalog(planning, read_catalog_file(TEMPLATE.encode()))
    other = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=second.url))
    with pytest.raises(TargetError):
        apply_catalog(other, plan)
    assert other.get("/api/catalog-items")["data"] == []
