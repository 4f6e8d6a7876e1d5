"""Flow values, flow series and segment values over the demo data: spec-valid (the sandbox fixture checks every
answer against the spec), non-empty, equal to a recount of the raw events, and filtered as the spec says."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from klaviyo_sandbox.segments import store as segmentstore
from tests.sandbox.engine.helpers import call, error_code
from tests.sandbox.events.test_events import event_body

STATS = ["recipients", "delivered", "opens_unique", "open_rate", "conversions", "conversion_value"]
LAST_90 = {"key": "last_90_days"}


@pytest.fixture
def demo(sandbox: SandboxServer) -> SandboxServer:
    seed_demo(sandbox.app.store, profiles=400)
    return sandbox


def _order_metric(sandbox: SandboxServer) -> str:
    metrics = call(sandbox.url, "GET", "/api/metrics").json()["data"]
    return str(next(m["id"] for m in metrics if m["attributes"]["name"] == "Placed Order"))


def _post(sandbox: SandboxServer, kind: str, **attrs: Any) -> requests.Response:
    body = {"data": {"type": f"{kind}-report", "attributes": attrs}}
    return call(sandbox.url, "POST", f"/api/{kind}-reports", body)


def _flow(sandbox: SandboxServer, kind: str = "flow-values", **attrs: Any) -> requests.Response:
    attrs = {"statistics": STATS, "timeframe": LAST_90, "conversion_metric_id": _order_metric(sandbox)} | attrs
    return _post(sandbox, kind, **attrs)


def _recount(sandbox: SandboxServer, metric: str, prop: str, message_id: str) -> list[tuple[str, float]]:
    """(profile, value) of every `metric` event whose `prop` names the message, straight from the table."""
    with sandbox.app.store.read() as conn:
        rows = conn.execute(
            "SELECT e.profile_id, e.value, e.properties FROM events e JOIN metrics m ON m.id = e.metric_id "
            "WHERE m.name = ?",
            (metric,),
        ).fetchall()
    return [(r[0], r[1] or 0.0) for r in rows if json.loads(r[2]).get(prop) == message_id]


def _everything(sandbox: SandboxServer) -> dict[str, str]:
    """A custom range holding all the demo's 90 days whenever it was seeded: `last_90_days` moves with the clock,
    so an event seeded at its edge falls out of it minutes later, while the recount reads every event."""
    local_now = datetime.now(ZoneInfo(sandbox.app.config.account_timezone)).replace(tzinfo=None, microsecond=0)
    return {"start": (local_now - timedelta(days=120)).isoformat(), "end": (local_now + timedelta(hours=1)).isoformat()}


def test_flow_values_match_a_recount_of_the_raw_events(demo: SandboxServer) -> None:
    groups = ["flow_id", "flow_message_id", "flow_name", "flow_message_name", "send_channel"]
    resp = _flow(demo, group_by=groups, timeframe=_everything(demo))
    assert resp.status_code == 200
    doc = resp.json()["data"]
    results = doc["attributes"]["results"]
    names = {r["groupings"]["flow_name"] for r in results}
    assert names == {"Welcome Series", "Abandoned Cart", "Post-Purchase Thank You", "Back in Stock"}  # live flows
    assert {f["id"] for f in doc["relationships"]["flows"]["data"]} == {r["groupings"]["flow_id"] for r in results}
    cart = next(r for r in results if r["groupings"]["flow_name"] == "Abandoned Cart")
    message_id, stats = cart["groupings"]["flow_message_id"], cart["statistics"]
    assert cart["groupings"]["flow_message_name"] == "Abandoned Cart email"
    opens = _recount(demo, "Opened Email", "$message", message_id)
    orders = _recount(demo, "Placed Order", "$attributed_message", message_id)
    assert stats["opens_unique"] == len({p for p, _ in opens}) > 0
    assert stats["conversion_value"] == pytest.approx(sum(v for _, v in orders)) and orders
    assert stats["open_rate"] == pytest.approx(stats["opens_unique"] / stats["delivered"], abs=1e-4)
    assert list(stats) == STATS


def test_weekly_series_adds_up_to_the_values_of_the_same_timeframe(demo: SandboxServer) -> None:
    values = _flow(demo).json()["data"]["attributes"]["results"]
    series = _flow(demo, "flow-series", interval="weekly").json()["data"]["attributes"]
    assert len(series["date_times"]) == 13  # 90 days from the range's start: 12 full weeks and a part
    assert series["date_times"] == sorted(series["date_times"])
    by_message = {r["groupings"]["flow_message_id"]: r["statistics"] for r in series["results"]}
    assert len(by_message) == len(values) > 0
    for row in values:
        points = by_message[row["groupings"]["flow_message_id"]]
        assert all(len(points[s]) == 13 for s in STATS)
        assert sum(points["recipients"]) == row["statistics"]["recipients"]
        assert sum(points["conversion_value"]) == pytest.approx(row["statistics"]["conversion_value"])


def test_filters_keep_what_they_name_and_are_shared_with_campaigns(demo: SandboxServer) -> None:
    only = _flow(demo, filter='and(equals(flow_name,"Abandoned Cart"),contains-any(send_channel,["email"]))')
    assert [r["groupings"]["flow_id"] for r in only.json()["data"]["attributes"]["results"]] != []
    assert len(only.json()["data"]["attributes"]["results"]) == 1
    assert _flow(demo, filter='equals(send_channel,"sms")').json()["data"]["attributes"]["results"] == []
    campaigns = _post(
        demo,
        "campaign-values",
        statistics=["recipients"],
        timeframe=LAST_90,
        conversion_metric_id=_order_metric(demo),
        filter='contains-any(send_channel,["sms"])',
    ).json()["data"]["attributes"]["results"]
    assert campaigns and {r["groupings"]["send_channel"] for r in campaigns} == {"sms"}


@pytest.mark.parametrize(
    ("kind", "attrs", "pointer"),
    [
        ("flow-values", {"group_by": ["flow_id"]}, "/data/attributes/group_by"),
        ("flow-values", {"group_by": ["flow_id", "flow_message_id", "campaign_id"]}, "/data/attributes/group_by"),
        ("flow-values", {"filter": 'or(equals(flow_id,"a"),equals(flow_id,"b"))'}, "/data/attributes/filter"),
        ("flow-values", {"filter": 'equals(flow_id,"a"),equals(flow_id,"b")'}, "/data/attributes/filter"),
        ("flow-values", {"filter": 'equals(send_channel,"fax")'}, "/data/attributes/filter"),
        ("flow-values", {"filter": 'greater-than(flow_id,"a")'}, "/data/attributes/filter"),
        ("flow-values", {"conversion_metric_id": None}, "/data/attributes/conversion_metric_id"),
        ("flow-series", {}, "/data/attributes/interval"),
        ("flow-series", {"interval": "daily"}, "/data/attributes/interval"),  # 90 days > 60
        ("flow-series", {"interval": "hourly", "timeframe": {"key": "last_30_days"}}, "/data/attributes/interval"),
    ],
)
def test_bad_flow_requests_name_the_member_to_fix(
    demo: SandboxServer, kind: str, attrs: dict[str, Any], pointer: str
) -> None:
    resp = _flow(demo, kind, **attrs)
    assert resp.status_code == 400 and error_code(resp) == "invalid"
    assert resp.json()["errors"][0]["source"]["pointer"] == pointer


def test_segment_values_count_members_and_follow_the_filter(demo: SandboxServer) -> None:
    resp = _post(
        demo, "segment-values", statistics=["total_members", "members_added", "net_members_changed"], timeframe=LAST_90
    )
    results = resp.json()["data"]["attributes"]["results"]
    assert resp.status_code == 200 and len(results) == 5
    for row in results:
        stats = row["statistics"]
        assert stats["total_members"] == segmentstore.member_count(demo.app.store, row["groupings"]["segment_id"])
        assert 0 <= stats["members_added"] == stats["net_members_changed"] <= stats["total_members"]
    assert any(r["statistics"]["total_members"] > 0 for r in results)
    first = results[0]["groupings"]["segment_id"]
    picked = _post(
        demo, "segment-values", statistics=["members_removed"], timeframe=LAST_90, filter=f'any(segment_id,["{first}"])'
    )
    assert picked.json()["data"]["attributes"]["results"] == [
        {"groupings": {"segment_id": first}, "statistics": {"members_removed": 0}}
    ]
    missing = _post(demo, "segment-values", timeframe=LAST_90)
    assert (
        missing.status_code == 400 and missing.json()["errors"][0]["source"]["pointer"] == "/data/attributes/statistics"
    )


def test_an_event_sent_after_a_report_counts_in_the_next_one(demo: SandboxServer) -> None:
    """The reports' own index of message events catches up with events stored through the API."""
    before = _flow(demo, filter='equals(flow_name,"Welcome Series")').json()["data"]["attributes"]["results"][0]
    message_id = before["groupings"]["flow_message_id"]
    body = event_body(
        metric="Opened Email",
        profile={"email": "late-opener@example.com"},
        properties={"$message": message_id, "$flow": before["groupings"]["flow_id"]},
    )
    assert call(demo.url, "POST", "/api/events", body).status_code == 202
    after = _flow(demo, filter='equals(flow_name,"Welcome Series")').json()["data"]["attributes"]["results"][0]
    assert after["statistics"]["opens_unique"] == before["statistics"]["opens_unique"] + 1


