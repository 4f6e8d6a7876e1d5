from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from klaviyo_core.profiles.mapping import (
    ColumnMapping,
    Mapping,
    MappingError,
    MappingStore,
    guess_type,
    parse_map_option,
    suggest_mapping,
)


def test_suggestions_from_common_headers() -> None:
    headers = ["E-mail", "Mobile", "First Name", "Last_Name", "Zip", "Company", "Customer ID", "State", "Points"]
    sample = pd.DataFrame({h: ["1"] for h in headers})
    targets = {c.column: (c.target, c.type) for c in suggest_mapping(headers, sample).columns}
    assert targets["E-mail"][0] == "email"
    assert targets["Mobile"][0] == "phone_number"
    assert targets["First Name"][0] == "first_name" and targets["Last_Name"][0] == "last_name"
    assert targets["Zip"][0] == "location.zip" and targets["State"][0] == "location.region"
    assert targets["Company"][0] == "organization" and targets["Customer ID"][0] == "external_id"
    assert targets["Points"] == ("properties.Points", "number")


def test_second_email_column_becomes_a_property() -> None:
    mapping = suggest_mapping(["Email Address", "Email"])
    assert [c.target for c in mapping.columns] == ["email", "properties.Email"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "2.5", "-3"], "number"),
        (["yes", "no", ""], "boolean"),
        (["2024-01-02", "2023-12-31"], "date"),
        (["a;b", "c;d"], "list"),
        (["hello", "12"], "text"),
        ([], "text"),
    ],
)
def test_guess_type(values: list[str], expected: str) -> None:
    assert guess_type(pd.Series(values, dtype=object)) == expected


def test_parse_map_option() -> None:
    assert parse_map_option("E-mail=email") == ColumnMapping("E-mail", "email")
    assert parse_map_option("Points=points:number") == ColumnMapping("Points", "properties.points", "number")
    assert parse_map_option("a=b=ignore") == ColumnMapping("a=b", "ignore")
    with pytest.raises(MappingError, match="should look like"):
        parse_map_option("nothing")
    with pytest.raises(MappingError, match="Unknown type"):
        parse_map_option("x=properties.x:colour")


def test_two_columns_on_one_field_is_an_error() -> None:
    with pytest.raises(MappingError, match="both map to email"):
        Mapping((ColumnMapping("a", "email"), ColumnMapping("b", "email")))


def test_saved_mappings_roundtrip_and_apply(tmp_path: Path) -> None:
    store = MappingStore(tmp_path)
    mapping = Mapping((ColumnMapping("Mail", "email"), ColumnMapping("Pts", "properties.points", "number")))
    store.save("shopify export", mapping)
    assert store.names() == ["shopify export"] and store.load("shopify export") == mapping
    fitted = store.apply("shopify export", ["Mail", "Pts", "City"])
    assert [c.target for c in fitted.columns] == ["email", "properties.points", "location.city"]
    with pytest.raises(MappingError, match="No saved mapping"):
        store.load("nope")
    with pytest.raises(MappingError, match="mapping name"):
        store.save("../evil", mapping)


def test_override_steals_target_from_suggestion() -> None:
    mapping = suggest_mapping(["Email", "Work email"])
    changed = mapping.with_overrides({"Work email": ColumnMapping("Work email", "email")})
    assert [c.target for c in changed.columns] == ["ignore", "email"]
