"""The Catalog page in AppTest: upload -> plan counts and table -> apply -> report; re-upload plans nothing; a
bad file is explained. Runs against the app's embedded sandbox (shared across tests: ids are unique here)."""

from __future__ import annotations

import uuid

from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_page, upload_file

PAGE = "klaviyo_app/app_pages/catalog.py"


def page() -> AppTest:
    return open_page(PAGE)


def upload(at: AppTest, text: str) -> AppTest:
    return upload_file(at, "catalog_file", "products.csv", text.encode())


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_upload_plan_apply_then_reupload_plans_nothing() -> None:
    sku = f"SKU-{uuid.uuid4().hex[:8]}"
    text = (
        "external_id,title,description,url,price\n"
        f"{sku},Blue Shirt,Cotton,https://shop.example.com/p/1,42\n"
        f"{sku}-B,=cmd(),Formula-looking title,http://shop.example.com/p/2,5\n"
    )
    at = upload(page(), text)
    assert _metrics(at) == {"create": "1", "update": "0", "unchanged": "0", "skip": "1"}
    assert any("hosted JSON/XML feed" in i.value for i in at.info)
    at.button(key="catalog_apply").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["status"]) == ["done", "skipped"] and "https://" in table["message"][1]
    again = upload(page(), text)
    assert _metrics(again) == {"create": "0", "update": "0", "unchanged": "1", "skip": "1"}
    assert any("already matches" in s.value for s in again.success)


def test_bad_file_is_explained() -> None:
    at = upload(page(), "sku,name\n1,a\n")  # an unknown header is mapped (test_catalog_mapping_page.py)
    assert any("Choose a column for description, url" in e.value for e in at.error)
    at.file_uploader(key="catalog_file").set_value(("products.csv", b"PK\x03\x04\x00\x00", "text/csv")).run()
    assert any("cannot be used" in e.value and "not text" in e.value for e in at.error)


def test_delete_missing_is_planned_and_shown_only_when_ticked() -> None:
    sku = f"SKU-{uuid.uuid4().hex[:8]}"
    text = f"external_id,title,description,url,price\n{sku},Mug,Stoneware,https://shop.example.com/m,9\n"
    at = page()
    at.checkbox(key="catalog_delete_missing").check().run()
    at = upload(at, text)
    metrics = _metrics(at)
    assert metrics["create"] == "1" and int(metrics["delete"]) >= 1  # the demo products, at least
    table = at.dataframe[0].value
    deletes = table[table["action"] == "delete"]
    assert len(deletes[deletes["kind"] == "item"]) == int(metrics["delete"]) and set(deletes["status"]) == {"planned"}
    variant_deletes = len(deletes[deletes["kind"] == "variant"])  # the demo products' variants go with them
    assert metrics.get("variants delete", "0") == str(variant_deletes)
    assert "delete" not in _metrics(upload(page(), text))  # not ticked: no deletes planned or shown


def upload_variants(at: AppTest, text: str) -> AppTest:
    at.file_uploader(key="catalog_variants_file").set_value(("variants.csv", text.encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_variants_file_is_planned_and_applied_with_the_products() -> None:
    sku = f"SKU-{uuid.uuid4().hex[:8]}"
    products = f"external_id,title,description,url,price\n{sku},Shirt,Cotton,https://shop.example.com/s,42\n"
    variants = (
        "external_id,item_external_id,title,description,sku,url,price,inventory_quantity,inventory_policy\n"
        f"{sku}-S,{sku},Shirt S,Small,{sku}-S,https://shop.example.com/s?v=s,42,3,deny\n"
        f"{sku}-M,{sku},Shirt M,Medium,{sku}-M,https://shop.example.com/s?v=m,42,0,continue\n"
    )
    at = upload(page(), products)
    assert "variants create" not in _metrics(at)  # no variants file yet: items only
    at = upload_variants(at, variants)
    assert any("Variants file: 2 variant(s)" in c.value for c in at.caption)
    metrics = _metrics(at)
    assert metrics["create"] == "1" and metrics["variants create"] == "2" and metrics["variants skip"] == "0"
    at.button(key="catalog_apply").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert sorted(zip(table["kind"], table["external_id"], table["status"], strict=True)) == [
        ("item", sku, "done"),
        ("variant", f"{sku}-M", "done"),
        ("variant", f"{sku}-S", "done"),
    ]
    again = upload_variants(upload(page(), products), variants)
    assert _metrics(again)["variants unchanged"] == "2" and _metrics(again)["unchanged"] == "1"


def test_an_unusable_variants_file_is_explained_and_nothing_is_planned() -> None:
    sku = f"SKU-{uuid.uuid4().hex[:8]}"
    at = upload(page(), f"external_id,title,description,url\n{sku},Mug,Stoneware,https://shop.example.com/m\n")
    at = upload_variants(at, "sku,price\nA,1\n")
    assert any("variants file cannot be used" in e.value and "item_external_id" in e.value for e in at.error)
    assert _metrics(at) == {} and not [b for b in at.button if b.key == "catalog_apply"]
