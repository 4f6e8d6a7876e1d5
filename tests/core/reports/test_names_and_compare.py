"""Names joined from the stored campaigns read, the previous-period comparison, and the table's filter/sort/CSV."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core import metrics as metrics_core
from klaviyo_core import reports as core
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY
from tests.core.reports.test_campaign_report import report_calls
from tests.spec_validation import request_errors

NY = "America/New_York"


def campaign_reads(sandbox: SandboxServer) -> int:
    return sum(n for (op, _), n in sandbox.app.counts.items() if op == "get_campaigns")


@pytest.fixture
def demo_client(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> KlaviyoClient:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path / "home"))  # its own budget, caches and names
    seed_demo(sandbox.app.store)
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def placed_order(client: KlaviyoClient) -> str:
    return next(m.id for m in metrics_core.list_metrics(client) if m.name == "Placed Order")


def test_names_are_read_once_with_messages_and_tags_and_kept_on_disk(
    sandbox: SandboxServer, demo_client: KlaviyoClient
) -> None:
    book = core.campaign_names_book(demo_client, "AcctNames")
    reads = campaign_reads(sandbox)
    assert reads == 3  # one paged read per channel: email, sms, mobile_push
    summer = next(c for c in book.campaigns.values() if c["name"] == "Summer Sale Launch")
    assert summer["tags"] == ["Promotional", "Summer"] and summer["channel"] == "email"
    (message_id,) = summer["messages"]
    assert book.messages[message_id]["name"] == "Summer Sale Launch (email)"
    assert {"Promotional", "Summer"} <= set(book.tags)
    flash = next(c for c in book.campaigns.values() if c["name"] == "Flash Sale Alert")
    sms_name = book.messages[flash["messages"][0]]["name"]  # an SMS has no label: its first words
    assert sms_name.startswith("Sandbox Store: Flash Sale Alert!") and len(sms_name) == 60 and sms_name[-1] == "…"
    path = core.names_path("AcctNames")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = core.campaign_names_book(demo_client, "AcctNames")
    assert campaign_reads(sandbox) == reads and again.campaigns == book.campaigns  # from disk: no call
    assert again.describe_age(now=again.fetched_at + 125) == "names read 2 min ago"
    core.campaign_names_book(demo_client, "AcctNames", refresh=True)
    assert campaign_reads(sandbox) == 2 * reads


def test_the_report_is_named_from_the_book_and_unknown_ids_keep_their_id(demo_client: KlaviyoClient) -> None:
    report = core.campaign_report(demo_client, "AcctJoin", "last_30_days", placed_order(demo_client))
    assert list(report.frame.columns) == list(core.CAMPAIGN_COLUMNS)
    row = report.frame.set_index("campaign").loc["Summer Sale Launch"]
    assert (row["message"], row["tags"], row["channel"]) == (
        "Summer Sale Launch (email)",
        "Promotional, Summer",
        "email",
    )
    stranger = pd.DataFrame({"channel": ["sms"], "campaign_id": ["C9"], "campaign_message_id": ["M9"]})
    joined = core.join_names(stranger, core.NameBook())
    assert joined.iloc[0][["campaign", "message", "tags", "channel"]].tolist() == ["C9", "M9", "", "sms"]


@pytest.mark.parametrize(
    ("timeframe", "current", "previous"),
    [
        ("last_30_days", (date(2026, 11, 7), date(2026, 12, 7)), (date(2026, 10, 8), date(2026, 11, 7))),
        ("yesterday", (date(2026, 12, 5), date(2026, 12, 6)), (date(2026, 12, 4), date(2026, 12, 5))),
        ("this_month", (date(2026, 12, 1), date(2026, 12, 7)), (date(2026, 11, 1), date(2026, 11, 7))),
        ("last_month", (date(2026, 11, 1), date(2026, 12, 1)), (date(2026, 10, 1), date(2026, 11, 1))),
        ("last_week", (date(2026, 11, 23), date(2026, 11, 30)), (date(2026, 11, 16), date(2026, 11, 23))),
        ("this_year", (date(2026, 1, 1), date(2026, 12, 7)), (date(2025, 1, 1), date(2025, 12, 7))),
    ],
)
def test_the_previous_period_has_the_same_length(
    timeframe: str, current: tuple[date, date], previous: tuple[date, date]
) -> None:
    today = date(2026, 12, 6)
    assert core.period_days(timeframe, today) == current
    assert core.previous_days(timeframe, today) == previous


def test_the_comparison_request_is_spec_valid_and_refuses_before_the_floor() -> None:
    body = core.previous_request("last_7_days", "M1", NY, datetime(2026, 12, 6, 12, tzinfo=UTC))
    assert request_errors("POST", core.CAMPAIGN_VALUES_PATH, body) == []
    assert body["data"]["attributes"]["timeframe"] == {"start": "2026-11-23T00:00:00", "end": "2026-11-30T00:00:00"}
    with pytest.raises(ValueError, match="nothing before 2023-06-01"):
        core.previous_request("last_365_days", "M1", NY, datetime(2024, 3, 1, tzinfo=UTC))


def test_the_previous_period_costs_one_call_then_comes_from_the_cache(
    sandbox: SandboxServer, demo_client: KlaviyoClient
) -> None:
    body = core.previous_request("last_30_days", placed_order(demo_client), NY, datetime.now(UTC))
    assert core.cached_previous("AcctPrev", body) is None
    first = core.previous_report(demo_client, "AcctPrev", body)
    assert report_calls(sandbox) == 1 and not first.from_cache
    assert core.ReportingBudget("AcctPrev").status().used == 1
    assert (first.last - first.first).days == 29
    again = core.previous_report(demo_client, "AcctPrev", body)
    assert report_calls(sandbox) == 1 and again.from_cache
    assert core.cached_previous("AcctPrev", body) is not None


def frame(rows: list[tuple[str, str, str, int, int, float, float, int, float]]) -> pd.DataFrame:
    columns = ["campaign", "tags", "channel", "recipients", "delivered", "open_rate", "click_rate", "conversions"]
    out = pd.DataFrame([r[:-1] for r in rows], columns=columns).assign(conversion_value=[r[-1] for r in rows])
    out["message"] = out["campaign"]
    return out


def test_totals_weigh_rates_by_delivered_and_rates_change_in_points() -> None:
    now = frame([("A", "", "email", 100, 100, 0.5, 0.1, 2, 50.0), ("B", "", "sms", 300, 300, 0.1, 0.0, 1, 30.0)])
    before = frame([("C", "", "email", 200, 200, 0.2, 0.05, 2, 40.0)])
    totals = core.totals(now)
    assert totals["open_rate"] == pytest.approx((50 + 30) / 400)  # not the mean of 0.5 and 0.1
    assert totals["revenue_per_recipient"] == pytest.approx(80 / 400)
    compared = core.compare_totals(now, before).set_index("statistic")
    assert compared.loc["recipients", "change"] == pytest.approx(1.0)  # 400 vs 200: +100 %
    assert compared.loc["open_rate", "change"] == pytest.approx(0.2 - 0.2)  # points, not percent of a percent
    empty = core.compare_totals(now, before.iloc[0:0])
    assert empty["change"].isna().all()  # nothing before: no ratio, and no rate change in points either


def test_filter_sort_and_the_csv_of_exactly_what_is_shown() -> None:
    table = frame(
        [
            ("Summer", "Promotional, Summer", "email", 100, 100, 0.5, 0.1, 2, 50.0),
            ("=HYPERLINK(1)", "Promotional", "sms", 300, 300, 0.1, 0.0, 1, 90.0),
            ("Welcome", "", "email", 50, 50, 0.6, 0.2, 0, 0.0),
        ]
    )
    assert list(core.filter_campaigns(table, tags=["Summer"])["campaign"]) == ["Summer"]
    assert list(core.filter_campaigns(table, tags=["Promotional"], channels=["sms"])["campaign"]) == ["=HYPERLINK(1)"]
    assert len(core.filter_campaigns(table)) == 3
    by_revenue = core.sort_campaigns(table, "conversion_value")
    assert list(by_revenue["campaign"]) == ["=HYPERLINK(1)", "Summer", "Welcome"]
    assert list(core.sort_campaigns(table, "campaign", descending=False)["campaign"])[-1] == "Welcome"
    with pytest.raises(ValueError, match="Cannot sort"):
        core.sort_campaigns(table, "nope")
    csv = core.table_csv(by_revenue[["campaign", "conversion_value"]])
    assert csv.splitlines() == ["campaign,conversion_value", "'=HYPERLINK(1),90.0", "Summer,50.0", "Welcome,0.0"]


def test_a_campaign_unknown_to_the_stored_names_makes_them_read_again(
    sandbox: SandboxServer, demo_client: KlaviyoClient
) -> None:
    from klaviyo_sandbox.taggables.store import insert_campaign

    book = core.campaign_names_book(demo_client, "AcctNew")
    reads = campaign_reads(sandbox)
    known = next(iter(book.campaigns))
    payload = {"data": {"attributes": {"results": [{"groupings": {"campaign_id": known}}]}}}
    assert core.names_covering(demo_client, "AcctNew", payload) == book and campaign_reads(sandbox) == reads
    created = insert_campaign(sandbox.app.store, "Created Since", "email", "Sent")
    payload["data"]["attributes"]["results"].append({"groupings": {"campaign_id": created}})
    fresh = core.names_covering(demo_client, "AcctNew", payload)
    assert fresh.campaigns[created]["name"] == "Created Since" and campaign_reads(sandbox) == 2 * reads
    assert core.load_names("AcctNew") == fresh  # stored for the next render
