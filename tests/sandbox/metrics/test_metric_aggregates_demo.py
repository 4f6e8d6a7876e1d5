"""The demo store: 90 days of a believable storefront funnel that the aggregates endpoint can chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.events.demo import FUNNEL, seed_demo_events
from tests.conftest import ADMIN_HEADERS
from tests.sandbox.engine.helpers import call


def _metric_ids(sandbox: SandboxServer) -> dict[str, str]:
    with sandbox.app.store.read() as conn:
        return {name: mid for mid, name in conn.execute("SELECT id, name FROM metrics").fetchall()}


def _daily(sandbox: SandboxServer, metric_id: str, measurements: list[str]) -> dict:
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    start = end - timedelta(days=100)
    body = {
        "data": {
            "type": "metric-aggregate",
            "attributes": {
                "metric_id": metric_id,
                "measurements": measurements,
                "interval": "day",
                "timezone": "America/New_York",
                "filter": [
                    f"greater-or-equal(datetime,{start.isoformat().replace('+00:00', 'Z')})",
                    f"less-than(datetime,{end.isoformat().replace('+00:00', 'Z')})",
                ],
            },
        }
    }
    resp = call(sandbox.url, "POST", "/api/metric-aggregates", body)
    assert resp.status_code == 200, resp.text[:300]
    return resp.json()["data"]["attributes"]


def test_admin_seed_creates_a_funnel_with_weekly_seasonality(sandbox: SandboxServer) -> None:
    resp = requests_seed(sandbox)
    assert resp["demo_events"]["profiles"] == 3000 and resp["demo_events"]["events"] > 40_000
    ids = _metric_ids(sandbox)
    assert set(FUNNEL) <= set(ids)
    totals = {name: sum(_daily(sandbox, ids[name], ["count"])["data"][0]["measurements"]["count"]) for name in FUNNEL}
    assert (
        totals["Viewed Product"] > totals["Added to Cart"] > totals["Started Checkout"] > totals["Placed Order"] > 500
    )
    orders = _daily(sandbox, ids["Placed Order"], ["count", "sum_value", "unique"])
    measured = orders["data"][0]["measurements"]
    assert sum(1 for c in measured["count"] if c) >= 88  # 90 days of orders, every day has some
    assert sum(measured["sum_value"]) > 50 * sum(measured["count"])  # orders carry revenue
    views = _daily(sandbox, ids["Viewed Product"], ["count"])
    by_weekday: dict[int, list[float]] = {}
    for day, count in zip(views["dates"], views["data"][0]["measurements"]["count"], strict=True):
        if count:
            by_weekday.setdefault(datetime.fromisoformat(day).weekday(), []).append(count)
    weekend = (sum(by_weekday[5]) / len(by_weekday[5]) + sum(by_weekday[6]) / len(by_weekday[6])) / 2
    weekday = sum(sum(by_weekday[d]) / len(by_weekday[d]) for d in range(5)) / 5
    assert weekend > 1.15 * weekday


def test_demo_events_seeder_is_idempotent(sandbox: SandboxServer) -> None:
    first = seed_demo_events(sandbox.app.store, days=3, profiles=50, sessions_per_day=30)
    assert first["events"] > 0
    assert seed_demo_events(sandbox.app.store, days=3, profiles=50, sessions_per_day=30) == {"profiles": 0, "events": 0}
    with sandbox.app.store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == first["events"]
        assert conn.execute("SELECT COUNT(*) FROM profiles").fetchone()[0] == 50


def requests_seed(sandbox: SandboxServer) -> dict:
    import requests

    resp = requests.post(f"{sandbox.url}/__sandbox/seed", json={}, headers=ADMIN_HEADERS, timeout=60)
    assert resp.status_code == 200, resp.text[:300]
    return resp.json()["seeded"]
