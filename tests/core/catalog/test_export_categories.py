"""Store exports' category columns become item categories (issue 19 leftovers, part 2): Shopify's Type and the
leaf of its Product Category, WooCommerce's Categories paths, Merchant Center's product_type (else the leaf of
google_product_category); a file without such a column leaves categories alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from klaviyo_core.catalog import apply_catalog, plan_catalog, read_catalog_file
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.sandbox.engine.helpers import call

DATA = Path(__file__).resolve().parents[2] / "data" / "catalog"
STORE = "https://shop.example.com"


def categories(name: str) -> dict[str, str | None]:
    read = read_catalog_file((DATA / name).read_bytes(), store_url=STORE)
    return {r.values["external_id"]: r.values.get("categories") for r in read.rows}


def test_the_fixtures_categories() -> None:
    assert categories("shopify_products.csv") == {
        "ocean-blue-shirt": "Shirts",  # Type "Shirts" and the taxonomy's leaf "Shirts": one category
        "classic-mug": "Kitchen",
        "draft-tote": "Bags",
    }
    assert categories("woocommerce_products.csv") == {
        "woo-beanie": "Clothing | Accessories",  # "Clothing > Accessories": each level
        "woo-hoodie": "Clothing | Hoodies",
        "woo-draft": "",  # the column is there and empty: the item's categories are cleared
    }
    assert categories("merchant_feed.tsv") == {
        "TEE": "Apparel | Tops | T-Shirts",  # product_type wins over google_product_category
        "BOTTLE-1": "Water Bottles",  # no product_type: google_product_category's leaf
    }
    assert categories("template_semicolon_cp1252.csv") == dict.fromkeys(categories("template_semicolon_cp1252.csv"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # older exports: Custom Product Type; a taxonomy written as an id is not a name
            "Handle,Title,Body (HTML),Variant Price,Custom Product Type,Product Category\n"
            "h,T,D,1,Lamps,gid://shopify/TaxonomyCategory/hg-13\n",
            "Lamps",
        ),
        (
            "Handle,Title,Body (HTML),Variant Price,Type,Product Category\nh,T,D,1,,Home & Garden > Lighting > Lamps\n",
            "Lamps",
        ),
        ("Handle,Title,Body (HTML),Variant Price,Tags\nh,T,D,1,summer\n", None),  # tags are not categories
        (  # WooCommerce escapes a comma inside a name
            'ID,Type,SKU,Name,Regular price,Categories\n1,simple,S,N,1,"Music, Books > Pop\\, Rock"\n',
            "Music | Books | Pop, Rock",
        ),
        ("id\ttitle\tlink\tgoogle_product_category\nA\tT\thttps://x.example.com\t2271\n", ""),  # a bare id
        ("id\ttitle\tlink\tproduct_type\nA\tT\thttps://x.example.com\tHome > Lamps, Sale\n", "Home | Lamps | Sale"),
    ],
)
def test_category_columns(text: str, expected: str | None) -> None:
    read = read_catalog_file(text.encode(), store_url=STORE)
    assert read.rows[0].values.get("categories") == expected


def test_woocommerce_categories_reach_the_account(sandbox: SandboxServer) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    read = read_catalog_file((DATA / "woocommerce_products.csv").read_bytes(), store_url=STORE)
    plan = plan_catalog(client, read)
    assert plan.new_categories == {"clothing": "Clothing", "accessories": "Accessories", "hoodies": "Hoodies"}
    assert apply_catalog(client, plan).ok
    items = call(sandbox.url, "GET", "/api/catalog-categories/$custom:::$default:::clothing/relationships/items")
    assert sorted(i["id"].rsplit(":", 1)[1] for i in items.json()["data"]) == ["woo-beanie", "woo-hoodie"]
    again = plan_catalog(client, read_catalog_file((DATA / "woocommerce_products.csv").read_bytes(), store_url=STORE))
    assert again.writes == 0
