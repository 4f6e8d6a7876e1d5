"""The flows half of "Campaigns & flows": a flows table, a weekly chart for one flow, its per-message breakdown.

Periods of a week or less are charted day by day (one weekly point says nothing).

Each report (flow values, the weekly flow series) is one reporting call of 225 a day, so both show their cached
answer for free and spend a call only on the button that says so; the budget and each answer's age are shown.
Every table offers a CSV of exactly what is on screen (the one CSV writer). Flow and message names are user
text: they reach the screen through dataframes, chart labels and selectbox options, never as markdown.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from klaviyo_app.ui.report_view import COLUMNS, age_caption, budget_text, csv_button, load_report
from klaviyo_app.ui.text import show_text
from klaviyo_core import KlaviyoClient
from klaviyo_core import reports as core

FLOW_SHOWN = ["flow", "tags", "messages", "recipients", "delivered", "open_rate", "click_rate", "conversions"]
FLOW_SHOWN += ["conversion_value", "revenue_per_recipient"]
MESSAGE_SHOWN = ["message", "channel", *FLOW_SHOWN[3:]]
CHARTED = {
    "recipients": "Recipients",
    "conversions": "Conversions",
    "conversion_value": "Revenue",
    "open_rate": "Open rate",
    "click_rate": "Click rate",
}


def _load(
    client: KlaviyoClient, account_id: str, query: tuple[str, str, str | None], button: tuple[str, str], state_key: str
) -> core.Report | None:
    """A flow values (interval None) or series report: cached for free, fresh on its button (1 call)."""
    timeframe, metric_id, interval = query
    return load_report(
        account_id,
        button,
        state_key,
        lambda: core.cached_flow_report(client, account_id, timeframe, metric_id, interval=interval),
        lambda: core.flow_report(client, account_id, timeframe, metric_id, interval=interval, refresh=True),
    )


#: periods charted day by day; every other period week by week
DAILY = ("today", "yesterday", "last_7_days", "this_week", "last_week")


def _chart(timeline: pd.DataFrame, statistic: str, bucket: str) -> alt.Chart:
    title = CHARTED[statistic]
    number = ".0%" if statistic.endswith("_rate") else "$,.0f" if statistic == "conversion_value" else ",d"
    axis = alt.Axis(format=number, title=title, tickMinStep=0.01 if statistic.endswith("_rate") else 1)
    chart: alt.Chart = (
        alt.Chart(timeline)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=bucket, axis=alt.Axis(format="%b %d")),
            y=alt.Y(f"{statistic}:Q", axis=axis),
            tooltip=[alt.Tooltip("date:T", title=bucket), alt.Tooltip(f"{statistic}:Q", title=title, format=number)],
        )
    )
    return chart


def render_flows(client: KlaviyoClient, target: str, account_id: str, timeframe: str, metric_id: str) -> None:
    """The flows section for the page's period and conversion metric."""
    st.subheader("Flows")
    st.caption(budget_text(core.ReportingBudget(account_id).status()))
    base = f"{target}|{timeframe}|{metric_id}"
    report = _load(client, account_id, (timeframe, metric_id, None), ("flow report", "flow_fetch"), f"flows|{base}")
    if report is None:
        return
    flows = core.flows_table(report.frame)
    age_caption(report, f"{len(flows)} flows, {len(report.frame)} flow messages")
    if flows.empty:
        show_text("info", "No flow sent messages in this period.")
        return
    shown = flows[FLOW_SHOWN]
    st.dataframe(shown, column_config=COLUMNS, hide_index=True, width="stretch", key="flow_table")
    csv_button("Download flows CSV", shown, f"flows-{timeframe}.csv")

    names = dict(zip(flows["flow_id"], flows["flow"], strict=True))
    flow_id = st.selectbox("Flow", list(names), format_func=lambda i: str(names[i]), key="flow_pick")
    messages = report.frame[report.frame["flow_id"] == flow_id][MESSAGE_SHOWN]
    st.markdown("**Per message**")
    st.dataframe(messages, column_config=COLUMNS, hide_index=True, width="stretch", key="flow_messages")
    csv_button("Download messages CSV", messages, f"flow-messages-{timeframe}.csv")

    interval, unit = ("daily", "day") if timeframe in DAILY else ("weekly", "week")
    st.markdown(f"**{unit.capitalize()} by {unit}**")
    query = (timeframe, metric_id, interval)
    button = (f"{interval} series", "flow_series_fetch")
    series = _load(client, account_id, query, button, f"flow_series|{base}")
    if series is None:
        return
    age_caption(series, f"{interval.capitalize()} series, each {unit} starting at the period's start")
    timeline = core.flow_timeline(series.frame, str(flow_id))
    if timeline.empty:
        show_text("info", "This flow sent nothing in this period.")
        return
    statistic = st.selectbox("Chart", list(CHARTED), format_func=CHARTED.__getitem__, key="flow_chart_stat")
    last = pd.Timestamp(timeline["date"].iloc[-1])
    days_so_far = (pd.Timestamp.now(tz=last.tz).normalize() - last.normalize()).days + 1
    if unit == "week" and days_so_far < 7:
        st.caption(f"The last point covers {days_so_far} day(s) so far, not a full week: expect it lower.")
    chart = _chart(timeline, str(statistic), f"{unit.capitalize()} starting")
    st.altair_chart(chart, width="stretch", key="flow_chart")
    drawn = timeline[["date", str(statistic)]]  # what the chart draws
    csv_button(f"Download {interval} CSV", drawn, f"flow-{interval}-{timeframe}.csv")
