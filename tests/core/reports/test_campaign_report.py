"""The campaigns report against the sandbox's demo data: one batched call, cached with its age, budgeted."""

from __future__ import annotations

from pathlib import Path

import pytest

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core import metrics as metrics_core
from klaviyo_core.reports import (
    CAMPAIGN_COLUMNS,
    CAMPAIGN_VALUES_PATH,
    BudgetExhaustedError,
    ReportingBudget,
    campaign_report,
    campaign_request,
)
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY
from tests.spec_validation import request_errors


def report_calls(sandbox: SandboxServer) -> int:
    return sum(n for (op, _), n in sandbox.app.counts.items() if op == "query_campaign_values")


@pytest.fixture
def demo_client(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> KlaviyoClient:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))  # its own budget and cache
    seed_demo(sandbox.app.store)
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def _placed_order(client: KlaviyoClient) -> str:
    return next(m.id for m in metrics_core.list_metrics(client) if m.name == "Placed Order")


def test_the_request_is_spec_valid_and_batches_every_statistic() -> None:
    body = campaign_request("last_30_days", "M123")
    assert request_errors("POST", CAMPAIGN_VALUES_PATH, body) == []
    assert set(body["data"]["attributes"]["statistics"]) <= set(CAMPAIGN_COLUMNS)


def test_one_call_then_the_cache_and_the_budget_counts_only_real_calls(
    sandbox: SandboxServer, demo_client: KlaviyoClient
) -> None:
    metric = _placed_order(demo_client)
    first = campaign_report(demo_client, "AcctReport", "last_30_days", metric)
    assert report_calls(sandbox) == 1 and not first.from_cache
    assert list(first.frame.columns) == list(CAMPAIGN_COLUMNS) and len(first.frame) == 4
    assert "Summer Sale Launch" in set(first.frame["campaign"])  # names joined from the campaigns read
    assert first.budget.used == 1
    again = campaign_report(demo_client, "AcctReport", "last_30_days", metric)
    assert report_calls(sandbox) == 1 and again.from_cache and again.budget.used == 1
    assert again.frame.equals(first.frame) and "fetched" in again.cached.describe_age()
    fresh = campaign_report(demo_client, "AcctReport", "last_30_days", metric, refresh=True)
    assert report_calls(sandbox) == 2 and fresh.budget.used == 2


def test_a_spent_budget_refuses_before_calling(sandbox: SandboxServer, demo_client: KlaviyoClient) -> None:
    metric = _placed_order(demo_client)
    budget = ReportingBudget("AcctSpent")
    for _ in range(budget.limit):
        budget.spend()
    with pytest.raises(BudgetExhaustedError, match="No reporting calls left"):
        campaign_report(demo_client, "AcctSpent", "last_7_days", metric)
    assert report_calls(sandbox) == 0


def test_an_unknown_timeframe_is_refused_with_the_choices(demo_client: KlaviyoClient) -> None:
    with pytest.raises(ValueError, match="last_30_days"):
        campaign_report(demo_client, "AcctX", "fortnight", "M")
