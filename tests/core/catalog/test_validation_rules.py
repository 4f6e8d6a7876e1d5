"""One test per validation rule (issue 19, part 3): each problem names its line, column, value and fix; a bad
optional field drops the field with a warning, never the product."""

from __future__ import annotations

import json

import pytest

from klaviyo_core.catalog import check_row, check_variant_row
from klaviyo_core.catalog.files import SourceRow
from klaviyo_core.catalog.validate import MAX_METADATA_BYTES, parse_price

ITEM = {"external_id": "A", "title": "Lamp", "description": "Brass", "url": "https://s.example.com/a"}
VARIANT = {
    **ITEM,
    "external_id": "A-S",
    "item_external_id": "A",
    "sku": "A-S",
    "price": "10",
    "inventory_quantity": "3",
}


def item(**values: str) -> SourceRow:
    return SourceRow(7, {**ITEM, **values})


def variant(decimal_comma: bool = False, **values: str) -> SourceRow:
    return SourceRow(9, {**VARIANT, **values}, decimal_comma)


def variant_with(values: dict[str, str]) -> SourceRow:
    return SourceRow(9, {**VARIANT, **values})


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("42", False, 42.0),
        ("42.5", False, 42.5),
        ("$42.50", False, 42.5),
        ("1,299.00", False, 1299.0),
        ("12.99 USD", False, 12.99),
        ("EUR 12.99", False, 12.99),
        ("12,99", False, None),  # a decimal comma in a comma file: refused, never 1299
        ("1,29", False, None),
        ("-5", False, None),
        ("free", False, None),
        ("nan", False, None),
        ("12,99", True, 12.99),
        ("1.299,00", True, 1299.0),
        ("€ 49,90", True, 49.9),
        ("12.99", True, None),  # in a semicolon file the dot groups thousands
        ("0", True, 0.0),
    ],
)
def test_prices_in_the_files_number_style(text: str, decimal_comma: bool, expected: float | None) -> None:
    assert parse_price(text, decimal_comma) == expected


def test_required_item_fields_and_https_url_are_errors_with_line_column_value_and_fix() -> None:
    checked = check_row(item(title="", url="http://s.example.com/a"))
    assert not checked.ok
    assert [(p.line, p.column, p.value) for p in checked.errors] == [
        (7, "title", ""),
        (7, "url", "http://s.example.com/a"),
    ]
    assert "https://" in checked.errors[1].fix


def test_bad_optional_item_fields_are_dropped_with_warnings() -> None:
    checked = check_row(
        item(
            price="12,99",
            image_url="//cdn.example.com/a.jpg",
            published="maybe",
            images="https://cdn.example.com/1.jpg, ftp://cdn.example.com/2.jpg",
            custom_metadata="{not json",
        )
    )
    assert checked.ok
    assert [p.column for p in checked.warnings] == ["price", "image_url", "published", "images", "custom_metadata"]
    assert "semicolon" in checked.warnings[0].fix
    assert checked.attributes["images"] == ["https://cdn.example.com/1.jpg"]
    assert not {"price", "image_full_url", "published", "custom_metadata"} & set(checked.attributes)


def test_custom_metadata_is_a_flat_object_of_at_most_100_kb() -> None:
    ok = check_row(item(custom_metadata='{"brand": "Acme", "top": true, "rank": 3}'))
    assert ok.attributes["custom_metadata"] == {"brand": "Acme", "top": True, "rank": 3}
    nested = check_row(item(custom_metadata='{"sizes": ["S", "M"]}'))
    assert "flat" in nested.warnings[0].fix and "custom_metadata" not in nested.attributes
    listed = check_row(item(custom_metadata="[1, 2]"))
    assert "not a JSON object" in listed.warnings[0].fix
    at_limit = {"x": "a" * (MAX_METADATA_BYTES - len(json.dumps({"x": ""})))}
    assert len(json.dumps(at_limit).encode()) == MAX_METADATA_BYTES
    assert check_row(item(custom_metadata=json.dumps(at_limit))).attributes["custom_metadata"] == at_limit
    over = json.dumps({"x": "a" * MAX_METADATA_BYTES})
    big = check_row(item(custom_metadata=over))
    assert big.ok and "100 KB" in big.warnings[0].fix and len(big.warnings[0].value) <= 80  # the value is shortened


def test_a_good_variant_gives_the_attributes_klaviyo_takes() -> None:
    checked = check_variant_row(
        variant(inventory_policy="deny", image_url="https://cdn.example.com/s.jpg", published="FALSE")
    )
    assert checked.ok and (checked.external_id, checked.item_external_id) == ("A-S", "A")
    assert checked.attributes == {
        "title": "Lamp",
        "description": "Brass",
        "sku": "A-S",
        "url": "https://s.example.com/a",
        "price": 10.0,
        "inventory_quantity": 3,
        "inventory_policy": 1,
        "image_full_url": "https://cdn.example.com/s.jpg",
        "published": False,
    }


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"sku": ""}, "sku"),
        ({"item_external_id": ""}, "item_external_id"),
        ({"price": ""}, "price"),
        ({"price": "ten"}, "price"),
        ({"inventory_quantity": ""}, "inventory_quantity"),
        ({"inventory_quantity": "2.5"}, "inventory_quantity"),
        ({"inventory_quantity": "many"}, "inventory_quantity"),
        ({"url": "s.example.com/a"}, "url"),
    ],
)
def test_variant_required_fields(values: dict[str, str], column: str) -> None:
    checked = check_variant_row(variant_with(values))
    assert [(p.line, p.column) for p in checked.errors] == [(9, column)]
    assert checked.errors[0].fix


def test_variant_policy_numbers_and_bad_policy_warning() -> None:
    assert check_variant_row(variant(inventory_policy="2")).attributes["inventory_policy"] == 2
    assert check_variant_row(variant(inventory_policy="Continue")).attributes["inventory_policy"] == 0
    odd = check_variant_row(variant(inventory_policy="sometimes"))
    assert odd.ok and "inventory_policy" not in odd.attributes and odd.warnings[0].column == "inventory_policy"


def test_variant_decimal_comma_price_in_a_semicolon_file() -> None:
    assert check_variant_row(variant(decimal_comma=True, price="9,95")).attributes["price"] == 9.95
    refused = check_variant_row(variant(price="9,95"))
    assert refused.errors[0].column == "price" and "12.99" in refused.errors[0].fix
