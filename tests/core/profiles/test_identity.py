"""Read 0's identities are the keys full validation de-duplicates by, for every row that turns out valid."""

from __future__ import annotations

import pandas as pd
import pytest

from klaviyo_core.profiles.identity import identity_keys
from klaviyo_core.profiles.mapping import suggest_mapping
from klaviyo_core.profiles.validate import ValidationOptions, validate_chunk

EMAILS = [
    "Ann@Example.com",
    "ann@example.com",
    " ann@example.COM ",
    "ü@x.de",
    "Ü@X.DE",
    "a@xn--bcher-kva.ch",
    "",
    "bad@",
    '"a b"@x.com',
    "a@bücher.ch",
    "",
    "",
    "",
]
PHONES = ["", "+1 415 555 0100", "", "", "", "", "(415) 555-0100", "", "", "", "+14155550100", "4155550100", "12"]
IDS = ["", "", "", "", "x1", "", "", "x1", "x1", "", "", "X1", "x1"]


@pytest.mark.parametrize("country", ["US", "GB"])
def test_identity_keys_match_validation_keys(country: str) -> None:
    frame = pd.DataFrame({"Email": EMAILS, "Phone": PHONES, "Customer ID": IDS}, dtype=object)
    frame.index = pd.Index(range(2, 2 + len(frame)), name="row")
    mapping = suggest_mapping(list(frame.columns))
    assert {c.target for c in mapping.active()} == {"email", "phone_number", "external_id"}
    options = ValidationOptions(default_country=country)
    validated = validate_chunk(frame, mapping, options)
    early = identity_keys(frame, mapping, options)
    assert len(validated.keys) > 5
    for line, key in validated.keys.items():
        assert early[line] == key, (line, frame.loc[line].tolist())
