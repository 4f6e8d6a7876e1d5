"""The product files people have, read from realistic fixtures in tests/data/catalog/ (issue 19, part 1).

Each fixture carries the odd cells real exports have: HTML descriptions spanning lines, quoted commas and
quotes, a BOM, CRLF line ends, a semicolon file in Windows-1252 with decimal commas, a TSV feed."""

from __future__ import annotations

from pathlib import Path

import pytest

from klaviyo_core.catalog import (
    CatalogFileError,
    Source,
    apply_catalog,
    check_row,
    check_variant_row,
    detect_source,
    file_columns,
    plan_catalog,
    read_catalog_file,
    read_variants_file,
)
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

DATA = Path(__file__).resolve().parents[2] / "data" / "catalog"
STORE = "https://shop.example.com/"


@pytest.fixture
def client(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_shopify_export_gives_one_item_per_handle_and_a_variant_per_variant_row() -> None:
    data = fixture("shopify_products.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    read = read_catalog_file(data, store_url=STORE)
    assert read.source is Source.SHOPIFY and detect_source(data) is Source.SHOPIFY
    assert [(r.line, r.values["external_id"]) for r in read.rows] == [
        (2, "ocean-blue-shirt"),
        (7, "classic-mug"),
        (8, "draft-tote"),
    ]
    shirt = read.rows[0].values
    assert shirt["url"] == "https://shop.example.com/products/ocean-blue-shirt"
    assert (
        shirt["description"].startswith("<p>Ocean blue cotton shirt, narrow collar") and "<ul>" in shirt["description"]
    )
    assert shirt["images"].split(", ") == [
        "https://cdn.shopify.com/s/files/obs-front.jpg",
        "https://cdn.shopify.com/s/files/obs-back.jpg",
        "https://cdn.shopify.com/s/files/obs-detail.jpg",
    ]
    assert read.rows[2].values["description"] == 'Tote bag with "quoted" words'
    variants = [
        (v.line, v.values["external_id"], v.values["item_external_id"], v.values["title"]) for v in read.variants
    ]
    assert variants == [
        (2, "OBS-S-BLU", "ocean-blue-shirt", "Ocean Blue Shirt - S / Blue"),
        (4, "OBS-M-BLU", "ocean-blue-shirt", "Ocean Blue Shirt - M / Blue"),
        (5, "ocean-blue-shirt-3", "ocean-blue-shirt", "Ocean Blue Shirt - L / Blue"),  # blank SKU: <handle>-<n>
        (7, "MUG-1", "classic-mug", "Classic Mug"),  # "Default Title" adds nothing
        (8, "TOTE-1", "draft-tote", "Canvas Tote"),
    ]
    small = read.variants[0].values
    assert (small["price"], small["inventory_quantity"], small["inventory_policy"]) == ("42.00", "12", "deny")
    assert small["image_url"] == "https://cdn.shopify.com/s/files/obs-s.jpg"  # Variant Image
    assert read.variants[1].values["image_url"] == "https://cdn.shopify.com/s/files/obs-front.jpg"  # the product's
    assert read.variants[1].values["inventory_policy"] == "continue"


def test_shopify_rows_check_as_klaviyo_wants_them() -> None:
    read = read_catalog_file(fixture("shopify_products.csv"), store_url=STORE)
    mug = check_row(read.rows[1])
    assert mug.ok and mug.attributes["price"] == 1299.0 and mug.attributes["published"] is True
    tote = check_row(read.rows[2])
    assert tote.ok and tote.attributes["published"] is False  # Status "draft" wins over Published
    assert [p.column for p in tote.warnings] == ["image_url"]
    checked = [check_variant_row(v) for v in read.variants]
    assert [c.attributes.get("inventory_policy") for c in checked] == [1, 0, 1, 1, 1]
    assert checked[2].attributes["inventory_quantity"] == -2 and checked[2].attributes["sku"] == "ocean-blue-shirt-3"
    assert [p.column for p in checked[4].errors] == ["inventory_quantity"]  # untracked stock: no count to send


def test_shopify_without_store_address_is_refused() -> None:
    with pytest.raises(CatalogFileError, match="store's address"):
        read_catalog_file(fixture("shopify_products.csv"))


def test_woocommerce_export_reads_simple_and_variable_products_with_their_variations() -> None:
    data = fixture("woocommerce_products.csv")
    read = read_catalog_file(data, store_url=STORE)
    assert read.source is Source.WOOCOMMERCE
    assert [(r.line, r.values["external_id"]) for r in read.rows] == [
        (2, "woo-beanie"),
        (3, "woo-hoodie"),
        (6, "woo-draft"),
    ]
    beanie = check_row(read.rows[0])
    assert beanie.ok and beanie.attributes["url"] == "https://shop.example.com/?post_type=product&p=15"
    assert beanie.attributes["description"] == "<p>A <strong>warm</strong> beanie, knitted from wool.</p>"
    assert beanie.attributes["images"] == [
        "https://shop.example.com/wp-content/uploads/beanie.jpg",
        "https://shop.example.com/wp-content/uploads/beanie-2.jpg",
    ]
    assert beanie.attributes["price"] == 20.0  # the Regular price, not the Sale price
    draft = check_row(read.rows[2])
    assert draft.attributes["published"] is False  # Published -1 (draft)
    assert [(p.column, p.value) for p in draft.warnings] == [("price", "12,5")]  # decimal comma in a comma file
    blue, green = (check_variant_row(v) for v in read.variants)
    assert (blue.external_id, blue.item_external_id) == ("woo-hoodie-blue-m", "woo-hoodie")  # Parent "id:16"
    assert blue.attributes["title"] == "Hoodie - Blue, M" and blue.attributes["inventory_quantity"] == 7
    assert blue.attributes["inventory_policy"] == 0  # Backorders allowed? notify
    assert blue.attributes["description"] == "<p>Zip hoodie.</p>"  # inherited
    assert blue.attributes["url"] == "https://shop.example.com/?post_type=product&p=16"  # its parent's page
    assert (green.external_id, green.item_external_id) == ("woo-18", "woo-hoodie")  # no SKU; Parent by SKU
    assert green.attributes["title"] == "Hoodie - Green, L"  # blank Name: parent's Name + attribute values
    assert green.attributes["inventory_quantity"] == 40  # Stock "parent": the parent's stock
    assert green.attributes["inventory_policy"] == 1 and green.ok


def test_woocommerce_permalink_or_slug_columns_give_the_url() -> None:
    head = "ID,Type,SKU,Name,Published,Description,Regular price,Stock,Images,Parent"
    with_slug = f"{head},Slug\n7,simple,S-7,Sock,1,Wool,5,,,,wool-sock\n"
    read = read_catalog_file(with_slug.encode(), store_url="https://shop.example.com")
    assert read.rows[0].values["url"] == "https://shop.example.com/product/wool-sock/"
    with_permalink = f"{head},Permalink\n7,simple,S-7,Sock,1,Wool,5,,,,https://shop.example.com/p/sock\n"
    assert read_catalog_file(with_permalink.encode()).rows[0].values["url"] == "https://shop.example.com/p/sock"
    with pytest.raises(CatalogFileError, match="WooCommerce's export has no product URLs"):
        read_catalog_file(f"{head}\n7,simple,S-7,Sock,1,Wool,5,,,\n".encode())


def test_merchant_center_feed_groups_variants_under_their_item_group() -> None:
    read = read_catalog_file(fixture("merchant_feed.tsv"))
    assert read.source is Source.MERCHANT_CENTER
    tee, bottle = (check_row(r) for r in read.rows)
    assert (tee.external_id, tee.attributes["price"], tee.attributes["url"]) == (
        "TEE",
        19.99,
        "https://shop.example.com/tee?variant=1",
    )
    assert tee.attributes["images"] == [
        "https://cdn.example.com/tee-red.jpg",
        "https://cdn.example.com/tee-back.jpg",
        "https://cdn.example.com/tee-side.jpg",
    ]
    assert bottle.ok and bottle.attributes["price"] == 25.0 and bottle.attributes["description"].startswith("Keeps")
    checked = [check_variant_row(v) for v in read.variants]
    assert [(c.external_id, c.item_external_id, c.attributes["inventory_quantity"]) for c in checked] == [
        ("TEE-RED-S", "TEE", 1),
        ("TEE-RED-M", "TEE", 0),  # out_of_stock
        ("TEE-BLU-M", "TEE", 1),  # preorder
    ]
    assert all(c.ok and c.attributes["inventory_policy"] == 1 for c in checked)
    assert checked[2].attributes["price"] == 21.0


def test_merchant_center_csv_with_spaced_attribute_names() -> None:
    feed = (
        "id,title,description,link,image link,price,availability\n"
        "B1,Bottle,Steel,https://s.example.com/b,,9.50 EUR,in stock\n"
    )
    read = read_catalog_file(feed.encode())
    assert read.source is Source.MERCHANT_CENTER and check_row(read.rows[0]).attributes["price"] == 9.5


def test_semicolon_template_in_windows_1252_reads_decimal_commas() -> None:
    read = read_catalog_file(fixture("template_semicolon_cp1252.csv"))
    assert read.source is Source.TEMPLATE and all(r.decimal_comma for r in read.rows)
    teapot, cup, tray = (check_row(r) for r in read.rows)
    assert teapot.attributes["title"] == "Théière en fonte" and teapot.attributes["price"] == 49.9
    assert [(p.column, p.value) for p in teapot.warnings] == [("published", "oui")]
    assert cup.attributes["price"] == 1299.0
    assert "price" not in tray.attributes and "semicolon file" in tray.warnings[0].fix


def test_unknown_header_names_the_formats_we_read() -> None:
    data = fixture("custom_columns.csv")
    assert detect_source(data) is None
    assert file_columns(data)[:2] == ("Article No", "Product Name")
    with pytest.raises(CatalogFileError) as raised:
        read_catalog_file(data)
    message = str(raised.value)
    for name in ("header lacks external_id", "Shopify", "WooCommerce", "Google Merchant Center", "mapped"):
        assert name in message


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"PK\x03\x04\x00\x00binary", "not text"),
        (b'external_id,title,description,url\n1,"a\x00b,c,https://x\n', "not text"),
    ],
)
def test_files_that_are_not_csv_are_refused(data: bytes, match: str) -> None:
    with pytest.raises(CatalogFileError, match=match):
        read_catalog_file(data)


