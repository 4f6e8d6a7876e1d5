"""The page's form rules, without Streamlit."""

from __future__ import annotations

from datetime import UTC, datetime

from klaviyo_core.events.form import EventForm, build_from_form
from klaviyo_core.events.model import to_body

NOW = datetime(2026, 11, 27, 21, 0, 0, tzinfo=UTC)


def test_template_form_builds_an_event() -> None:
    form = EventForm.from_template("Placed Order", "sarah@example.com")
    form.unique_id = "fixed"
    result = build_from_form(form, now=NOW)
    assert result.errors == [] and result.event is not None
    attrs = to_body(result.event)["data"]["attributes"]
    assert attrs["metric"]["data"]["attributes"]["name"] == "Placed Order"
    assert attrs["value"] == 52.2 and attrs["value_currency"] == "USD" and attrs["unique_id"] == "fixed"
    assert attrs["properties"]["Items"][0]["SKU"] == "TOTE-CANVAS-NAT"


def test_json_syntax_error_points_at_line_and_column() -> None:
    form = EventForm(metric="Custom", identifier="a@example.com", properties_text='{"a": 1,\n "b": }')
    result = build_from_form(form, now=NOW)
    err = result.error_for("properties")
    assert result.event is None and err is not None and (err.line, err.column) == (2, 7)


def test_missing_identifier_and_phone_kind() -> None:
    missing = build_from_form(EventForm(metric="Custom"), now=NOW)
    assert missing.error_for("profile") is not None
    phone = build_from_form(EventForm(metric="Custom", identifier_kind="phone_number", identifier="+15005550006"))
    assert phone.event is not None and phone.event.phone_number == "+15005550006"


def test_load_into_form_round_trip() -> None:
    form = EventForm.from_template("Started Checkout", "sarah@example.com")
    form.first_name = "Sarah"
    form.time_text = "2026-11-27T10:00:00-05:00"
    event = build_from_form(form, now=NOW).event
    assert event is not None
    again = EventForm.from_event(event.to_dict())
    assert again.metric == "Started Checkout" and again.identifier == "sarah@example.com"
    assert again.first_name == "Sarah" and again.time_text == "2026-11-27T15:00:00+00:00"
    rebuilt = build_from_form(again, now=NOW).event
    assert rebuilt is not None and rebuilt.properties == event.properties and rebuilt.unique_id != event.unique_id


def test_unique_id_time_or_value_in_properties_warn_and_the_field_is_used() -> None:
    from klaviyo_core.events import EventForm, build_from_form

    form = EventForm(
        metric="Placed Order",
        identifier="ana@example.com",
        properties_text='{"unique_id": "o-1", "time": "2026-01-01", "value": 3, "sku": "A"}',
        unique_id="order-1001",
    )
    built = build_from_form(form)
    assert built.event is not None and built.event.unique_id == "order-1001"
    assert [w.split("'")[1] for w in built.warnings] == ["unique_id", "time", "value"]
    assert "Unique id field" in built.warnings[0]
    assert build_from_form(EventForm(metric="M", identifier="ana@example.com")).warnings == []
