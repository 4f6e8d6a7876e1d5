"""Every template builds an event whose request body is valid against the official spec."""

from __future__ import annotations

import pytest

from klaviyo_core.events.model import to_body
from klaviyo_core.events.templates import TEMPLATES, get_template
from tests.spec_validation import request_errors, require_spec


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_template_body_matches_the_spec(name: str) -> None:
    require_spec()
    event = TEMPLATES[name].build(email="test@example.com")
    assert event.properties, "a template carries realistic properties"
    assert request_errors("POST", "/api/events", to_body(event)) == []


def test_templates_cover_the_common_ecommerce_events() -> None:
    expected = {
        "Viewed Product",
        "Added to Cart",
        "Started Checkout",
        "Placed Order",
        "Ordered Product",
        "Cancelled Order",
        "Refunded Order",
        "Subscribed to Back in Stock",
    }
    assert expected <= {t.metric for t in TEMPLATES.values()}
    assert len(TEMPLATES["Placed Order"].properties["Items"]) == 2
    assert get_template("custom").metric == "Completed Quiz"


def test_editing_a_template_copy_leaves_the_template_alone() -> None:
    template = get_template("Placed Order")
    props = template.default_properties()
    props["Items"][0]["Quantity"] = 99
    assert template.properties["Items"][0]["Quantity"] == 1
    with pytest.raises(KeyError):
        get_template("Bought a Boat")
