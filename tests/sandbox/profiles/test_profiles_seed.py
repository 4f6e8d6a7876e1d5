from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.profiles.seed import seed_profiles
from tests.sandbox.engine.helpers import call
from tests.sandbox.profiles.bulk_helpers import all_pages


def _snapshot(store: Store) -> tuple[list, list, list]:
    with store.read() as conn:
        return (
            [tuple(r) for r in conn.execute("SELECT id, email, phone_number, attributes FROM profiles ORDER BY id")],
            [tuple(r) for r in conn.execute("SELECT id, name FROM lists ORDER BY id")],
            [tuple(r) for r in conn.execute("SELECT list_id, profile_id FROM list_members ORDER BY 1, 2")],
        )


def test_seed_is_deterministic_and_idempotent() -> None:
    first, second = Store(None), Store(None)
    counts = seed_profiles(first, profiles=300, seed=3)
    assert counts["profiles"] == 300 and counts["lists"] == 4 and counts["list_members"] > 100
    seed_profiles(second, profiles=300, seed=3)
    assert _snapshot(first) == _snapshot(second)
    assert seed_profiles(first, profiles=300, seed=3)["profiles"] == 0  # seeding twice adds nothing
    assert _snapshot(first) == _snapshot(second)


def test_seeded_store_serves_believable_profiles(sandbox: SandboxServer) -> None:
    seeded = call(sandbox.url, "POST", "/__sandbox/seed", {"profiles": 400, "seed": 11}).json()["seeded"]
    assert seeded["profiles"]["profiles"] == 400
    lists = {x["attributes"]["name"]: x["id"] for x in call(sandbox.url, "GET", "/api/lists").json()["data"]}
    assert set(lists) == {"Email Newsletter", "SMS Subscribers", "VIP Customers", "Win-back Targets"}
    sms = all_pages(
        sandbox.url,
        f"/api/lists/{lists['SMS Subscribers']}/profiles",
        **{"additional-fields[profile]": "subscriptions"},
    )
    assert sms and all(p["attributes"]["phone_number"].startswith("+1555") for p in sms)
    assert all(p["attributes"]["subscriptions"]["sms"]["marketing"]["consent"] == "SUBSCRIBED" for p in sms)
    # (other seeders add profiles of their own; the list members are this seeder's)
    page = call(sandbox.url, "GET", f"/api/lists/{lists['Email Newsletter']}/profiles", params={"page[size]": "100"})
    assert all(p["attributes"]["first_name"] and p["attributes"]["location"]["city"] for p in page.json()["data"])
