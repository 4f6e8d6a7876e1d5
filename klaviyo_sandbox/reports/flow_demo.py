"""Demo flow sends over the demo's days, so flow reports (values and weekly series) have real numbers.

Every live demo flow's email (its send-email action; the sandbox uses that action's id as the flow message id,
see reports/store.py) reaches a few demo shoppers a day for `days` days up to now; they open, click, order and
unsubscribe at flow-like rates (flows outperform campaigns: a triggered message is expected). Events carry
`$flow` and `$message`, orders `$attributed_flow`, `$attributed_message` and `$attributed_channel`.
EMULATOR CHOICES: manual and draft flows send nothing; entrants per day vary around a per-flow mean; nothing is
stamped in the future. Deterministic for `seed`, idempotent through its own `kv` marker.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.events.store import NewEvent
from klaviyo_sandbox.reports import store as reportstore
from klaviyo_sandbox.reports.messages import Rates, message_metric_ids, recipient_events
from klaviyo_sandbox.seed import seeder

SEEDED_KEY = "demo_flow_events_seeded"
#: flow name -> (mean entrants per day, rates); other live flows get DEFAULT
FLOWS: dict[str, tuple[float, Rates]] = {
    "Welcome Series": (6, Rates(bounce=0.03, open=0.52, click_email=0.2, order=0.2)),
    "Abandoned Cart": (9, Rates(bounce=0.01, open=0.45, click_email=0.3, order=0.4)),
    "Post-Purchase Thank You": (7, Rates(bounce=0.01, open=0.6, click_email=0.1, order=0.1, unsubscribe=0.002)),
}
DEFAULT = (3.0, Rates(open=0.5, click_email=0.25, order=0.3))


def flow_event_stream(
    metric_ids: dict[str, str],
    messages: list[reportstore.Message],
    profiles: list[str],
    *,
    end: datetime,
    days: int,
    seed: int,
) -> Iterator[NewEvent]:
    """Sends of each live flow message on each of `days` UTC days up to `end`, and what followed them."""
    rng = random.Random(seed)
    cutoff = int(end.timestamp())
    first = datetime(end.year, end.month, end.day, tzinfo=UTC) - timedelta(days=days - 1)
    for index in range(days):
        day_start = int((first + timedelta(days=index)).timestamp())
        for msg in messages:
            mean, rates = FLOWS.get(msg.parent_name, DEFAULT)
            for n in range(max(0, round(rng.gauss(mean, mean / 3)))):
                ts = day_start + rng.randrange(86_400)
                profile = rng.choice(profiles)
                events = recipient_events(
                    metric_ids,
                    msg.message_id,
                    msg.channel,
                    profile,
                    ts,
                    rng,
                    flow=msg.parent_id,
                    rates=rates,
                    uid=f"-{ts}-{n}",
                )
                yield from (ev for ev in events if ev.ts <= cutoff)


@seeder("demo_flow_events")
def seed_flow_events(store: Store, *, days: int = 90, seed: int = 7, **_: Any) -> dict[str, int]:
    messages = [m for m in reportstore.flow_messages(store) if m.parent_status == "live"]
    recipients = reportstore.demo_recipients(store, 3000)
    with store.write() as conn:
        if store.kv_get(SEEDED_KEY) or not messages or not recipients:
            return {"flow_events": 0}
        stream = flow_event_stream(
            message_metric_ids(conn), messages, recipients, end=datetime.now(UTC), days=days, seed=seed
        )
        inserted = eventstore.bulk_insert_events(conn, stream)
        store.kv_set(SEEDED_KEY, True)
    return {"flow_events": inserted}
