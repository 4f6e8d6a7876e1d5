"""Historical events from a CSV against a real sandbox: validation per row, backfill for old rows, unique ids
from a column (or the row) so a re-run adds nothing, a per-row report, LIVE confirmation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from klaviyo_core.accounts import confirm_live, identify
from klaviyo_core.events import ImportColumns, LiveSendNotConfirmed, import_bodies, import_events, plan_import
from klaviyo_core.events.historical import write_report
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY
from tests.spec_validation import request_errors, require_spec

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ORDERS = (
    "order_id,email,time,value,value_currency,Item\n"
    "o-1,a@example.com,2025-03-01T14:30:00+01:00,12.5,EUR,Tote\n"
    "o-2,a@example.com,2026-12-06T08:00:00Z,30,EUR,Mug\n"
    "o-3,b@example.com,2025-04-01T09:00:00-05:00,8,USD,Pen\n"
)
BY_ORDER = ImportColumns(metric="Placed Order", unique_id_column="order_id")


def make(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def stored(sandbox: SandboxServer, client: KlaviyoClient) -> list[dict[str, Any]]:
    requests.post(f"{sandbox.url}/__sandbox/jobs/wait", json={"timeout": 20}, headers=ADMIN_HEADERS, timeout=30)
    return list(client.iter_resources("/api/events", {"page[size]": "1000"}))


def test_rows_become_events_with_backfill_for_the_old_ones() -> None:
    require_spec()
    plan = plan_import(ORDERS, BY_ORDER, now=NOW)
    assert plan.errors == [] and plan.rows == [1, 2, 3] and plan.recent == 1
    first = plan.events[0]
    assert first.unique_id == "o-1" and first.time.isoformat() == "2025-03-01T13:30:00+00:00"
    assert first.value == 12.5 and first.properties == {"order_id": "o-1", "Item": "Tote"}
    [body] = import_bodies(plan)
    entries = body["data"]["attributes"]["events-bulk-create"]["data"]
    flags = [(e["attributes"]["profile"]["data"]["attributes"]["email"], e["attributes"]["backfill"]) for e in entries]
    assert flags == [("a@example.com", True), ("a@example.com", False), ("b@example.com", True)]
    assert request_errors("POST", "/api/event-bulk-create-jobs", body) == []


def test_bad_rows_are_reported_before_anything_is_sent() -> None:
    text = (
        "kind,email,time,unique_id\n"
        "Placed Order,a@example.com,2025-03-01T14:30:00,u-1\n"
        "Placed Order,,2025-03-01T14:30:00Z,u-2\n"
        "Placed Order,a@example.com,2025-03-01T14:30:00Z,\n"
        "Placed Order,a@example.com,2025-03-01T14:30:00Z,u-3\n"
        "Placed Order,a@example.com,2025-03-02T14:30:00Z,u-3\n"
    )
    plan = plan_import(text, ImportColumns(metric_column="kind"), now=NOW)
    assert [(e.row, e.field) for e in plan.errors] == [(1, "time"), (2, "profile"), (3, "unique_id"), (5, "unique_id")]
    assert "time zone" in plan.errors[0].message and plan.rows == [4]
    assert plan_import(text, ImportColumns(), now=NOW).errors[0].field == "metric"
    assert plan_import(text, ImportColumns(metric_column="nope"), now=NOW).errors[0].message.startswith("The file has")
    assert plan_import("time\n2025-01-01Z\n", ImportColumns(metric="X")).errors[0].field == "profile"


def test_without_an_id_column_the_row_gives_a_stable_unique_id() -> None:
    text = "email,time\na@example.com,2025-03-01T14:30:00Z\nb@example.com,2025-03-01T14:30:00Z\n"
    one, two = (plan_import(text, ImportColumns(metric="Viewed"), now=NOW) for _ in range(2))
    assert [e.unique_id for e in one.events] == [e.unique_id for e in two.events]
    assert len({e.unique_id for e in one.events}) == 2


def test_import_stores_every_row_and_a_rerun_adds_nothing(sandbox: SandboxServer, tmp_path: Path) -> None:
    client = make(sandbox)
    plan = plan_import(ORDERS, BY_ORDER)
    result = import_events(client, plan)
    assert result.ok and result.accepted_events == 3 and result.row_status == {1: "sent", 2: "sent", 3: "sent"}
    assert len(stored(sandbox, client)) == 3
    again = import_events(client, plan_import(ORDERS, BY_ORDER))
    assert again.ok and len(stored(sandbox, client)) == 3
    report = write_report(tmp_path / "report.csv", result.row_status)
    assert report.read_text().splitlines() == ["row,status,note", "1,sent,", "2,sent,", "3,sent,"]


def test_live_import_needs_a_fresh_confirmation(sandbox: SandboxServer) -> None:
    client = make(sandbox)
    target = identify(client, "Acme", marked_live=True)
    plan = plan_import(ORDERS, BY_ORDER)
    with pytest.raises(LiveSendNotConfirmed):
        import_events(client, plan, target=target)
    token = confirm_live(target, "load 3 historical events", "Acme")
    assert import_events(client, plan, target=target, confirmation=token).accepted_events == 3
