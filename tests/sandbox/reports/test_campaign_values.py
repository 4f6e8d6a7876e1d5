"""`POST /api/campaign-values-reports` over the demo data: spec-valid, non-empty, and equal to a recount."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.sandbox.engine.helpers import call, error_code

STATS = ["recipients", "delivered", "opens_unique", "open_rate", "clicks_unique", "conversion_value", "conversions"]


def _metric_id(sandbox: SandboxServer, name: str) -> str:
    metrics = call(sandbox.url, "GET", "/api/metrics").json()["data"]
    return str(next(m["id"] for m in metrics if m["attributes"]["name"] == name))


def _report(sandbox: SandboxServer, **attrs: Any) -> requests.Response:
    body = {"data": {"type": "campaign-values-report", "attributes": attrs}}
    return call(sandbox.url, "POST", "/api/campaign-values-reports", body)


@pytest.fixture
def demo(sandbox: SandboxServer) -> SandboxServer:
    seed_demo(sandbox.app.store)
    return sandbox


def _recount(sandbox: SandboxServer, message_id: str, metric: str, prop: str = "$message") -> tuple[int, float]:
    """Distinct profiles and summed value of `metric` events naming `message_id`, straight from the table."""
    with sandbox.app.store.read() as conn:
        rows = conn.execute(
            "SELECT e.profile_id, e.value, e.properties FROM events e JOIN metrics m ON m.id = e.metric_id "
            "WHERE m.name = ?",
            (metric,),
        ).fetchall()
    mine = [r for r in rows if json.loads(r[2]).get(prop) == message_id]
    return len({r[0] for r in mine}), sum(r[1] or 0 for r in mine)


def test_demo_campaigns_report_matches_a_recount_of_the_raw_events(demo: SandboxServer) -> None:
    last_30 = _report(
        demo, statistics=STATS, timeframe={"key": "last_30_days"}, conversion_metric_id=_metric_id(demo, "Placed Order")
    )
    assert last_30.status_code == 200 and len(last_30.json()["data"]["attributes"]["results"]) == 4  # includes today
    yesterday = _report(
        demo, statistics=STATS, timeframe={"key": "yesterday"}, conversion_metric_id=_metric_id(demo, "Placed Order")
    )
    assert yesterday.json()["data"]["attributes"]["results"] == []  # the demo campaigns were sent today
    local_now = datetime.now(ZoneInfo(demo.app.config.account_timezone)).replace(tzinfo=None, microsecond=0)
    around_now = {
        "start": (local_now - timedelta(hours=2)).isoformat(),
        "end": (local_now + timedelta(hours=1)).isoformat(),
    }
    resp = _report(demo, statistics=STATS, timeframe=around_now, conversion_metric_id=_metric_id(demo, "Placed Order"))
    doc = resp.json()["data"]
    results = doc["attributes"]["results"]
    assert len(results) == 4  # the four sent demo campaigns (three email, one SMS)
    assert {r["groupings"]["send_channel"] for r in results} == {"email", "sms"}
    assert {c["id"] for c in doc["relationships"]["campaigns"]["data"]} == {
        r["groupings"]["campaign_id"] for r in results
    }
    email = next(r for r in results if r["groupings"]["send_channel"] == "email")
    message_id, stats = email["groupings"]["campaign_message_id"], email["statistics"]
    opens_unique, _ = _recount(demo, message_id, "Opened Email")
    _, revenue = _recount(demo, message_id, "Placed Order", "$attributed_message")
    assert stats["opens_unique"] == opens_unique > 0
    assert stats["conversion_value"] == pytest.approx(revenue) and revenue > 0
    assert stats["open_rate"] == pytest.approx(opens_unique / stats["delivered"], abs=1e-4)
    assert list(stats) == STATS


@pytest.mark.parametrize(
    ("attrs", "pointer"),
    [
        ({"timeframe": {"key": "today"}, "conversion_metric_id": "X"}, "/data/attributes/statistics"),
        ({"statistics": ["opens"], "timeframe": {"key": "today"}}, "/data/attributes/conversion_metric_id"),
        (
            {"statistics": ["opens"], "conversion_metric_id": "nope", "timeframe": {"key": "today"}},
            "/data/attributes/conversion_metric_id",
        ),
        (
            {"statistics": ["opens"], "conversion_metric_id": "M", "timeframe": {"key": "fortnight"}},
            "/data/attributes/timeframe/key",
        ),
        (
            {
                "statistics": ["opens"],
                "conversion_metric_id": "M",
                "timeframe": {"start": "2024-01-01T00:00:00", "end": "2025-06-01T00:00:00"},
            },
            "/data/attributes/timeframe",
        ),
        (
            {
                "statistics": ["opens"],
                "conversion_metric_id": "M",
                "timeframe": {"start": "2022-01-01T00:00:00", "end": "2023-01-01T00:00:00"},
            },
            "/data/attributes/timeframe",
        ),
        (
            {
                "statistics": ["opens"],
                "conversion_metric_id": "M",
                "timeframe": {"key": "today"},
                "group_by": ["campaign_id"],
            },
            "/data/attributes/group_by",
        ),
    ],
)
def test_bad_requests_name_the_member_to_fix(demo: SandboxServer, attrs: dict[str, Any], pointer: str) -> None:
    if attrs.get("conversion_metric_id") == "M":
        attrs = {**attrs, "conversion_metric_id": _metric_id(demo, "Placed Order")}
    resp = _report(demo, **attrs)
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    assert resp.json()["errors"][0]["source"]["pointer"] == pointer
