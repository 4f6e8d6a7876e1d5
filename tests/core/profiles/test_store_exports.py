"""Issue 13 items 2 and 6: real store exports are recognised, consent columns are mapping targets."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from klaviyo_core.csvfile.reader import preview
from klaviyo_core.profiles.mapping import (
    ColumnMapping,
    Mapping,
    MappingError,
    guess_type,
    parse_map_option,
    suggest_mapping,
)

EXPORTS = Path(__file__).parents[2] / "data" / "exports"
HEADERS = Path(__file__).parents[3] / "klaviyo_core" / "profiles" / "export_headers.json"


def _suggested(name: str) -> dict[str, tuple[str, str]]:
    _fmt, header, sample = preview(EXPORTS / name, rows=200)
    return {c.column: (c.target, c.type) for c in suggest_mapping(header.columns, sample).columns}


def test_shopify_export_needs_no_manual_change() -> None:
    got = _suggested("shopify_customers_export.csv")
    want = {
        "Customer ID": "external_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Accepts Email Marketing": "consent.email",
        "Accepts SMS Marketing": "consent.sms",
        "Default Address Company": "organization",
        "Default Address Address1": "location.address1",
        "Default Address Address2": "location.address2",
        "Default Address City": "location.city",
        "Default Address Province Code": "location.region",
        "Default Address Country Code": "location.country",
        "Default Address Zip": "location.zip",
        "Phone": "phone_number",
    }
    assert {c: got[c][0] for c in want} == want
    assert got["Tags"] == ("properties.Tags", "list")
    assert got["Default Address Phone"] == ("properties.Default Address Phone", "text")  # never a number
    assert got["Total Spent"] == ("properties.Total Spent", "number")


def test_woocommerce_export_needs_no_manual_change() -> None:
    got = _suggested("woocommerce_customers_export.csv")
    want = {
        "customer_id": "external_id",
        "first_name": "first_name",
        "last_name": "last_name",
        "email": "email",
        "billing_company": "organization",
        "billing_phone": "phone_number",
        "billing_address_1": "location.address1",
        "billing_address_2": "location.address2",
        "billing_postcode": "location.zip",
        "billing_city": "location.city",
        "billing_state": "location.region",
        "billing_country": "location.country",
    }
    assert {c: got[c][0] for c in want} == want
    assert got["billing_email"][0].startswith("properties.")  # the account email wins
    assert got["date_registered"][1] == "date"


def test_mailchimp_export_needs_no_manual_change() -> None:
    got = _suggested("mailchimp_subscribed_members_export.csv")
    want = {
        "Email Address": "email",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Address": "location.address1",
        "Phone Number": "phone_number",
        "LATITUDE": "location.latitude",
        "LONGITUDE": "location.longitude",
        "TIMEZONE": "location.timezone",
        "CC": "location.country",
        "REGION": "location.region",
    }
    assert {c: got[c][0] for c in want} == want
    assert got["TAGS"] == ("properties.TAGS", "list")
    assert got["LEID"][1] == "text" and got["EUID"][1] == "text"  # ids are never numbers
    assert not any(t.startswith("consent.") for t, _ in got.values())  # Mailchimp has no consent column


def test_every_recorded_export_header_keeps_identifiers_and_consent() -> None:
    """The committed research data: each vendor's header gets an identifier; documented consent columns
    (Shopify, Klaviyo) become consent targets; the rest never do."""
    doc = json.loads(HEADERS.read_text(encoding="utf-8"))
    for vendor in ("shopify", "woocommerce", "bigcommerce", "mailchimp", "hubspot", "klaviyo"):
        headers = [h for h in doc[vendor]["headers"] if not h.startswith("<")]
        mapping = suggest_mapping(headers)
        assert mapping.has_identifier(), vendor
        consent = mapping.consent_columns()
        if vendor == "shopify":
            assert consent == {"email": "Accepts Email Marketing", "sms": "Accepts SMS Marketing"}
        elif vendor == "klaviyo":
            assert consent == {"email": "Email Marketing Consent"}
        else:
            assert consent == {}, vendor
        assert doc[vendor]["source"]


def test_consent_targets_and_the_reserved_prefix() -> None:
    assert parse_map_option("Accepts Email Marketing=consent.email") == ColumnMapping(
        "Accepts Email Marketing", "consent.email"
    )
    with pytest.raises(MappingError, match=r"consent\.whatsapp.*reserved"):
        parse_map_option("WhatsApp=consent.whatsapp")
    with pytest.raises(MappingError, match="reserved"):
        Mapping((ColumnMapping("e", "email"), ColumnMapping("c", "consent.push")))
    mapping = Mapping((ColumnMapping("e", "email"), ColumnMapping("c", "consent.email")))
    assert [c.column for c in mapping.active()] == ["e"]  # a consent column is not a profile field
    ignored = mapping.with_overrides({"c": ColumnMapping("c", "ignore")})
    assert ignored.consent_columns() == {}


@pytest.mark.parametrize(
    ("header", "values", "want"),
    [
        ("Default Address Phone", ["15035550101", "15035550102"], "text"),
        ("Customer ID", ["7001", "7002"], "text"),
        ("Mobile", ["4155550100"], "text"),
        ("Loyalty points", ["12", "40"], "number"),
        ("Code", ["007", "012"], "text"),
        ("Anything", ["+12", "14"], "text"),
    ],
)
def test_never_number_for_phone_or_id_like_columns(header: str, values: list[str], want: str) -> None:
    assert guess_type(pd.Series(values), header) == want


def test_only_a_whole_yes_cell_is_consent() -> None:
    import pyarrow as pa

    from klaviyo_core.profiles.cells import consent_yes

    yes = ["yes", "YES", "y", "True", "1", "SUBSCRIBED", "Opted In", "opt-in"]
    no = ["no", "", "UNSUBSCRIBED", "NEVER_SUBSCRIBED", "never subscribed", "0", "false", "yes please", "pending"]
    got = consent_yes(pa.array(yes + no, type=pa.large_string())).tolist()
    assert got == [True] * len(yes) + [False] * len(no)
