"""Flow and segment reports against the sandbox's demo data: one batched call each, cached, budgeted, named."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core import metrics as metrics_core
from klaviyo_core.csvfile import frame_csv
from klaviyo_core.reports import (
    FLOW_COLUMNS,
    FLOW_MESSAGE_COLUMNS,
    FLOW_SERIES_PATH,
    FLOW_VALUES_PATH,
    SEGMENT_COLUMNS,
    SEGMENT_VALUES_PATH,
    cached_flow_report,
    flow_report,
    flow_request,
    flows_table,
    forget_names,
    segment_report,
    segment_request,
)
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY
from tests.spec_validation import request_errors

LIVE_FLOWS = {"Welcome Series", "Abandoned Cart", "Post-Purchase Thank You", "Back in Stock"}


def calls(sandbox: SandboxServer, operation: str) -> int:
    return sum(n for (op, _), n in sandbox.app.counts.items() if op == operation)


@pytest.fixture
def demo_client(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[KlaviyoClient]:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))  # its own budget and cache
    seed_demo(sandbox.app.store, profiles=300)
    forget_names()
    yield KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    forget_names()


def _placed_order(client: KlaviyoClient) -> str:
    return next(m.id for m in metrics_core.list_metrics(client) if m.name == "Placed Order")


def test_the_requests_are_spec_valid() -> None:
    assert request_errors("POST", FLOW_VALUES_PATH, flow_request("last_30_days", "M1")) == []
    assert request_errors("POST", FLOW_SERIES_PATH, flow_request("last_30_days", "M1", "weekly")) == []
    assert request_errors("POST", SEGMENT_VALUES_PATH, segment_request("last_30_days")) == []
    with pytest.raises(ValueError, match="weekly"):
        flow_request("last_30_days", "M1", "fortnightly")


def test_flow_values_one_call_then_the_cache_named_and_summed_per_flow(
    sandbox: SandboxServer, demo_client: KlaviyoClient
) -> None:
    metric = _placed_order(demo_client)
    assert cached_flow_report(demo_client, "AcctFlows", "last_30_days", metric) is None
    first = flow_report(demo_client, "AcctFlows", "last_30_days", metric)
    assert calls(sandbox, "query_flow_values") == 1 and not first.from_cache and first.budget.used == 1
    assert list(first.frame.columns) == list(FLOW_MESSAGE_COLUMNS)
    assert set(first.frame["flow"]) == LIVE_FLOWS  # names joined from GET /api/flows
    assert "Abandoned Cart email" in set(first.frame["message"])  # the report's flow_message_name grouping
    tags = dict(zip(first.frame["flow"], first.frame["tags"], strict=True))
    assert tags["Abandoned Cart"] == "Retention" and tags["Back in Stock"] == ""  # the demo's tag links
    again = cached_flow_report(demo_client, "AcctFlows", "last_30_days", metric)
    assert again is not None and again.from_cache and again.frame.equals(first.frame)
    assert calls(sandbox, "query_flow_values") == 1

    table = flows_table(first.frame)
    assert list(table.columns) == list(FLOW_COLUMNS) and set(table["flow"]) == LIVE_FLOWS
    cart = table[table["flow"] == "Abandoned Cart"].iloc[0]
    cart_messages = first.frame[first.frame["flow"] == "Abandoned Cart"]
    assert cart["recipients"] == cart_messages["recipients"].sum() > 0
    assert cart["open_rate"] == pytest.approx(cart["opens_unique"] / cart["delivered"], abs=1e-4)
    assert list(table["conversion_value"]) == sorted(table["conversion_value"], reverse=True)

    csv = pd.read_csv(io.StringIO(frame_csv(table)))
    assert list(csv.columns) == list(FLOW_COLUMNS) and len(csv) == len(table)


def test_weekly_series_has_a_row_per_message_and_week(sandbox: SandboxServer, demo_client: KlaviyoClient) -> None:
    metric = _placed_order(demo_client)
    values = flow_report(demo_client, "AcctSeries", "last_90_days", metric).frame
    series = flow_report(demo_client, "AcctSeries", "last_90_days", metric, interval="weekly")
    assert calls(sandbox, "query_flow_series") == 1 and series.budget.used == 2
    frame = series.frame
    assert len(frame) == len(values) * 13 and frame["date"].nunique() == 13
    totals = frame.groupby("flow_message_id")["recipients"].sum()
    assert totals.to_dict() == values.set_index("flow_message_id")["recipients"].to_dict()


def test_segment_report_names_every_segment(sandbox: SandboxServer, demo_client: KlaviyoClient) -> None:
    report = segment_report(demo_client, "AcctSeg", "last_30_days")
    assert calls(sandbox, "query_segment_values") == 1
    assert list(report.frame.columns) == list(SEGMENT_COLUMNS) and "VIP customers" in set(report.frame["segment"])
    assert (report.frame["total_members"] >= report.frame["members_added"]).all()