def test_utf16_and_multiline_records_keep_their_starting_line() -> None:
    text = 'external_id,title,description,url\nA,Lamp,"line one\nline two",https://s.example.com/a\nB,Mat,Jute,https://s.example.com/b\n'
    read = read_catalog_file(text.encode("utf-16"))
    assert [(r.line, r.values["external_id"]) for r in read.rows] == [(2, "A"), (4, "B")]
    assert read.rows[0].values["description"] == "line one\nline two"


@pytest.mark.parametrize(
    ("name", "store_url"),
    [
        ("shopify_products.csv", STORE),
        ("woocommerce_products.csv", STORE),
        ("merchant_feed.tsv", None),
        ("template_semicolon_cp1252.csv", None),
    ],
)
def test_every_reader_round_trips_through_the_sandbox(client: KlaviyoClient, name: str, store_url: str | None) -> None:
    """What a reader gives (images, metadata, decimal-comma prices) is what the account keeps: a second plan
    of the same file changes nothing."""
    read = read_catalog_file(fixture(name), store_url=store_url)
    plan = plan_catalog(client, read)
    assert plan.counts()["create"] == len(read.rows) and apply_catalog(client, plan).ok
    again = plan_catalog(client, read_catalog_file(fixture(name), store_url=store_url))
    assert again.writes == 0 and again.counts()["unchanged"] == len(read.rows)


