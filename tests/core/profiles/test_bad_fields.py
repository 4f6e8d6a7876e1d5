"""Issue 13 items 4 and 5: a bad optional cell costs the field, not the person; phones use the row's country."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from klaviyo_core.profiles.checkpoint import Checkpoint, Workspace
from klaviyo_core.profiles.mapping import ColumnMapping, Mapping, suggest_mapping
from klaviyo_core.profiles.prepare import prepare
from klaviyo_core.profiles.report import write_report
from klaviyo_core.profiles.validate import ValidationOptions, profile_json, validate_chunk
from tests.contract.test_import_profiles import read_report

MAPPING = Mapping(
    (
        ColumnMapping("Email", "email"),
        ColumnMapping("Phone", "phone_number"),
        ColumnMapping("Country", "location.country"),
        ColumnMapping("Spent", "properties.spent", "number"),
        ColumnMapping("Birthday", "properties.birthday", "date"),
    )
)


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["Email", "Phone", "Country", "Spent", "Birthday"], dtype=object)
    frame.index = pd.RangeIndex(2, 2 + len(rows), name="row")
    return frame


def _profiles(result) -> dict[int, dict]:  # type: ignore[no-untyped-def,type-arg]
    texts = profile_json(result.values, result.valid_index)
    return {int(i): json.loads(t)["attributes"] for i, t in texts.items()}


def test_a_bad_optional_cell_leaves_the_field_out_and_keeps_the_person() -> None:
    frame = _frame(
        [
            ["ann@example.com", "not a phone", "", "$1,234.50", "someday"],
            ["bob@example.com", "", "", "N/A", "-"],
            ["bad@", "+14155550100", "", "", ""],  # an invalid email is never dropped to import by phone
            ["", "12", "", "", ""],  # the phone is who this row is
            ["", "", "", "5", ""],  # no identifier
        ]
    )
    result = validate_chunk(frame, MAPPING, ValidationOptions())
    assert list(result.valid_index) == [2, 3]
    assert result.rejected_rows == [4, 5, 6]
    profiles = _profiles(result)
    assert profiles[2] == {"email": "ann@example.com", "properties": {"spent": 1234.5}}
    assert profiles[3] == {"email": "bob@example.com"}  # placeholders are empty cells, not errors
    assert result.warnings is not None
    warned = {(r.row, r.column) for r in result.warnings.itertuples()}
    assert warned == {(2, "Phone"), (2, "Birthday")}

    strict = validate_chunk(frame, MAPPING, ValidationOptions(on_bad_field="reject-row"))
    assert list(strict.valid_index) == [3]


def test_decimal_commas_in_a_semicolon_file() -> None:
    frame = _frame([["ann@example.com", "", "", "2028,16", ""], ["bob@example.com", "", "", "1.234,50", ""]])
    result = validate_chunk(frame, MAPPING, ValidationOptions(decimal_comma=True))
    assert [p["properties"]["spent"] for p in _profiles(result).values()] == [2028.16, 1234.5]
    dot = validate_chunk(frame, MAPPING, ValidationOptions())
    assert _profiles(dot)[2] == {"email": "ann@example.com"}  # "2028,16" is not a number with dot decimals


def test_phones_use_the_row_country_and_name_it() -> None:
    frame = _frame(
        [
            ["", "07911 123456", "GB", "", ""],
            ["", "07911 123456", "United Kingdom", "", ""],
            ["", "(415) 555-0100", "", "", ""],
            ["a@example.com", "+447700900024", "", "", ""],
            ["", "0151 1234", "de", "", ""],
            ["", "555 0100", "", "", ""],
        ]
    )
    result = validate_chunk(frame, MAPPING, ValidationOptions(default_country="US"))
    keys = dict(zip(result.valid_index, result.keys, strict=True))
    assert keys[2] == keys[3] == "phone_number:+447911123456"
    assert keys[4] == "phone_number:+14155550100"
    reasons = {r.row: r.reason for r in result.problems.itertuples()}
    assert reasons[6].startswith("is not a valid phone number for DE (the row's country)")
    assert reasons[7].startswith("is not a valid phone number for US (the default country)")
    warnings = {r.row: r.reason for r in result.warnings.itertuples()}  # type: ignore[union-attr]
    assert "for US" not in warnings[5] and "its own country code" in warnings[5]


def test_a_5_mb_notes_cell_drops_that_field_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("email,notes\na@example.com," + "x" * 5_000_000 + "\nb@example.com,ok\n", encoding="utf-8")
    mapping = suggest_mapping(["email", "notes"])
    ws = Workspace(tmp_path / "data", "notes")
    prepared = prepare(path, mapping, ValidationOptions(), ws.dir)
    assert prepared.counts["to_send"] == 2 and prepared.counts["warned"] == 1
    out = tmp_path / "report.csv"
    counts = write_report(path, ws, Checkpoint("notes", str(path), "fp", [], {}, chunks=prepared.chunks), out, True)
    assert counts == {"valid": 2}
    rows = read_report(out)
    assert rows[0]["status"] == "valid" and "100 KB" in rows[0]["reason"] and "left out" in rows[0]["reason"]


@pytest.mark.parametrize("policy", ["skip-field", "reject-row"])
def test_bad_policy_names_are_checked(policy: str) -> None:
    assert ValidationOptions(on_bad_field=policy).on_bad_field == policy
    with pytest.raises(ValueError, match="on_bad_field"):
        ValidationOptions(on_bad_field="drop")


def test_a_semicolon_file_reads_decimal_commas_unless_told_otherwise(tmp_path: Path) -> None:
    from klaviyo_core.profiles.pipeline import ImportOptions, import_profiles

    path = tmp_path / "eu.csv"
    path.write_text(
        "Email;Umsatz;Telefon\nann@example.com;2028,16;+4915112345678\nbob@example.com;1.234,50;" + "9" * 5 + "\n"
    )
    mapping = Mapping(
        (
            ColumnMapping("Email", "email"),
            ColumnMapping("Umsatz", "properties.Umsatz", "number"),
            ColumnMapping("Telefon", "phone_number"),
        )
    )
    auto = import_profiles(None, path, mapping, ImportOptions(dry_run=True), data_dir=tmp_path / "a")
    assert auto.first_job is not None
    sent = [p["attributes"] for p in auto.first_job["data"]["attributes"]["profiles"]["data"]]
    assert [p["properties"]["Umsatz"] for p in sent] == [2028.16, 1234.5]
    assert auto.warned == 1 and "phone_number" not in sent[1]  # a bad phone next to a valid email: left out
    dot = import_profiles(None, path, mapping, ImportOptions(dry_run=True, decimal="dot"), data_dir=tmp_path / "d")
    assert dot.counts["valid"] == 2 and dot.warned == 2  # "2028,16" is not a number with dot decimals
    with pytest.raises(ValueError, match="decimal"):
        ImportOptions(decimal="period")
