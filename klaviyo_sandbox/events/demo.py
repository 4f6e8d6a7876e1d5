"""Demo shoppers and 90 days of storefront events, so every metric chart has something real on first run.

The funnel is Viewed Product -> Added to Cart -> Started Checkout -> Placed Order, with weekly seasonality
(weekends busier), a gentle growth trend, daytime peaks in the account's timezone, and revenue and items on
orders. It is deterministic for a given `seed` and idempotent: once it has run (a `kv` marker, emptied by
reset), it adds nothing. It writes through `eventstore` (metrics) and a set-based insert with exactly the
`events` columns that `eventstore.insert_events` writes (`eventstore.bulk_insert_events`, also used by the bench),
and creates its own profiles, so it does not depend on any other seeder.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.events import store as eventstore
from klaviyo_sandbox.events.store import NewEvent
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.seed import seeder

SEEDED_KEY = "demo_events_seeded"
SHOPIFY = {"object": "integration", "id": "0eMvjm", "key": "shopify", "name": "Shopify", "category": "eCommerce"}
FUNNEL = ("Viewed Product", "Added to Cart", "Started Checkout", "Placed Order")
CATALOG = (
    ("SKU-1001", "Linen Shirt", "Apparel", 48.0),
    ("SKU-1002", "Canvas Tote", "Accessories", 24.0),
    ("SKU-1003", "Merino Beanie", "Accessories", 32.0),
    ("SKU-1004", "Denim Jacket", "Apparel", 118.0),
    ("SKU-1005", "Trail Sneakers", "Footwear", 96.0),
    ("SKU-1006", "Rain Shell", "Outerwear", 145.0),
    ("SKU-1007", "Wool Socks (3-pack)", "Accessories", 18.0),
    ("SKU-1008", "Chino Shorts", "Apparel", 54.0),
)
FLOWS = (("Abandoned Cart", "XAbCrt", "email"), ("Browse Abandonment", "XBrwAb", "email"), ("Winback", "XWnBck", "sms"))
WEEKDAY_WEIGHT = (0.85, 0.8, 0.85, 0.9, 1.05, 1.3, 1.25)  # Monday .. Sunday
HOUR_WEIGHT = [0.2] * 7 + [0.6, 0.9, 1.0, 1.0, 1.1, 1.3, 1.1, 1.0, 1.0, 1.1, 1.3, 1.6, 1.8, 1.7, 1.3, 0.8, 0.4]
FIRST_NAMES = ("Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Ivy", "Lucas", "Nora", "Owen", "Ruby", "Theo")
LAST_NAMES = ("Reed", "Patel", "Kim", "Garcia", "Nguyen", "Okafor", "Rossi", "Müller", "Silva", "Cohen")


def _demo_profiles(conn: sqlite3.Connection, count: int, rng: random.Random) -> list[str]:
    """Create (or find) `count` demo shoppers in one statement (profiles/store.py's table); returns their ids."""
    stamp = timeutil.iso()
    rows = []
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        attrs = {"first_name": first, "last_name": last, "properties": {"demo": True}}
        rows.append((ids.ulid(), f"shopper{i:05d}@example.com", json.dumps(attrs), stamp, stamp))
    return profilestore.ensure_email_profiles(conn, rows)


def _sessions_on(day: date, index: int, days: int, base: float, rng: random.Random) -> int:
    trend = 0.8 + 0.4 * index / max(days - 1, 1)
    wave = 1 + 0.08 * math.sin(index / 9)
    return max(0, round(base * trend * wave * WEEKDAY_WEIGHT[day.weekday()] * rng.uniform(0.85, 1.15)))


def _order_properties(items: list[tuple[str, str, str, float]], rng: random.Random) -> dict[str, Any]:
    props: dict[str, Any] = {
        "ItemNames": [name for _, name, _, _ in items],
        "Items": [
            {"ProductID": sku, "ProductName": name, "Categories": [cat], "Price": price}
            for sku, name, cat, price in items
        ],
        "Categories": sorted({cat for _, _, cat, _ in items}),
        "ItemCount": len(items),
    }
    if rng.random() < 0.35:
        flow, flow_id, channel = rng.choice(FLOWS)
        props.update({"$attributed_flow": flow_id, "$attributed_channel": channel, "Campaign Name": flow})
    return props


def _session_events(metric_ids: dict[str, str], profile: str, start: int, rng: random.Random) -> Iterator[NewEvent]:
    product = rng.choice(CATALOG)
    sku, name, category, price = product
    view = {
        "ProductID": sku,
        "ProductName": name,
        "Categories": [category],
        "Price": price,
        "URL": f"https://demo-store.example/products/{sku.lower()}",
    }
    yield NewEvent(metric_ids[FUNNEL[0]], profile, start, view, price, "USD", f"v-{profile}-{start}")
    if rng.random() > 0.3:
        return
    t = start + rng.randint(20, 600)
    yield NewEvent(
        metric_ids[FUNNEL[1]], profile, t, {**view, "AddedItemQuantity": 1}, price, "USD", f"a-{profile}-{t}"
    )
    if rng.random() > 0.5:
        return
    items = [product, *rng.sample(CATALOG, rng.choice((0, 0, 1, 2)))]
    total = round(sum(p[3] for p in items), 2)
    t += rng.randint(30, 900)
    yield NewEvent(
        metric_ids[FUNNEL[2]], profile, t, {"ItemNames": [p[1] for p in items]}, total, "USD", f"c-{profile}-{t}"
    )
    if rng.random() > 0.6:
        return
    t += rng.randint(60, 1200)
    yield NewEvent(metric_ids[FUNNEL[3]], profile, t, _order_properties(items, rng), total, "USD", f"o-{profile}-{t}")


def demo_event_stream(
    metric_ids: dict[str, str],
    profiles: list[str],
    *,
    end: datetime,
    days: int,
    sessions_per_day: float,
    timezone: str,
    seed: int,
) -> Iterator[NewEvent]:
    """Events for `days` local days up to `end` (today included, so far), deterministic for `seed`."""
    rng = random.Random(seed)
    zone = ZoneInfo(timezone)
    today = end.astimezone(zone).date()
    cutoff = int(end.timestamp())
    for index in range(days):
        day = today - timedelta(days=days - 1 - index)
        for _ in range(_sessions_on(day, index, days, sessions_per_day, rng)):
            hour = rng.choices(range(24), HOUR_WEIGHT)[0]
            local = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=zone)
            events = _session_events(metric_ids, rng.choice(profiles), int(local.timestamp()), rng)
            yield from (ev for ev in events if ev.ts <= cutoff)  # nothing from the future


def ensure_metrics(conn: sqlite3.Connection) -> dict[str, str]:
    return {name: eventstore.get_or_create_metric(conn, name, SHOPIFY) for name in FUNNEL}


@seeder("demo_events")
def seed_demo_events(
    store: Store,
    *,
    days: int = 90,
    profiles: int = 3000,
    seed: int = 7,
    sessions_per_day: float = 400,
    timezone: str = "America/New_York",
    **_: Any,
) -> dict[str, int]:
    with store.write() as conn:
        if store.kv_get(SEEDED_KEY):  # a marker of its own: other seeders may add events to the same metrics
            return {"profiles": 0, "events": 0}
        metric_ids = ensure_metrics(conn)
        rng = random.Random(seed)
        shoppers = _demo_profiles(conn, profiles, rng)
        stream = demo_event_stream(
            metric_ids,
            shoppers,
            end=datetime.now(UTC),
            days=days,
            sessions_per_day=sessions_per_day,
            timezone=timezone,
            seed=seed,
        )
        inserted = eventstore.bulk_insert_events(conn, stream)
        store.kv_set(SEEDED_KEY, True)
    return {"profiles": len(shoppers), "events": inserted}
