"""The Catalog page's upload step in AppTest (issue 19, part 2): known exports are read as they are; any other
file is mapped on screen, the mapping on screen is the one the plan reads, and a saved mapping is offered again
for the next file with the same columns. Ids and headers are unique per test: the app's sandbox and data folder
are shared across tests."""

from __future__ import annotations

import uuid
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from tests.app.conftest import open_page, upload_file

PAGE = "klaviyo_app/app_pages/catalog.py"
DATA = Path(__file__).resolve().parents[1] / "data" / "catalog"


def page() -> AppTest:
    return open_page(PAGE)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return upload_file(at, "catalog_file", name, data)


def mapping_boxes(at: AppTest) -> list[Selectbox]:
    boxes = [s for s in at.selectbox if (s.key or "").startswith("catalog_map_")]
    return sorted(boxes, key=lambda s: int(str(s.key).rsplit("_", 1)[1]))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def custom_file(tag: str) -> bytes:
    return (
        f"Article No,Product Name,Long Description,Web Address,Retail Price,Brand {tag}\n"
        f'{tag}-1,Desk Lamp,"Brass lamp, dimmable",https://shop.example.com/lamp,89.00,Lumen\n'
        f"{tag}-2,Floor Lamp,Tall lamp,https://shop.example.com/floor,149.00,\n"
    ).encode()


def test_known_exports_are_read_without_a_mapping() -> None:
    at = page()
    at.text_input[0].set_value("https://shop.example.com").run()
    at = upload(at, "products_export.csv", (DATA / "shopify_products.csv").read_bytes())
    assert any("Shopify product export: 3 product(s) and 5 variant(s)" in c.value for c in at.caption)
    assert not mapping_boxes(at) and "create" in metrics(at)


def test_unknown_columns_are_mapped_on_screen_and_the_plan_reads_that_mapping() -> None:
    tag = f"T{uuid.uuid4().hex[:8]}"
    at = upload(page(), "lamps.csv", custom_file(tag))
    boxes = mapping_boxes(at)
    assert [b.value for b in boxes] == ["external_id", "title", "description", "ignore", "price", "ignore"]
    assert any("Choose a column for url" in e.value for e in at.error) and not at.metric  # no plan yet
    boxes[3].set_value("url").run()
    assert not at.exception, at.exception
    assert metrics(at) == {"create": "2", "update": "0", "unchanged": "0", "skip": "0"}
    preview = at.dataframe[0].value
    assert list(preview["url"]) == ["https://shop.example.com/lamp", "https://shop.example.com/floor"]
    assert set(preview["custom_metadata"]) == {""}  # Brand is ignored: nothing of it is sent
    mapping_boxes(at)[5].set_value("custom metadata").run()  # a changed mapping plans again
    preview = at.dataframe[0].value
    assert list(preview["custom_metadata"]) == [f'{{"Brand {tag}": "Lumen"}}', ""]
    assert metrics(at)["create"] == "2"


def test_a_saved_mapping_is_the_starting_point_for_the_same_columns() -> None:
    tag = f"S{uuid.uuid4().hex[:8]}"
    at = upload(page(), "lamps.csv", custom_file(tag))
    mapping_boxes(at)[3].set_value("url").run()
    mapping_boxes(at)[5].set_value("custom metadata").run()
    at.button(key="catalog_save_mapping").click().run()
    assert any("Saved" in s.value for s in at.success)
    other_rows = custom_file(tag).replace(b"Desk Lamp", b"Reading Lamp")
    again = upload(page(), "lamps-2.csv", other_rows)
    assert any("mapped before" in c.value for c in again.caption)
    assert [b.value for b in mapping_boxes(again)] == [
        "external_id",
        "title",
        "description",
        "url",
        "price",
        "custom metadata",
    ]
    assert not again.error and "create" in metrics(again)


def test_two_columns_to_one_target_is_explained() -> None:
    tag = f"D{uuid.uuid4().hex[:8]}"
    at = upload(page(), "lamps.csv", custom_file(tag))
    mapping_boxes(at)[3].set_value("title").run()
    assert any("both go to title" in e.value for e in at.error) and not at.metric


def test_hostile_headers_are_shown_as_text() -> None:
    tag = uuid.uuid4().hex[:8]
    header = f"ID,Name,Description,Link,![x](http://evil.example/{tag}.png)"
    at = upload(page(), "odd.csv", f"{header}\nH-{tag},Lamp,Brass,https://shop.example.com/l,x\n".encode())
    shown = [m.value for m in at.markdown if "evil.example" in m.value]
    assert shown == [f"**!\\[x\\](http://evil.example/{tag}.png)**"]


def test_misaligned_lines_are_pointed_out() -> None:
    tag = uuid.uuid4().hex[:8]
    text = f"external_id,title,description,url\nR-{tag},Lamp,Brass, dimmable,https://s.example.com/a\n"
    at = upload(page(), "ragged.csv", text.encode())
    assert any("Line(s) 2 have more cells than the header" in w.value for w in at.warning)
