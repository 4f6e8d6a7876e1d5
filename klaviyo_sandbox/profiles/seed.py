"""Demo profiles and lists: a believable store (a few thousand customers, four lists) for a first run.

Deterministic for a given `seed` (ids included), and idempotent (INSERT OR IGNORE on fixed ids), so seeding
twice adds nothing. Consent appears only where a demo customer "subscribed"; list members follow the lists'
meaning (newsletter = email subscribers, SMS = sms subscribers, VIP = big spenders, win-back = lapsed buyers).
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.lists import store as liststore
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.seed import seeder

FIRST = (  # noqa: SIM905 - word lists read better as one string
    "Olivia Liam Emma Noah Ava Elijah Sophia James Isabella Lucas Mia Mateo Amelia Ethan Harper Levi "
    "Evelyn Aiden Abigail Daniel Emily Henry Ella Jackson Chloe Sebastian Grace Wei Priya Aaliyah Omar "
    "Yuki Sofia Diego Fatima Hiroshi Ingrid Kwame Lena Marco Nadia Rafael Zoe"
).split()
LAST = (  # noqa: SIM905 - word lists read better as one string
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Clark Lewis Walker "
    "Young Allen King Nguyen Patel Kim Chen Okafor Rossi Schmidt Dubois Tanaka Silva"
).split()
DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "shop.example")
CITIES = (
    ("New York", "NY", "United States", "10001", "America/New_York"),
    ("Boston", "MA", "United States", "02108", "America/New_York"),
    ("Chicago", "IL", "United States", "60601", "America/Chicago"),
    ("Austin", "TX", "United States", "73301", "America/Chicago"),
    ("Denver", "CO", "United States", "80202", "America/Denver"),
    ("Seattle", "WA", "United States", "98101", "America/Los_Angeles"),
    ("San Francisco", "CA", "United States", "94103", "America/Los_Angeles"),
    ("Toronto", "ON", "Canada", "M5H 2N2", "America/Toronto"),
    ("London", "England", "United Kingdom", "SW1A 1AA", "Europe/London"),
    ("Berlin", "Berlin", "Germany", "10115", "Europe/Berlin"),
)
SOURCES = ("Checkout", "Pop-up form", "Footer form", "Instagram giveaway", "In-store", "Wholesale")
CATEGORIES = ("Coffee", "Tea", "Brewing gear", "Gift cards", "Subscriptions")
LISTS: tuple[tuple[str, str], ...] = (
    ("Email Newsletter", "single_opt_in"),
    ("SMS Subscribers", "single_opt_in"),
    ("VIP Customers", "double_opt_in"),
    ("Win-back Targets", "single_opt_in"),
)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ulid(rng: random.Random, ms: int) -> str:
    value = (ms << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _person(rng: random.Random, i: int, now_ms: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, region, country, zip_code, tz = rng.choice(CITIES)
    orders = max(0, int(rng.expovariate(1 / 3)))
    created_ms = now_ms - rng.randint(1, 730) * 86_400_000 - rng.randint(0, 86_399_999)
    return {
        "id": _ulid(rng, created_ms),
        "email": f"{first}.{last}{i}@{rng.choice(DOMAINS)}".lower(),
        "phone_number": f"+1555{rng.randint(0, 9_999_999):07d}" if rng.random() < 0.45 else None,
        "external_id": f"cust-{100000 + i}" if rng.random() < 0.7 else None,
        "created_ms": created_ms,
        "email_ok": rng.random() < 0.62,
        "sms_ok": rng.random() < 0.4,
        "attributes": {
            "first_name": first,
            "last_name": last,
            "locale": "en-US" if country in ("United States", "Canada") else "en-GB",
            "location": {"city": city, "region": region, "country": country, "zip": zip_code, "timezone": tz},
            "properties": {
                "signup_source": rng.choice(SOURCES),
                "favorite_category": rng.choice(CATEGORIES),
                "orders_count": orders,
                "lifetime_value": round(orders * rng.uniform(18, 95), 2),
                "loyalty_member": rng.random() < 0.3,
            },
        },
    }


def _subscriptions(person: dict[str, Any], stamp: str) -> dict[str, Any]:
    subs: dict[str, Any] = {}
    consent = {"consent": "SUBSCRIBED", "consent_timestamp": stamp, "last_updated": stamp, "method": "FORM"}
    if person["email_ok"]:
        subs["email"] = {"marketing": consent}
    if person["sms_ok"] and person["phone_number"]:
        subs["sms"] = {"marketing": consent}
    return subs


def _members(name: str, person: dict[str, Any], now_ms: int) -> bool:
    props = person["attributes"]["properties"]
    if name == "Email Newsletter":
        return bool(person["email_ok"])
    if name == "SMS Subscribers":
        return bool(person["sms_ok"] and person["phone_number"])
    if name == "VIP Customers":
        return bool(props["lifetime_value"] >= 400)
    return bool(props["orders_count"] >= 1 and now_ms - person["created_ms"] > 365 * 86_400_000)


@seeder("profiles")
def seed_profiles(store: Store, profiles: int = 3000, seed: int = 7, **_: Any) -> dict[str, int]:
    rng = random.Random(seed)
    anchor = timeutil.now().replace(hour=0, minute=0, second=0, microsecond=0)
    now_ms = int(anchor.timestamp() * 1000)
    people = [_person(rng, i, now_ms) for i in range(profiles)]
    list_ids = ["".join(rng.choice(_CROCKFORD) for _ in range(6)) for _ in LISTS]
    rows, members = [], []
    for p in people:
        created = timeutil.iso(anchor - timedelta(milliseconds=now_ms - p["created_ms"]))
        subs = json.dumps(_subscriptions(p, created))
        rows.append(
            (
                p["id"],
                p["email"],
                p["phone_number"],
                p["external_id"],
                json.dumps(p["attributes"]),
                subs,
                created,
                created,
            )
        )
        members += [
            (lid, p["id"], created) for lid, (name, _) in zip(list_ids, LISTS, strict=True) if _members(name, p, now_ms)
        ]
    stamp = timeutil.iso(anchor - timedelta(days=800))
    with store.write() as conn:
        liststore.insert_seed_lists(
            conn, [(lid, name, opt_in, stamp) for lid, (name, opt_in) in zip(list_ids, LISTS, strict=True)]
        )
        added = profilestore.insert_seed_profiles(conn, rows)
        profilestore.insert_seed_members(conn, members)
    return {"profiles": added, "lists": len(LISTS), "list_members": len(members)}
