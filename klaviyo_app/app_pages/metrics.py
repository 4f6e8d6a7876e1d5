"""Metrics: how are my events trending? Inputs -> klaviyo_core.metrics -> KPI tiles, chart, table, CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import available_timezones

import streamlit as st

from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.text import md_escape, show_text
from klaviyo_core import metrics as core
from klaviyo_core.accounts import fetch_account

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
breakdown = right.selectbox(
    "Breakdown",
    [BREAKDOWN_NONE, *core.DIMENSIONS],
    format_func=lambda d: d if d == BREAKDOWN_NONE else core.dimension_label(d),
    key="metrics_breakdown",
)
kind = right.radio("Chart", ["Line", "Bar"], horizontal=True, key="metrics_chart_kind")
refresh = right.button("Refresh (skip cache)", key="metrics_refresh")
if refresh:
    load_metrics.clear()  # new metrics appear too
if not picked:
    st.info("Pick at least one metric.")
    st.stop()

start, end = core.local_range(first, last, timezone)
dimension = None if breakdown == BREAKDOWN_NONE else breakdown
by = (breakdown,) if dimension else ()
cache = aggregate_cache()
with guarded() as probing:
    values = {
        label: core.value_info(
            client,
            by_label[label].name,
            core.AggregateQuery(by_label[label].id, start, end, timezone=timezone),
            cache=cache,
        )
        for label in picked
    }
if probing.failed:
    st.stop()
labels = dict(core.MEASUREMENT_LABELS)
value_label = core.value_label(values.values())
if value_label is None:
    del labels["sum_value"]  # none of the picked metrics records a value: nothing to sum
else:
    labels["sum_value"] = value_label
measurement = middle.selectbox("Measurement", list(labels), format_func=labels.__getitem__, key="metrics_measurement")
measurements = ("sum_value", "count") if measurement == "sum_value" else (measurement,)
current, compared = [], []  # compared: (now, before) per metric, what its tile compares
with guarded() as querying, st.spinner("Querying metric aggregates..."):
    for label in picked:
        query = core.AggregateQuery(by_label[label].id, start, end, interval, measurements, timezone, by)
        current.append((label, core.query_aggregates(client, query, cache=cache, refresh=refresh)))
        now = current[-1][1]
        if measurement == "unique":  # the tiles count unique profiles over the period, not per bucket
            query = core.period_unique_query(query)
            now = core.query_aggregates(client, query, cache=cache, refresh=refresh)
        compared.append((now, core.query_aggregates(client, query.previous(), cache=cache, refresh=refresh)))
if querying.failed:
    st.stop()

ages = "; ".join(sorted({core.describe_age(r) for _, r in current} | {core.describe_age(b) for _, b in compared}))
days = (last - first).days + 1
st.caption(
    f"{first:%b %d, %Y} - {last:%b %d, %Y} ({timezone}), by {interval}, compared with the {days} days before. "
    f"Data: {ages}."
)
tiles = st.columns(min(len(current), 4))
for i, ((label, _), (now, before)) in enumerate(zip(current, compared, strict=True)):
    kpi = core.tile(now, before, measurement, labels[measurement], days)
    tiles[i % len(tiles)].metric(f"{md_escape(label)} · {kpi.title}", kpi.value, delta=kpi.delta, help=kpi.help)

for label, result in current:
    if core.nothing_to_chart(result, measurement):
        show_text("info", core.empty_reason(result, label, by_label[label].created, measurement))
frame = core.combine([(label, r) for label, r in current if not core.nothing_to_chart(r, measurement)])
if frame.empty:
    st.stop()

query = current[0][1].query
rows = core.chart_rows(frame, query, datetime.now(UTC), dimension)
chart = core.build_chart(rows, measurement, labels[measurement], kind, interval, dimension)
st.altair_chart(chart, width="stretch", key="metrics_chart")
notes = core.chart_notes(rows, interval, dimension)
if notes:
    show_text("caption", " ".join(notes))
table = core.table_rows(rows, measurement, labels[measurement], dimension)
st.dataframe(table, width="stretch", hide_index=True, key="metrics_table")
st.download_button(
    "Download CSV",
    core.to_csv(table),
    file_name=f"metrics_{first}_{last}_{interval}.csv",
    mime="text/csv",
    key="metrics_csv",
)
show_text("caption", f"Dates are bucket starts in {timezone}; the CSV holds exactly the rows charted above.")
