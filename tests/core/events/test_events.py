"""Builder, validation and preview of test events (no network)."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from klaviyo_core.events.model import EventError, build_event, event_from_dict, parse_properties, preview, to_body

NOW = datetime(2026, 11, 27, 21, 0, 0, tzinfo=UTC)
KEY = "pk_test_0123456789abcdefWXYZ"
TARGET = SimpleNamespace(base_url="http://127.0.0.1:8765", revision="2026-07-15", api_key=KEY, oauth_token=None)

GOLDEN_BODY: dict[str, Any] = {
    "data": {
        "type": "event",
        "attributes": {
            "properties": {"ProductName": "Canvas Tote Bag", "Items": [{"SKU": "T-1", "Quantity": 2}]},
            "time": "2026-11-27T14:30:15+00:00",
            "unique_id": "test-0001",
            "metric": {"data": {"type": "metric", "attributes": {"name": "Started Checkout"}}},
            "value": 58.0,
            "value_currency": "USD",
            "profile": {
                "data": {
                    "type": "profile",
                    "attributes": {"first_name": "Sarah", "email": "sarah.mason@example.com"},
                }
            },
        },
    }
}


def golden_event():  # type: ignore[no-untyped-def]
    return build_event(
        " Started Checkout ",
        email="Sarah.Mason@example.com",
        profile_attributes={"first_name": "Sarah"},
        properties={"ProductName": "Canvas Tote Bag", "Items": [{"SKU": "T-1", "Quantity": 2}]},
        value="58",
        value_currency="usd",
        time="2026-11-27T15:30:15.750+01:00",
        unique_id="test-0001",
        now=NOW,
    )


def test_body_is_golden() -> None:
    assert to_body(golden_event()) == GOLDEN_BODY


def test_preview_masks_the_key_and_curl_reads_it_from_the_environment() -> None:
    shown = preview(golden_event(), TARGET)
    assert shown.method == "POST" and shown.url == "http://127.0.0.1:8765/api/events"
    assert shown.headers == {
        "Authorization": "Klaviyo-API-Key pk_...WXYZ",
        "revision": "2026-07-15",
        "Accept": "application/vnd.api+json",
        "Content-Type": "application/vnd.api+json",
    }
    assert json.loads(shown.body_json()) == GOLDEN_BODY
    curl = shown.curl()
    assert KEY not in curl and KEY not in shown.body_json() and KEY not in json.dumps(shown.as_dict())
    words = shlex.split(curl.replace("\\\n", " "))
    assert words[:4] == ["curl", "-X", "POST", "http://127.0.0.1:8765/api/events"]
    assert "Authorization: Klaviyo-API-Key $KLAVIYO_API_KEY" in words
    assert json.loads(words[words.index("--data-raw") + 1]) == GOLDEN_BODY


def test_curl_survives_quotes_in_properties() -> None:
    event = build_event("Custom", email="a@example.com", properties={"Note": 'it\'s "quoted" $HOME'}, now=NOW)
    words = shlex.split(preview(event, TARGET).curl().replace("\\\n", " "))
    assert json.loads(words[-1])["data"]["attributes"]["properties"]["Note"] == 'it\'s "quoted" $HOME'


def test_oauth_preview_uses_bearer() -> None:
    target = SimpleNamespace(
        base_url="https://a.klaviyo.com", revision="2026-07-15", api_key=None, oauth_token="tok_" + "x" * 20
    )
    shown = preview(golden_event(), target)
    assert shown.headers["Authorization"].startswith("Bearer ") and "x" * 20 not in shown.headers["Authorization"]
    assert '"Authorization: Bearer $KLAVIYO_ACCESS_TOKEN"' in shown.curl()


def test_unique_id_generated_per_event_even_in_the_same_second() -> None:
    first = build_event("Viewed Product", email="a@example.com", now=NOW)
    second = build_event("Viewed Product", email="a@example.com", now=NOW)
    assert first.time == second.time == NOW and first.unique_id != second.unique_id


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00+00:00"),
        ("2026-11-27T10:00:00-08:00", "2026-11-27T18:00:00+00:00"),
        ("2026-11-27 10:00", "2026-11-27T10:00:00+00:00"),
        (datetime(2026, 11, 27, 10, 0, 0, 999, tzinfo=timezone(timedelta(hours=9))), "2026-11-27T01:00:00+00:00"),
        (1795771200, "2026-11-27T09:20:00+00:00"),
        (None, "2026-11-27T21:00:00+00:00"),
    ],
)
def test_any_timezone_is_sent_as_utc(given, expected) -> None:  # type: ignore[no-untyped-def]
    event = build_event("Viewed Product", email="a@example.com", time=given, now=NOW)
    assert to_body(event)["data"]["attributes"]["time"] == expected


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"metric": ""}, "metric"),
        ({"metric": "x" * 128}, "metric"),
        ({"email": None}, "profile"),
        ({"email": "sarah@"}, "email"),
        ({"phone_number": "555 1234"}, "phone_number"),
        ({"time": "last tuesday"}, "time"),
        ({"time": "1989-01-01T00:00:00Z"}, "time"),
        ({"time": "2028-01-01T00:00:00Z"}, "time"),
        ({"value": "twelve"}, "value"),
        ({"value_currency": "dollars"}, "value_currency"),
        ({"properties": {f"p{i}": i for i in range(401)}}, "properties"),
        ({"properties": {"html": "x" * 102_401}}, "properties"),
        ({"properties": ["not", "an", "object"]}, "properties"),
    ],
)
def test_invalid_events_name_the_field(kwargs, field) -> None:  # type: ignore[no-untyped-def]
    args = {"metric": "Viewed Product", "email": "a@example.com", "now": NOW, **kwargs}
    with pytest.raises(EventError) as caught:
        build_event(args.pop("metric"), **args)
    assert caught.value.field == field


def test_bad_properties_json_points_at_line_and_column() -> None:
    with pytest.raises(EventError) as caught:
        parse_properties('{\n  "ProductName": "Tote",\n  "Price": 29.0,\n}')
    err = caught.value
    assert (err.field, err.line, err.column) == ("properties", 4, 1)
    assert "line 4, column 1" in err.message
    assert err.snippet == "   4 | }\n     | ^"
    with pytest.raises(EventError, match="JSON object"):
        parse_properties("[1, 2]")
    assert parse_properties("  ") == {}


def test_round_trip_through_dict() -> None:
    event = golden_event()
    again = event_from_dict(json.loads(json.dumps(event.to_dict())))
    assert again == event
    fresh = event_from_dict(event.to_dict(), fresh_unique_id=True)
    assert (
        fresh.unique_id != event.unique_id
        and to_body(fresh)["data"]["attributes"]["metric"] == GOLDEN_BODY["data"]["attributes"]["metric"]
    )
