"""Klaviyo's campaign statistics from message counts, one definition each (facts §15, §17).

Definitions (Klaviyo's help centre where it gives one; otherwise an EMULATOR CHOICE, marked *):
recipients = Received; bounced = Bounced Email; delivered = recipients - bounced; opens(_unique) = Opened Email
events (profiles); clicks(_unique) = Clicked Email/SMS; unsubscribes(_uniques) = Unsubscribed (+ from SMS);
open_rate = opens_unique / delivered; click_rate = clicks_unique / delivered; click_to_open_rate =
clicks_unique / opens_unique; delivery_rate = delivered / recipients; bounce_rate = bounced / recipients;
unsubscribe_rate = unsubscribe_uniques / delivered; conversion_rate = conversion_uniques / delivered;
conversions(_uniques, _value) = conversion-metric events attributed to the message; average_order_value =
conversion_value / conversions; revenue_per_recipient = conversion_value / delivered*. A rate over zero is 0*.
Not modelled (always 0*): failed, spam complaints, SMS spend/ROI/credits and segment counts.
"""

from __future__ import annotations

from collections.abc import Callable

from klaviyo_sandbox.reports.store import MessageCounts

STATISTICS = (
    "average_order_value",
    "bounce_rate",
    "bounced",
    "bounced_or_failed",
    "bounced_or_failed_rate",
    "click_rate",
    "click_to_open_rate",
    "clicks",
    "clicks_unique",
    "conversion_rate",
    "conversion_uniques",
    "conversion_value",
    "conversions",
    "delivered",
    "delivery_rate",
    "failed",
    "failed_rate",
    "message_segment_count_sum",
    "open_rate",
    "opens",
    "opens_unique",
    "recipients",
    "revenue_per_recipient",
    "spam_complaint_rate",
    "spam_complaints",
    "text_message_credit_usage_amount",
    "text_message_roi",
    "text_message_spend",
    "unsubscribe_rate",
    "unsubscribe_uniques",
    "unsubscribes",
)


def _ratio(top: float, bottom: float) -> float:
    return round(top / bottom, 4) if bottom else 0.0


def _counts(c: MessageCounts) -> dict[str, float]:
    ev, pr = c.events, c.profiles
    recipients = ev.get("Received Email", 0) + ev.get("Received SMS", 0)
    bounced = ev.get("Bounced Email", 0)
    delivered = recipients - bounced
    return {
        "recipients": recipients,
        "bounced": bounced,
        "bounced_or_failed": bounced,
        "delivered": delivered,
        "opens": ev.get("Opened Email", 0),
        "opens_unique": pr.get("Opened Email", 0),
        "clicks": ev.get("Clicked Email", 0) + ev.get("Clicked SMS", 0),
        "clicks_unique": pr.get("Clicked Email", 0) + pr.get("Clicked SMS", 0),
        "unsubscribes": ev.get("Unsubscribed", 0) + ev.get("Unsubscribed from SMS", 0),
        "unsubscribe_uniques": pr.get("Unsubscribed", 0) + pr.get("Unsubscribed from SMS", 0),
        "conversions": c.conversions,
        "conversion_uniques": c.conversion_profiles,
        "conversion_value": round(c.conversion_value, 2),
    }


RATES: dict[str, Callable[[dict[str, float]], float]] = {
    "open_rate": lambda s: _ratio(s["opens_unique"], s["delivered"]),
    "click_rate": lambda s: _ratio(s["clicks_unique"], s["delivered"]),
    "click_to_open_rate": lambda s: _ratio(s["clicks_unique"], s["opens_unique"]),
    "delivery_rate": lambda s: _ratio(s["delivered"], s["recipients"]),
    "bounce_rate": lambda s: _ratio(s["bounced"], s["recipients"]),
    "bounced_or_failed_rate": lambda s: _ratio(s["bounced_or_failed"], s["recipients"]),
    "unsubscribe_rate": lambda s: _ratio(s["unsubscribe_uniques"], s["delivered"]),
    "conversion_rate": lambda s: _ratio(s["conversion_uniques"], s["delivered"]),
    "average_order_value": lambda s: round(_ratio(s["conversion_value"], s["conversions"] * 1.0), 2),
    "revenue_per_recipient": lambda s: round(_ratio(s["conversion_value"], s["delivered"] * 1.0), 2),
}


def statistics_for(counts: MessageCounts, wanted: list[str]) -> dict[str, float]:
    """The requested statistics only, in the order asked."""
    base = _counts(counts)
    return {name: RATES[name](base) if name in RATES else base.get(name, 0) for name in wanted}
