"""Demo message events for the sent demo campaigns, so campaign reports have real numbers on first run.

Each sent campaign message reaches demo shoppers; recipients bounce, open, click, unsubscribe and order at
plausible rates (email: 2% bounce, 38% open, 14% of openers click; SMS: 9% click; 0.4% unsubscribe; a quarter of
clickers order). Every event names its message in `$message` (orders: `$attributed_message`,
`$attributed_channel`), as Klaviyo's do. EMULATOR CHOICE: the demo campaigns were sent when the demo was
seeded, so their events are stamped at the campaign's send time (never in the future). Deterministic for
`seed`, idempotent through its own `kv` marker; runs after the demo events and campaigns seeders.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.events.store import NewEvent
from klaviyo_sandbox.reports import store as reportstore
from klaviyo_sandbox.seed import seeder

SEEDED_KEY = "demo_message_events_seeded"
KLAVIYO = {"object": "integration", "id": "0rG4eQ", "key": "klaviyo", "name": "Klaviyo", "category": "Internal"}
SHOPIFY = {"object": "integration", "id": "0eMvjm", "key": "shopify", "name": "Shopify", "category": "eCommerce"}
EMAIL = ("Received Email", "Bounced Email", "Opened Email", "Clicked Email", "Unsubscribed")
SMS = ("Received SMS", "Clicked SMS", "Unsubscribed from SMS")
ORDER_VALUES = (24.0, 48.0, 54.0, 96.0, 118.0, 145.0)


def _metric_ids(conn: sqlite3.Connection) -> dict[str, str]:
    ids = {name: eventstore.get_or_create_metric(conn, name, KLAVIYO) for name in (*EMAIL, *SMS)}
    ids["Placed Order"] = eventstore.get_or_create_metric(conn, "Placed Order", SHOPIFY)
    return ids


def _recipient_events(
    m: dict[str, str], message: str, channel: str, profile: str, ts: int, rng: random.Random
) -> Iterator[NewEvent]:
    props = {"$message": message}
    email = channel == "email"
    yield NewEvent(m["Received Email" if email else "Received SMS"], profile, ts, props, unique_id=f"r-{message}")
    if email and rng.random() < 0.02:
        yield NewEvent(m["Bounced Email"], profile, ts, props, unique_id=f"b-{message}")
        return
    opened = email and rng.random() < 0.38
    for n in range(rng.choice((1, 1, 2)) if opened else 0):
        yield NewEvent(m["Opened Email"], profile, ts, props, unique_id=f"o{n}-{message}")
    if (opened and rng.random() < 0.14) or (not email and rng.random() < 0.09):
        yield NewEvent(m["Clicked Email" if email else "Clicked SMS"], profile, ts, props, unique_id=f"c-{message}")
        if rng.random() < 0.25:
            order = {"$attributed_message": message, "$attributed_channel": channel}
            value = rng.choice(ORDER_VALUES)
            yield NewEvent(m["Placed Order"], profile, ts, order, value, "USD", f"po-{message}")
    if rng.random() < 0.004:
        yield NewEvent(
            m["Unsubscribed" if email else "Unsubscribed from SMS"], profile, ts, props, unique_id=f"u-{message}"
        )


@seeder("demo_message_events")
def seed_message_events(store: Store, *, seed: int = 7, **_: Any) -> dict[str, int]:
    rng = random.Random(seed)
    sent = reportstore.sent_campaign_messages(store)
    recipients = reportstore.demo_recipients(store, 1200)
    with store.write() as conn:
        if store.kv_get(SEEDED_KEY) or not sent or not recipients:
            return {"message_events": 0}
        metric_ids = _metric_ids(conn)
        stream = (
            event
            for message, channel, send_time in sent
            if channel in ("email", "sms")
            for profile in recipients[: 1200 if channel == "email" else 500]
            for event in _recipient_events(
                metric_ids, message, channel, profile, int(datetime.fromisoformat(send_time).timestamp()), rng
            )
        )
        inserted = eventstore.bulk_insert_events(conn, stream)
        store.kv_set(SEEDED_KEY, True)
    return {"message_events": inserted}