def test_a_variants_file_of_its_own() -> None:
    text = (
        "item_external_id;external_id;sku;title;description;url;price;inventory_quantity;inventory_policy\n"
        "FR-1;FR-1-S;FR-1-S;Théière S;Fonte;https://boutique.example.fr/p/theiere;39,90;4;deny\n"
    )
    [row] = read_variants_file(text.encode("cp1252"))
    checked = check_variant_row(row)
    assert checked.ok and checked.item_external_id == "FR-1" and checked.attributes["price"] == 39.9
    assert checked.attributes["title"] == "Théière S" and checked.attributes["inventory_policy"] == 1
    with pytest.raises(CatalogFileError, match="lacks item_external_id, inventory_quantity"):
        read_variants_file(b"external_id,title,description,sku,url,price\n")


def test_excel_separator_hint_line() -> None:
    text = "sep=;\r\nexternal_id;title;description;url;price\r\nA;Lamp;Brass, dimmable;https://s.example.com/a;9,50\r\n"
    read = read_catalog_file(text.encode())
    assert read.rows[0].line == 3 and check_row(read.rows[0]).attributes["price"] == 9.5
    assert read.rows[0].values["description"] == "Brass, dimmable"


def test_records_that_do_not_line_up_with_the_header_are_listed() -> None:
    text = (
        "external_id,title,description,url\n"
        "A,Lamp,Brass, dimmable,https://s.example.com/a\n"  # an unquoted comma
        "B,Mat,Jute,https://s.example.com/b,,\n"  # empty trailing cells are fine
        "C,Rug\n"
    )
    read = read_catalog_file(text.encode())
    assert read.ragged_lines == (2,)  # a short row only lacks its last cells
    assert [p.column for p in check_row(read.rows[0]).errors] == ["url"]
    assert read_catalog_file(fixture("shopify_products.csv"), store_url=STORE).ragged_lines == ()
