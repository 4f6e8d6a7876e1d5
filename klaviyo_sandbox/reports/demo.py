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
from datetime import datetime
from typing import Any

from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.reports import store as reportstore
from klaviyo_sandbox.reports.messages import message_metric_ids, recipient_events
from klaviyo_sandbox.seed import seeder

SEEDED_KEY = "demo_message_events_seeded"


@seeder("demo_message_events")
def seed_message_events(store: Store, *, seed: int = 7, **_: Any) -> dict[str, int]:
    rng = random.Random(seed)
    sent = reportstore.sent_campaign_messages(store)
    recipients = reportstore.demo_recipients(store, 1200)
    with store.write() as conn:
        if store.kv_get(SEEDED_KEY) or not sent or not recipients:
            return {"message_events": 0}
        metric_ids = message_metric_ids(conn)
        stream = (
            event
            for message, channel, send_time in sent
            if channel in ("email", "sms")
            for profile in recipients[: 1200 if channel == "email" else 500]
            for event in recipient_events(
                metric_ids, message, channel, profile, int(datetime.fromisoformat(send_time).timestamp()), rng
            )
        )
        inserted = eventstore.bulk_insert_events(conn, stream)
        store.kv_set(SEEDED_KEY, True)
    return {"message_events": inserted}
