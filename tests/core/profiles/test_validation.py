from __future__ import annotations

import json

import email_validator
import pandas as pd
import pytest

from klaviyo_core.profiles.fields import check_emails, check_phones, fast_email_mask
from klaviyo_core.profiles.mapping import ColumnMapping, Mapping
from klaviyo_core.profiles.validate import FAST_EMAIL, ValidationOptions, profile_json, validate_chunk
from klaviyo_spec import field_rules

MAPPING = Mapping(
    (
        ColumnMapping("Email", "email"),
        ColumnMapping("Phone", "phone_number"),
        ColumnMapping("First", "first_name"),
        ColumnMapping("City", "location.city"),
        ColumnMapping("Points", "properties.points", "number"),
        ColumnMapping("VIP", "properties.vip", "boolean"),
        ColumnMapping("Birthday", "properties.birthday", "date"),
        ColumnMapping("Tags", "properties.tags", "list"),
        ColumnMapping("Notes", "ignore"),
    )
)


def _frame(rows: list[list[str]], start: int = 2) -> pd.DataFrame:
    cols = [c.column for c in MAPPING.columns]
    return pd.DataFrame(rows, columns=cols, index=pd.Index(range(start, start + len(rows)), name="row"))


EMAILS = [
    "a@example.com",
    "A.B+tag@Sub.Example.co.uk",
    "o'neil@x.co",
    "a..b@x.com",
    "a@x",
    "a@b.test",
    "a@localhost",
    ".a@x.com",
    "a.@x.com",
    "a@-x.com",
    "a@x-.com",
    "a@x.c",
    "a@x.123",
    '"a b"@x.com',
    "ü@x.de",
    "a@xn--bcher-kva.ch",
    "a@onion",
    "x" * 65 + "@x.com",
    "a@" + "b" * 64 + ".com",
    "a b@x.com",
    "a@x..com",
    "plainaddress",
    "a@x.com.",
]


@pytest.mark.parametrize("email", EMAILS)
def test_fast_email_path_never_accepts_what_email_validator_rejects(email: str) -> None:
    if FAST_EMAIL.match(email):
        email_validator.validate_email(email, check_deliverability=False)  # must not raise


def test_vectorised_fast_path_is_within_the_reference_regex() -> None:
    emails = [*EMAILS, "a@x.LOCAL", "a@b.Test", "a@XN--bcher-kva.ch", "a@sub.localhost", "A@b.co"]
    mask = fast_email_mask(pd.Series(emails, dtype=object).astype(str))
    for email, fast in zip(emails, mask, strict=True):
        if fast:
            assert FAST_EMAIL.match(email), email
            email_validator.validate_email(email, check_deliverability=False)  # must not raise
    assert mask.iloc[0] and mask.iloc[1]  # the plain ones do take the fast path


def test_check_emails_agrees_with_email_validator() -> None:
    out, ok = check_emails(pd.Series([*EMAILS, ""], dtype=object))
    for email, good in zip(EMAILS, ok, strict=False):
        try:
            found = email_validator.validate_email(email, check_deliverability=False)
            expected = field_rules.email_ok(found.ascii_email or found.normalized)  # and the shared rule
        except email_validator.EmailNotValidError:
            expected = False
        assert bool(good) == expected, email
    assert ok.iloc[-1] and out.iloc[-1] == ""


def test_phones_to_e164_with_default_country() -> None:
    values = pd.Series(["(415) 555-0100", "+44 20 7946 0958", "020 7946 0958", "12", ""], dtype=object)
    out, ok = check_phones(values, "US")
    assert list(out[:2]) == ["+14155550100", "+442079460958"]
    assert list(ok) == [True, True, False, False, True]
    uk, uk_ok = check_phones(values, "GB")
    assert uk.iloc[2] == "+442079460958" and uk_ok.iloc[2]


def test_validate_chunk_good_and_bad_rows() -> None:
    frame = _frame(
        [
            ["ann@example.com", "415-555-0100", "Ann", "Paris", "12", "yes", "1990-05-01", "a; b", "x"],
            ["bad@", "", "Bob", "", "", "", "", "", ""],
            ["", "", "Nobody", "", "", "", "", "", ""],
            ["cy@example.com", "", "Cy", "", "twelve", "maybe", "someday", "", ""],
            ["", "+33 1 42 68 53 00", "Dee", "", "3.5", "no", "", '["x","y"]', ""],
        ]
    )
    result = validate_chunk(frame, MAPPING, ValidationOptions(on_bad_field="reject-row"))
    assert list(result.valid_index) == [2, 6]
    assert list(result.keys) == ["email:ann@example.com", "phone_number:+33142685300"]
    problems = {(r.row, r.column): r for r in result.problems.itertuples()}
    assert "not a valid email" in problems[(3, "Email")].reason and problems[(3, "Email")].value == "bad@"
    assert "no identifier" in problems[(4, "")].reason
    assert {(5, "Points"), (5, "VIP"), (5, "Birthday")} <= set(problems)
    assert result.rejected_rows == [3, 4, 5]
    profiles = [json.loads(p) for p in profile_json(result.values, result.valid_index)]
    assert profiles[0] == {
        "type": "profile",
        "attributes": {
            "email": "ann@example.com",
            "phone_number": "+14155550100",
            "first_name": "Ann",
            "location": {"city": "Paris"},
            "properties": {"points": 12, "vip": True, "birthday": "1990-05-01", "tags": ["a", "b"]},
        },
    }
    assert profiles[1]["attributes"]["properties"] == {"points": 3.5, "vip": False, "tags": ["x", "y"]}
    assert "location" not in profiles[1]["attributes"]  # empty cells are omitted, never sent as null


def test_special_characters_survive_json() -> None:
    frame = _frame([["q@example.com", "", 'Zoë "Z" \\ \n', "", "", "", "", "", ""]])
    result = validate_chunk(frame, MAPPING, ValidationOptions())
    profile = json.loads(profile_json(result.values, result.valid_index).iloc[0])
    assert profile["attributes"]["first_name"] == 'Zoë "Z" \\'


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="Unknown country"):
        ValidationOptions(default_country="XX")
    with pytest.raises(ValueError):
        ValidationOptions(keep="middle")


def test_a_date_in_other_digits_is_parsed_not_sent_as_written() -> None:
    mapping = Mapping((ColumnMapping("e", "email"), ColumnMapping("d", "properties.d", "date")))
    frame = pd.DataFrame({"e": ["a@x.com", "b@x.com"], "d": ["٢٠٢٤-01-01", "2024-01-01"]}, dtype=object)
    frame.index = pd.Index([2, 3], name="row")
    result = validate_chunk(frame, mapping, ValidationOptions())
    profiles = profile_json(result.values, result.valid_index).tolist()
    assert all(p.isascii() for p in profiles)  # job sizes count characters as bytes
    assert '"d":"2024-01-01T00:00:00+00:00"' in profiles[0] and '"d":"2024-01-01"' in profiles[1]
