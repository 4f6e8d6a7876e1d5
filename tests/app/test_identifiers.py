"""How the lookup pages read a typed phone: separators dropped after a '+', a UK '(0)' trunk digit left out,
and a phone without its country code told how to write it (never guessed)."""

from __future__ import annotations

import pytest

from klaviyo_app.ui.identifiers import missing_country_code, typed_identifier


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("+1 (415) 555-0123", "+14155550123"),
        (" +44 (0)20 7946 0958 ", "+442079460958"),
        ("+33 6.12.34.56.78", "+33612345678"),
        ("Ann@Example.com ", "Ann@Example.com"),
        ("+not a phone", "+not a phone"),
        ("01JEAATF6YQ557JN35JTVPJRR9", "01JEAATF6YQ557JN35JTVPJRR9"),
    ],
)
def test_typed_identifier(typed: str, sent: str) -> None:
    assert typed_identifier(typed) == sent


def test_missing_country_code() -> None:
    assert missing_country_code("(415) 555-0123") is not None
    assert "+14155550123" in (missing_country_code("415 555 0123") or "")
    for not_a_phone in ("+14155550123", "ann@example.com", "01JEAATF6YQ557JN35JTVPJRR9", "12345", ""):
        assert missing_country_code(not_a_phone) is None
