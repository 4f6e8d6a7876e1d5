"""Metrics: how are my events trending? Inputs -> klaviyo_core.metrics -> KPI tiles, chart, table, CSV."""

from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

import altair as alt
import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.text import md_escape, show_text
from klaviyo_core import metrics as core
from klaviyo_core.accounts import fetch_account

LABELS = {"count": "Events", "sum_value": "Revenue (sum of value)", "unique": "Unique profiles"}
DECIMALS = {"count": 0, "sum_value": 2, "unique": 1}
BREAKDOWN_NONE = "(none)"


@st.cache_resource(show_spinner=False)
def aggregate_cache() -> core.AggregateCache:
    """One cache per process: aggregates are limited to 3/s and 60/m."""
    return core.AggregateCache(ttl_seconds=600)


@st.cache_data(ttl=300, show_spinner=False)
def load_metrics(target: str, _client: object) -> list[core.MetricInfo]:
    return core.list_metrics(_client)  # type: ignore[arg-type]


@st.cache_data(ttl=3600, show_spinner=False)
def account_timezone(target: str, _client: object) -> str:
    return fetch_account(_client).timezone or "UTC"  # type: ignore[arg-type]


def chart(frame: pd.DataFrame, measurement: str, series: str, kind: str) -> alt.Chart:
    base = alt.Chart(frame)
    mark = base.mark_bar() if kind == "Bar" else base.mark_line(point=True)
    encoded: alt.Chart = mark.encode(
        x=alt.X("date:T", title="Date"),
        y=alt.Y(f"{measurement}:Q", title=LABELS[measurement], stack=kind == "Bar" or None),
        color=alt.Color(f"{series}:N", title=series),
        tooltip=[alt.Tooltip("date:T", title="Date"), series, alt.Tooltip(f"{measurement}:Q", format=",.2f")],
    ).properties(height=360)
    return encoded


st.title("Metrics")
st.caption("How are your events trending? Pick metrics and a period; numbers come straight from Klaviyo.")
client = get_client()
target = f"{client.config.base_url}|{client.config.key_fingerprint}"
with guarded() as loading:
    metrics = load_metrics(target, client)
    default_zone = account_timezone(target, client)
if loading.failed:
    st.stop()
if not metrics:
    st.info("This account has no metrics yet: a metric appears when its first event arrives. Send one on Test events.")
    st.stop()

by_label = {f"{m.name} ({m.integration})" if m.integration else m.name: m for m in metrics}
preferred = [label for label, m in by_label.items() if m.name == "Placed Order"] or list(by_label)[:1]
picked = st.multiselect("Metrics", list(by_label), default=preferred, key="metrics_pick")
left, middle, right = st.columns(3)
preset = left.selectbox("Date range", core.PRESETS, index=1, key="metrics_preset")
zones = sorted(available_timezones() - {"Factory", "Europe/Kyiv", "Pacific/Kanton"})
timezone = left.selectbox(
    "Timezone", zones, index=zones.index(default_zone) if default_zone in zones else 0, key="metrics_timezone"
)
today = date.today()
first, last = core.preset_range(preset, today)
if preset == "Custom":
    chosen = left.date_input("From - to", (first, last), max_value=today, key="metrics_custom_range")
    if isinstance(chosen, tuple) and len(chosen) == 2:
        first, last = chosen
interval = middle.selectbox("Interval", core.INTERVALS, index=1, key="metrics_interval")
measurement = middle.selectbox(
    "Measurement", core.MEASUREMENTS, format_func=LABELS.__getitem__, key="metrics_measurement"
)
breakdown = right.selectbox("Breakdown", [BREAKDOWN_NONE, *core.DIMENSIONS], key="metrics_breakdown")
kind = right.radio("Chart", ["Line", "Bar"], horizontal=True, key="metrics_chart_kind")
refresh = right.button("Refresh (skip cache)", key="metrics_refresh")
if refresh:
    load_metrics.clear()  # new metrics appear too
if not picked:
    st.info("Pick at least one metric.")
    st.stop()

start, end = core.local_range(first, last, timezone)
by = () if breakdown == BREAKDOWN_NONE else (breakdown,)
current, previous = [], []
with guarded() as querying, st.spinner("Querying metric aggregates..."):
    for label in picked:
        query = core.AggregateQuery(by_label[label].id, start, end, interval, (measurement,), timezone, by)
        cache = aggregate_cache()
        current.append((label, core.query_aggregates(client, query, cache=cache, refresh=refresh)))
        previous.append((label, core.query_aggregates(client, query.previous(), cache=cache, refresh=refresh)))
if querying.failed:
    st.stop()

ages = "; ".join(sorted({core.describe_age(result) for _, result in current + previous}))
days = (last - first).days + 1
st.caption(
    f"{first:%b %d, %Y} - {last:%b %d, %Y} ({timezone}), by {interval}, compared with the {days} days before. "
    f"Data: {ages}."
)
tiles = st.columns(min(len(current), 4))
for i, ((label, now), (_, before)) in enumerate(zip(current, previous, strict=True)):
    (change,) = core.compare(now, before)
    suffix = f" per {interval} (avg)" if measurement == "unique" else ""
    value = f"{change.current:,.{DECIMALS[measurement]}f}"
    tiles[i % len(tiles)].metric(
        md_escape(label) + f" · {LABELS[measurement]}{suffix}",
        value,
        delta=core.format_ratio(change) or "no previous data",
        delta_color="normal" if change.ratio is not None else "off",
    )

for label, result in current:
    if result.is_empty:
        show_text("info", core.empty_reason(result, label, by_label[label].created))
frame = core.combine([(label, r) for label, r in current if not r.is_empty])
if frame.empty:
    st.stop()

series = "series"
frame[series] = frame["metric"] + (" · " + frame[breakdown].replace("", "(not set)") if by else "")
st.altair_chart(chart(frame, measurement, series, kind), width="stretch", key="metrics_chart")
table = frame.drop(columns=[series])
st.dataframe(table, width="stretch", hide_index=True, key="metrics_table")
st.download_button(
    "Download CSV",
    core.to_csv(table),
    file_name=f"metrics_{first}_{last}_{interval}.csv",
    mime="text/csv",
    key="metrics_csv",
)
show_text("caption", f"Dates are bucket starts in {timezone}; the CSV holds exactly the rows charted above.")