def test_tag_filters_keep_the_messages_of_tagged_campaigns(demo: SandboxServer) -> None:
    def campaigns(**attrs: Any) -> list[dict[str, Any]]:
        body = {"statistics": ["recipients"], "timeframe": LAST_90, "conversion_metric_id": _order_metric(demo)}
        return list(_post(demo, "campaign-values", **body, **attrs).json()["data"]["attributes"]["results"])

    every = {r["groupings"]["campaign_id"] for r in campaigns()}
    tags = {
        cid: {t["attributes"]["name"] for t in call(demo.url, "GET", f"/api/campaigns/{cid}/tags").json()["data"]}
        for cid in every
    }
    name = next(iter(sorted(set().union(*tags.values()))))  # a tag some sent demo campaign carries
    tagged = {cid for cid, names in tags.items() if name in names}
    kept = campaigns(filter=f'contains-any(tag_name,["{name}","no such tag"])')
    assert {r["groupings"]["campaign_id"] for r in kept} == tagged
    assert campaigns(filter=f'contains-all(tag_name,["{name}","no such tag"])') == []
    refused = _post(
        demo,
        "campaign-values",
        statistics=["recipients"],
        timeframe=LAST_90,
        conversion_metric_id=_order_metric(demo),
        filter=f'equals(tag_name,"{name}")',
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["source"]["pointer"] == "/data/attributes/filter"
