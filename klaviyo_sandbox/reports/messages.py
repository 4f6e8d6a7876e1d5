"""One recipient's message events, shared by the campaign and the flow demo seeders (no SQL, no routes).

A recipient receives, may bounce (email), opens, clicks, orders and unsubscribes at the rates given. Every event
names its message in `$message` (flow messages also name their flow in `$flow`); an order names them in
`$attributed_message` (and `$attributed_flow`) with `$attributed_channel`, as Klaviyo's attributed events do
(klaviyo-api-facts.md §15). `uid` keeps repeat sends of one message to one profile apart (a flow re-entry).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.events.store import NewEvent

KLAVIYO = {"object": "integration", "id": "0rG4eQ", "key": "klaviyo", "name": "Klaviyo", "category": "Internal"}
SHOPIFY = {"object": "integration", "id": "0eMvjm", "key": "shopify", "name": "Shopify", "category": "eCommerce"}
EMAIL = ("Received Email", "Bounced Email", "Opened Email", "Clicked Email", "Unsubscribed")
SMS = ("Received SMS", "Clicked SMS", "Unsubscribed from SMS")
ORDER_VALUES = (24.0, 48.0, 54.0, 96.0, 118.0, 145.0)


@dataclass(frozen=True)
class Rates:
    """Chances per recipient: bounce and open (email), click (of openers for email, of recipients for SMS),
    order (of clickers) and unsubscribe."""

    bounce: float = 0.02
    open: float = 0.38
    click_email: float = 0.14
    click_sms: float = 0.09
    order: float = 0.25
    unsubscribe: float = 0.004


CAMPAIGN_RATES = Rates()


def message_metric_ids(conn: sqlite3.Connection) -> dict[str, str]:
    """Ids of the message metrics (Klaviyo's own integration) and of Shopify's Placed Order, created on first use."""
    ids = {name: eventstore.get_or_create_metric(conn, name, KLAVIYO) for name in (*EMAIL, *SMS)}
    ids["Placed Order"] = eventstore.get_or_create_metric(conn, "Placed Order", SHOPIFY)
    return ids


def recipient_events(
    m: dict[str, str],
    message: str,
    channel: str,
    profile: str,
    ts: int,
    rng: random.Random,
    *,
    flow: str | None = None,
    rates: Rates = CAMPAIGN_RATES,
    uid: str = "",
) -> Iterator[NewEvent]:
    """The events one send of `message` causes for `profile`; clicks and orders follow a few minutes later for
    flows (a campaign's stay at its send time, as before)."""
    props = {"$message": message} | ({"$flow": flow} if flow else {})
    key = f"{message}{uid}"
    later = (lambda minutes: ts + 60 * minutes) if flow else (lambda minutes: ts)
    email = channel == "email"
    yield NewEvent(m["Received Email" if email else "Received SMS"], profile, ts, props, unique_id=f"r-{key}")
    if email and rng.random() < rates.bounce:
        yield NewEvent(m["Bounced Email"], profile, ts, props, unique_id=f"b-{key}")
        return
    opened = email and rng.random() < rates.open
    for n in range(rng.choice((1, 1, 2)) if opened else 0):
        yield NewEvent(m["Opened Email"], profile, later(30 + n), props, unique_id=f"o{n}-{key}")
    if (opened and rng.random() < rates.click_email) or (not email and rng.random() < rates.click_sms):
        yield NewEvent(m["Clicked Email" if email else "Clicked SMS"], profile, later(35), props, unique_id=f"c-{key}")
        if rng.random() < rates.order:
            order = {"$attributed_message": message, "$attributed_channel": channel}
            order |= {"$attributed_flow": flow} if flow else {}
            value = rng.choice(ORDER_VALUES)
            yield NewEvent(m["Placed Order"], profile, later(50), order, value, "USD", f"po-{key}")
    if rng.random() < rates.unsubscribe:
        yield NewEvent(
            m["Unsubscribed" if email else "Unsubscribed from SMS"], profile, later(40), props, unique_id=f"u-{key}"
        )
