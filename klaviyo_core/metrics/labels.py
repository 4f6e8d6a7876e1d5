"""Words a marketer reads instead of API names: dimensions, empty dimension values, measurements, revenue.

Why: the Metrics page showed `$attributed_channel` and "(not set)" without saying why, and offered "Revenue"
for Viewed Product (the sum of viewed products' prices, with no currency). A measurement is named for what it
is, with its currency, and only metrics that record a sale are called revenue.

Revenue metrics are a documented choice: Klaviyo's UI reports revenue for its order metrics (Placed Order is
the default conversion metric of the reporting API and of attribution: https://help.klaviyo.com/hc/en-us/
articles/115005248128 "How does Klaviyo attribute revenue"), and the API does not flag which metrics carry
revenue, so the names below are the integrations' standard order events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.metrics.aggregates import AggregateCache, AggregateQuery, query_aggregates

DIMENSION_LABELS = {
    "$attributed_channel": "Attributed channel",
    "$attributed_flow": "Attributed flow",
    "$attributed_message": "Attributed message",
    "$campaign_channel": "Campaign channel",
    "$flow": "Flow",
    "$flow_channel": "Flow channel",
    "$message": "Message",
    "$value_currency": "Currency",
    "$variation": "A/B variation",
    "Campaign Name": "Campaign name",
    "Client Name": "Email client",
    "Client Type": "Client type",
    "Email Domain": "Email domain",
    "Inbox Provider": "Inbox provider",
    "List": "List",
    "Message Name": "Message name",
    "Method": "Method",
    "Subject": "Subject",
    "URL": "URL",
    "form_id": "Form",
}
#: Why an event can lack a dimension, for the ones where the reason is known.
MISSING_REASONS = {
    "$attributed_channel": "events Klaviyo did not attribute to a campaign or flow message",
    "$attributed_flow": "events not attributed to a flow (campaign-attributed or unattributed)",
    "$attributed_message": "events Klaviyo did not attribute to a message",
    "$flow": "events not sent by a flow",
    "$message": "events not tied to a message",
    "$value_currency": "events recorded without a currency",
}
REVENUE_METRICS = frozenset(
    {
        "Placed Order",
        "Ordered Product",
        "Placed Non Web Order",
        "Ordered Product Non Web",
        "Refunded Order",
        "Cancelled Order",
        "Fulfilled Order",
        "Paid Invoice",
    }
)
MEASUREMENT_LABELS = {"count": "Events", "sum_value": "Sum of value", "unique": "Unique profiles"}


def dimension_label(name: str) -> str:
    """'Attributed channel' for `$attributed_channel`; an unknown name is shown as it is."""
    return DIMENSION_LABELS.get(name, name)


def missing_label(name: str) -> str:
    """The series name for events without the dimension: '(no attributed channel)', never a bare '(not set)'."""
    label = dimension_label(name)
    return f"(no {label if label.isupper() else label.lower()})"


def missing_explanation(name: str) -> str:
    """One sentence saying what the empty group holds."""
    reason = MISSING_REASONS.get(name, f"events that carry no {dimension_label(name)} property")
    return f"'{missing_label(name)}' groups {reason}."


@dataclass(frozen=True)
class ValueInfo:
    """Whether a metric's events in a period carry a `$value`, and in which currencies."""

    metric_name: str
    events: int
    valued_events: int
    currencies: tuple[str, ...]

    @property
    def has_value(self) -> bool:
        return self.valued_events > 0

    @property
    def is_revenue(self) -> bool:
        return self.has_value and self.metric_name in REVENUE_METRICS


def value_info(
    client: KlaviyoClient, metric_name: str, query: AggregateQuery, *, cache: AggregateCache | None = None
) -> ValueInfo:
    """One aggregate call (cached like the others): count and sum of value by currency over the query's range.

    An event "carries a value" when its currency group sums to something; the API has no count of valued
    events, so a currency group with a zero sum counts as unvalued (a free order is indistinguishable here)."""
    probe = replace(query, interval="month", measurements=("count", "sum_value"), by=("$value_currency",))
    frame = query_aggregates(client, probe, cache=cache).frame
    if frame.empty:
        return ValueInfo(metric_name, 0, 0, ())
    groups = frame.groupby("$value_currency")[["count", "sum_value"]].sum()
    valued = groups[groups["sum_value"].abs() > 0]
    currencies = tuple(sorted(str(c) for c in valued.index if c))
    return ValueInfo(metric_name, int(groups["count"].sum()), int(valued["count"].sum()), currencies)


def value_label(infos: Iterable[ValueInfo]) -> str | None:
    """The sum_value option's label for these metrics, or None when none of them carries a value.

    'Revenue (USD)' only when every valued metric records sales; otherwise 'Sum of value (USD)': the sum of
    Viewed Product's values is the price of what was viewed, not money earned."""
    valued = [info for info in infos if info.has_value]
    if not valued:
        return None
    currencies = sorted({c for info in valued for c in info.currencies})
    unit = f" ({', '.join(currencies)})" if currencies else " (no currency recorded)"
    name = "Revenue" if all(info.is_revenue for info in valued) else MEASUREMENT_LABELS["sum_value"]
    return name + unit
