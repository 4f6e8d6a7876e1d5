"""Ready-made test events for the common e-commerce flows, with realistic, editable properties.

Property names follow Klaviyo's own e-commerce integration guide (Viewed Product, Added to Cart, Started
Checkout, Placed Order with `Items`, one Ordered Product per line item, ...), so flows and segments built
on real store data trigger on a test event too. Each template is a starting point: the form shows its
properties as JSON the user edits before sending.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from klaviyo_core.events.model import Event, build_event

_TOTE = {
    "ProductID": "1111",
    "SKU": "TOTE-CANVAS-NAT",
    "ProductName": "Canvas Tote Bag",
    "Quantity": 1,
    "ItemPrice": 29.0,
    "RowTotal": 29.0,
    "ProductURL": "https://shop.example.com/products/canvas-tote",
    "ImageURL": "https://shop.example.com/images/canvas-tote.jpg",
    "Categories": ["Bags", "Accessories"],
    "Brand": "Example Goods",
}
_MUG = {
    "ProductID": "2222",
    "SKU": "MUG-STONE-12",
    "ProductName": "Stoneware Mug",
    "Quantity": 2,
    "ItemPrice": 14.5,
    "RowTotal": 29.0,
    "ProductURL": "https://shop.example.com/products/stoneware-mug",
    "ImageURL": "https://shop.example.com/images/stoneware-mug.jpg",
    "Categories": ["Kitchen"],
    "Brand": "Example Goods",
}
_ADDRESS = {
    "FirstName": "Sarah",
    "LastName": "Mason",
    "Address1": "89 E 42nd St",
    "City": "New York",
    "RegionCode": "NY",
    "CountryCode": "US",
    "Zip": "10017",
}
_ORDER = {
    "OrderId": "1001",
    "Categories": ["Bags", "Accessories", "Kitchen"],
    "ItemNames": ["Canvas Tote Bag", "Stoneware Mug"],
    "Brands": ["Example Goods"],
    "DiscountCode": "WELCOME10",
    "DiscountValue": 5.8,
    "Items": [_TOTE, _MUG],
    "BillingAddress": _ADDRESS,
    "ShippingAddress": _ADDRESS,
}


@dataclass(frozen=True)
class EventTemplate:
    name: str
    metric: str
    description: str
    properties: dict[str, Any]
    value: float | None = None
    value_currency: str | None = "USD"

    def default_properties(self) -> dict[str, Any]:
        """A deep copy, so editing the form never changes the template."""
        return copy.deepcopy(self.properties)

    def build(self, *, time: datetime | str | None = None, **profile: Any) -> Event:
        """An event from this template for one profile (email=..., phone_number=..., external_id=...)."""
        return build_event(
            self.metric,
            properties=self.default_properties(),
            value=self.value,
            value_currency=self.value_currency if self.value is not None else None,
            time=time,
            **profile,
        )


def _viewed_product() -> dict[str, Any]:
    keys = ("ProductID", "SKU", "ProductName", "ImageURL", "Categories", "Brand")
    return {
        **{k: _TOTE[k] for k in keys},
        "URL": _TOTE["ProductURL"],
        "Price": 29.0,
        "CompareAtPrice": 35.0,
    }


def _added_to_cart() -> dict[str, Any]:
    return {
        "AddedItemProductName": _MUG["ProductName"],
        "AddedItemProductID": _MUG["ProductID"],
        "AddedItemSKU": _MUG["SKU"],
        "AddedItemCategories": _MUG["Categories"],
        "AddedItemImageURL": _MUG["ImageURL"],
        "AddedItemURL": _MUG["ProductURL"],
        "AddedItemPrice": _MUG["ItemPrice"],
        "AddedItemQuantity": 2,
        "ItemNames": ["Canvas Tote Bag", "Stoneware Mug"],
        "CheckoutURL": "https://shop.example.com/cart",
        "Items": [_TOTE, _MUG],
    }


def _started_checkout() -> dict[str, Any]:
    return {
        "ItemNames": ["Canvas Tote Bag", "Stoneware Mug"],
        "CheckoutURL": "https://shop.example.com/checkout/abc123",
        "Categories": ["Bags", "Accessories", "Kitchen"],
        "Items": [_TOTE, _MUG],
    }


def _ordered_product() -> dict[str, Any]:
    keys = ("ProductID", "SKU", "ProductName", "Quantity", "ProductURL", "ImageURL", "Categories")
    return {"OrderId": "1001", **{k: _TOTE[k] for k in keys}, "ProductBrand": _TOTE["Brand"]}


def _back_in_stock() -> dict[str, Any]:
    return {
        "ProductName": _TOTE["ProductName"],
        "ProductID": _TOTE["ProductID"],
        "VariantID": "11110001",
        "SKU": _TOTE["SKU"],
        "ProductURL": _TOTE["ProductURL"],
        "ImageURL": _TOTE["ImageURL"],
        "Channel": "email",
    }


TEMPLATES: dict[str, EventTemplate] = {
    t.name: t
    for t in (
        EventTemplate("Viewed Product", "Viewed Product", "A shopper looked at a product page.", _viewed_product()),
        EventTemplate(
            "Added to Cart",
            "Added to Cart",
            "An item went into the cart (abandoned-cart flows).",
            _added_to_cart(),
            58.0,
        ),
        EventTemplate(
            "Started Checkout",
            "Started Checkout",
            "Checkout began (abandoned-checkout flows).",
            _started_checkout(),
            58.0,
        ),
        EventTemplate("Placed Order", "Placed Order", "An order with two line items.", _ORDER, 52.2),
        EventTemplate("Ordered Product", "Ordered Product", "One line item of an order.", _ordered_product(), 29.0),
        EventTemplate(
            "Cancelled Order",
            "Cancelled Order",
            "An order was cancelled.",
            {**_ORDER, "Reason": "Customer request"},
            52.2,
        ),
        EventTemplate(
            "Refunded Order",
            "Refunded Order",
            "An order was refunded.",
            {**_ORDER, "Reason": "Damaged in transit", "RefundedItems": [_MUG]},
            29.0,
        ),
        EventTemplate(
            "Subscribed to Back in Stock",
            "Subscribed to Back in Stock",
            "A shopper asked to hear when a sold-out item returns.",
            _back_in_stock(),
        ),
        EventTemplate(
            "Custom",
            "Completed Quiz",
            "Your own metric: rename it and edit the properties.",
            {"QuizName": "Find your scent", "Result": "Citrus", "Score": 8, "Answers": ["Fresh", "Morning", "Light"]},
            None,
            None,
        ),
    )
}


def template_names() -> list[str]:
    return list(TEMPLATES)


def get_template(name: str) -> EventTemplate:
    """Look a template up by its name or its metric name, case-insensitively."""
    wanted = name.strip().lower()
    for template in TEMPLATES.values():
        if wanted in (template.name.lower(), template.metric.lower()):
            return template
    raise KeyError(f"No template named '{name}'; choose one of: {', '.join(TEMPLATES)}.")
