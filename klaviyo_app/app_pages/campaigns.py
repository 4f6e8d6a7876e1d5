"""Campaigns & flows: how did my campaigns perform? Inputs -> klaviyo_core.reports -> table, age, budget, CSV.

Reporting calls are budgeted (225 a day per account), so the page shows a cached answer for free and spends a
call only when the user presses the button that says so.
"""

from __future__ import annotations

import time

import streamlit as st

from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.flow_reports import render_flows
from klaviyo_app.ui.text import show_text
from klaviyo_core import metrics as metrics_core
from klaviyo_core import reports as core
from klaviyo_core.accounts import fetch_account
from klaviyo_core.csvfile import frame_csv

COLUMNS = {
    "campaign": st.column_config.TextColumn("Campaign"),
    "channel": st.column_config.TextColumn("Channel"),
    "recipients": st.column_config.NumberColumn("Recipients", format="localized"),
    "delivered": st.column_config.NumberColumn("Delivered", format="localized"),
    "open_rate": st.column_config.NumberColumn("Open rate", format="percent"),
    "click_rate": st.column_config.NumberColumn("Click rate", format="percent"),
    "conversions": st.column_config.NumberColumn("Conversions", format="localized"),
    "conversion_value": st.column_config.NumberColumn("Revenue", format="dollar"),
    "revenue_per_recipient": st.column_config.NumberColumn("Revenue per recipient", format="dollar"),
}


@st.cache_data(ttl=300, show_spinner=False)
def load_setup(target: str, _client: object) -> tuple[str, list[metrics_core.MetricInfo]]:
    """The account id (the budget and cache are per account) and the metrics for the conversion picker."""
    return fetch_account(_client).id, metrics_core.list_metrics(_client)  # type: ignore[arg-type]


st.title("Campaigns & flows")
st.caption("Campaign and flow performance as Klaviyo's own reports count it.")
client = get_client()
target = f"{client.config.base_url}|{client.config.key_fingerprint}"
with guarded() as loading:
    account_id, metrics = load_setup(target, client)
if loading.failed:
    st.stop()
labels = {f"{m.name} ({m.integration or 'API'})": m.id for m in metrics}
if not labels:
    st.info("No metrics yet, so there is no conversion metric to report on. Send events first.")
    st.stop()
default = next((i for i, label in enumerate(labels) if label.startswith("Placed Order (")), 0)
left, right = st.columns(2)
timeframe = left.selectbox("Period", core.TIMEFRAMES, index=core.TIMEFRAMES.index("last_30_days"), key="rep_period")
metric_label = right.selectbox("Conversion metric", list(labels), index=default, key="rep_metric")
metric_id = labels[metric_label]
if st.segmented_control("Show", ["Campaigns", "Flows"], default="Campaigns", key="rep_view") == "Flows":
    render_flows(client, target, account_id, timeframe, metric_id)
    st.stop()

budget = core.ReportingBudget(account_id).status()
st.caption(f"Reporting budget: {budget.describe(time.time())}. Other tools using this key spend it too.")
state_key = f"campaign_report|{target}|{timeframe}|{metric_id}"
with guarded() as fetching:
    report = st.session_state.get(state_key) or core.cached_campaign_report(client, account_id, timeframe, metric_id)
    label = "Refresh (uses 1 reporting call)" if report else "Load report (uses 1 reporting call)"
    if st.button(label, key="rep_fetch", disabled=budget.remaining == 0):
        report = core.campaign_report(client, account_id, timeframe, metric_id, refresh=True)
        st.session_state[state_key] = report
if fetching.failed or report is None:
    st.stop()

source = "from cache" if report.from_cache else "fresh from the API"
st.caption(f"{len(report.frame)} campaign messages; {source}, {report.cached.describe_age()}.")
shown = report.frame[list(COLUMNS)]
if shown.empty:
    show_text("info", "No campaign sent messages in this period.")
st.dataframe(shown, column_config=COLUMNS, hide_index=True, width="stretch", key="rep_table")
st.download_button(
    "Download CSV", frame_csv(shown), file_name=f"campaigns-{timeframe}.csv", mime="text/csv", on_click="ignore"
)
