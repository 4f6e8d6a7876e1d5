"""Campaigns & flows: how did my campaigns perform? Inputs -> klaviyo_core.reports -> totals, table, CSV.

Reporting calls are budgeted (225 a day per account), so the page shows cached answers for free and spends a
call only when the user presses a button that says so: one for the period, one more for the comparison with
the period before. Names (campaign, message, tags, channel) come from the campaigns read stored on disk.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.flow_reports import render_flows
from klaviyo_app.ui.report_view import age_caption, budget_text, columns, csv_button
from klaviyo_app.ui.segment_reports import render_segments
from klaviyo_app.ui.text import show_text
from klaviyo_core import KlaviyoClient
from klaviyo_core import metrics as metrics_core
from klaviyo_core import reports as core
from klaviyo_core.accounts import fetch_account

COLUMNS = columns("campaign", "message", "tags", "channel", "recipients", "delivered", "open_rate", "click_rate")
COLUMNS |= columns("conversions", "conversion_value", "revenue_per_recipient")
SORT_LABELS = {key: str(COLUMNS[key]["label"]) for key in core.SORTABLE}


@st.cache_data(ttl=300, show_spinner=False)
def load_setup(target: str, _client: object) -> tuple[str, str, list[metrics_core.MetricInfo]]:
    """The account id (budget and caches are per account), its timezone, and the conversion metric choices."""
    account = fetch_account(_client)  # type: ignore[arg-type]
    return account.id, account.timezone or "UTC", metrics_core.list_metrics(_client)  # type: ignore[arg-type]


def figure(key: str, value: float) -> str:
    if key.endswith("_rate"):
        return f"{value:.1%}"
    if key in ("conversion_value", "revenue_per_recipient"):
        return f"${value:,.2f}"
    return f"{value:,.0f}"


def change_text(key: str, change: float) -> str | None:
    """'+3.1%' for counts, '+1.2 pts' for rates, None when there is nothing to compare with."""
    if math.isnan(change):
        return None
    return f"{change * 100:+.1f} pts" if key.endswith("_rate") else f"{change * 100:+.1f}%"


def named(state_key: str, report: core.CampaignReport, names: core.NameBook) -> pd.DataFrame:
    """The report with the newest names joined (a refresh of either shows at once), kept for this session's
    reruns while neither the report nor the names change: a sort or filter click re-joins nothing."""
    memo_key = f"{state_key}|named"
    memo = st.session_state.get(memo_key)
    if memo is not None and memo[0] is report and memo[1] == names.fetched_at:
        return memo[2]
    frame = core.join_names(report.frame, names)
    st.session_state[memo_key] = (report, names.fetched_at, frame)
    return frame


def campaigns_section(
    client: KlaviyoClient,
    target: str,
    account_id: str,
    timezone: str,
    timeframe: str,
    metric_id: str,
    budget: core.BudgetStatus,
) -> None:
    """The campaigns table with its comparison; returns early (never st.stop) so later sections still render."""
    st.subheader("Campaigns")
    state_key = f"campaign_report|{target}|{timeframe}|{metric_id}"
    with guarded() as fetching:
        names = core.campaign_names_book(client, account_id, refresh=st.button("Refresh names", key="rep_names"))
        report = st.session_state.get(state_key) or core.cached_campaign_report(
            client, account_id, timeframe, metric_id, names=names
        )
        if report is not None:
            st.session_state[state_key] = report  # this session's reruns read the disk no more
        label = "Refresh (uses 1 reporting call)" if report else "Load report (uses 1 reporting call)"
        if st.button(label, key="rep_fetch", disabled=budget.remaining == 0):
            report = core.campaign_report(client, account_id, timeframe, metric_id, refresh=True, names=names)
            st.session_state[state_key] = report
    if fetching.failed or report is None:
        return
    if report.names is not None and report.names.fetched_at > names.fetched_at:
        names = report.names  # the report read them again: it named a campaign created since
    frame = named(state_key, report, names)

    age_caption(report, f"{len(report.frame)} campaign messages; {names.describe_age()}")
    tag_col, channel_col, sort_col, order_col = st.columns([3, 2, 2, 2])
    tags = tag_col.multiselect("Tags", names.tags, key="rep_tags", help="Campaigns carrying any of these tags.")
    channels = channel_col.multiselect("Channel", sorted(set(frame["channel"])), key="rep_channels")
    sort_by = sort_col.selectbox("Sort by", list(SORT_LABELS), format_func=SORT_LABELS.__getitem__, key="rep_sort")
    descending = order_col.toggle("Descending", value=sort_by != "campaign", key="rep_descending")
    filtered = core.filter_campaigns(frame, tags=tags, channels=channels)

    # The comparison: the previous period of equal length, a second (cached) reporting call.
    with guarded() as comparing:
        body = core.previous_request(timeframe, metric_id, timezone, datetime.now(UTC))
        first, last = core.previous_days(timeframe, datetime.now(ZoneInfo(timezone)).date())
        previous_key = f"campaign_previous|{target}|{core.request_key(account_id, body)}"
        previous = st.session_state.get(previous_key)
        if previous is None and core.cached_previous(account_id, body) is not None:
            previous = st.session_state[previous_key] = core.previous_report(client, account_id, body, names=names)
        label = f"Compare with {first} to {last - timedelta(days=1)} (uses 1 reporting call)"
        slot = st.empty()  # the offer goes away as soon as it is taken
        if previous is None and slot.button(label, key="rep_compare", disabled=budget.remaining == 0):
            previous = core.previous_report(client, account_id, body, refresh=True, names=names)
            st.session_state[previous_key] = previous
            slot.empty()
    if previous is not None and not comparing.failed:
        before = core.filter_campaigns(previous.frame, tags=tags, channels=channels)
        compared = core.compare_totals(filtered, before)
        tiles = st.columns(4)
        for i, row in enumerate(compared.itertuples()):
            delta = change_text(str(row.statistic), float(row.change))
            tiles[i % 4].metric(
                str(row.label),
                figure(str(row.statistic), float(row.current)),
                delta=delta,
                help=f"Previous period: {figure(str(row.statistic), float(row.previous))}"
                + ("" if delta else " (nothing to compare with)"),
            )
        st.caption(
            f"Compared with {previous.first} to {previous.last} ({timezone}), the same filters; "
            f"{'from cache, ' if previous.from_cache else 'fresh, '}{previous.cached.describe_age()}. "
            "Rates are recomputed from counts; their change is in percentage points."
        )

    shown = core.sort_campaigns(filtered, sort_by, descending=descending)[list(COLUMNS)]
    if shown.empty:
        show_text("info", "No campaign message matches: none was sent in this period, or the filters leave none.")
    st.dataframe(shown, column_config=COLUMNS, hide_index=True, width="stretch", key="rep_table")
    csv_button("Download CSV", shown, f"campaigns-{timeframe}.csv", key="rep_csv")
    st.caption("The CSV holds exactly the rows and columns above, in the order chosen with 'Sort by'.")


st.title("Campaigns & flows")
st.caption("Campaign and flow performance as Klaviyo's own reports count it.")
client = get_client()
target = f"{client.config.base_url}|{client.config.key_fingerprint}"
with guarded() as loading:
    account_id, timezone, metrics = load_setup(target, client)
if loading.failed:
    st.stop()
labels = {f"{m.name} ({m.integration or 'API'})": m.id for m in metrics}
if not labels:
    st.info("No metrics yet, so there is no conversion metric to report on. Send events first.")
    st.stop()
default = next((i for i, label in enumerate(labels) if label.startswith("Placed Order (")), 0)
left, right = st.columns(2)
timeframe = left.selectbox(
    "Period",
    core.TIMEFRAMES,
    index=core.TIMEFRAMES.index("last_30_days"),
    format_func=lambda key: key.replace("_", " ").capitalize(),
    key="rep_period",
)
metric_label = right.selectbox("Conversion metric", list(labels), index=default, key="rep_metric")
metric_id = labels[metric_label]
view = st.segmented_control("Show", ["Campaigns", "Flows", "Segments"], default="Campaigns", key="rep_view")
if view == "Flows":
    render_flows(client, target, account_id, timeframe, metric_id)
    st.stop()
if view == "Segments":
    render_segments(client, target, account_id, timeframe)
    st.stop()

budget = core.ReportingBudget(account_id).status()
budget_line = st.empty()  # written again at the end, once this run's calls (if any) are counted
budget_line.caption(budget_text(budget))
campaigns_section(client, target, account_id, timezone, timeframe, metric_id, budget)
spent = core.ReportingBudget(account_id).status()
budget_line.caption(budget_text(spent))
