"""The Metrics chart: which rows are drawn where, and the Altair spec (no Streamlit: notebooks can use it too).

What misled a marketer before, and the rule that replaces it:
- Bars stacked unlike metrics into one bar (orders on top of carts). Bars of different metrics now stand side
  by side (`xOffset`); only a breakdown of one metric stacks, and never for unique profiles (a profile in
  two groups would count twice in the stack).
- Legends were cut at 160 px. The legend sits under the chart, one label per line, with no length limit.
- A weekly bucket starts on the Monday before the range (Klaviyo's weeks start on Monday) and Vega put ticks on
  Sundays. Each bucket is drawn at its first instant inside the range, ticks fall on those bucket starts, and
  the x scale is wall-clock time in the chosen timezone (not the browser's).
- Today's unfinished bucket fell to zero. A bucket that does not cover its whole span (today's, so far; or cut
  by the range) is flagged `partial`: the line stops before today's bucket, drawn as an open diamond;
  partial bars are drawn faded. The table and CSV keep those rows with the `partial` column.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd

from klaviyo_core.metrics.aggregates import AggregateQuery
from klaviyo_core.metrics.labels import dimension_label, missing_explanation, missing_label

MAX_TICKS = 12
FORMATS = {"hour": "%b %d %H:%M", "day": "%b %d", "week": "%b %d", "month": "%b %Y"}


def next_bucket(start: datetime, interval: str, zone: ZoneInfo) -> datetime:
    """The first instant of the bucket after the one starting at `start` (local days, weeks and months)."""
    if interval == "hour":
        return (start.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)
    local = start.astimezone(zone).date()
    if interval == "day":
        after = local + timedelta(days=1)
    elif interval == "week":
        after = local + timedelta(days=7)
    else:
        after = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return datetime(after.year, after.month, after.day, tzinfo=zone)


def chart_rows(frame: pd.DataFrame, query: AggregateQuery, now: datetime, breakdown: str | None = None) -> pd.DataFrame:
    """`frame` (from `combine`) plus what the chart needs: `series`, `start` (the bucket's first instant in the
    range, as naive wall-clock time), `period` (a readable span) and `partial`."""
    zone = ZoneInfo(query.timezone)
    out = frame.copy()
    if out.empty:
        return out.assign(series=[], start=[], label=[], period=[], partial=[], in_progress=[])
    if breakdown:
        out[breakdown] = out[breakdown].astype(str).replace("", missing_label(breakdown))
        out["series"] = out["metric"] + " · " + out[breakdown]
    else:
        out["series"] = out["metric"]
    starts, labels, periods, partial, progress = [], [], [], [], []
    fmt = FORMATS[query.interval]
    for bucket in out["date"]:
        begin = bucket.to_pydatetime().astimezone(zone)
        after = next_bucket(begin, query.interval, zone)
        shown_from, shown_to = max(begin, query.start.astimezone(zone)), min(after, query.end.astimezone(zone))
        in_progress = after > now
        cut = shown_from > begin or shown_to < after
        starts.append(shown_from.replace(tzinfo=None))
        labels.append(shown_from.strftime(fmt))
        last = (min(shown_to, now) if in_progress else shown_to) - timedelta(seconds=1)
        span = shown_from.strftime(fmt) if query.interval in ("hour", "day") else f"{shown_from:%b %d} - {last:%b %d}"
        note = " (so far)" if in_progress else " (part of the bucket)" if cut else ""
        periods.append(span + note)
        partial.append(in_progress or cut)
        progress.append(in_progress)
    out["start"] = pd.to_datetime(starts)
    out["label"] = labels
    out["period"] = periods
    out["partial"] = partial
    out["in_progress"] = progress
    return out


def chart_notes(rows: pd.DataFrame, interval: str, breakdown: str | None = None) -> list[str]:
    """What the chart's partial buckets and the empty breakdown group mean, in the page's words."""
    notes = []
    if rows["in_progress"].any():
        notes.append(
            "The last bucket is still in progress: the line stops before it and an open diamond (a faded bar) "
            "shows its figure so far."
        )
    if (rows["partial"] & ~rows["in_progress"]).any():
        notes.append(f"A {interval} cut by the range covers only the range's days (open diamond, faded bar).")
    if breakdown:
        notes.append(missing_explanation(breakdown))
    return notes


def table_rows(
    rows: pd.DataFrame, measurement: str, measurement_label: str, breakdown: str | None = None
) -> pd.DataFrame:
    """The table (and CSV) beside the chart: the charted rows, named columns, with their `partial` flag."""
    by = [breakdown] if breakdown else []
    shown = [c for c in ("metric", "date", *by, measurement, "partial") if c in rows]
    names = {b: dimension_label(b) for b in by} | {measurement: measurement_label}
    return rows[shown].rename(columns=names)


def tick_values(rows: pd.DataFrame) -> list[str]:
    """Ticks on bucket starts (at most MAX_TICKS, evenly thinned), as ISO instants of the wall-clock (UTC) scale.

    Strings, because Vega-Lite drew no labels at all for numeric timestamps in `axis.values` (seen in Chromium
    with Streamlit 1.67's Vega-Lite)."""
    starts = sorted(set(rows["start"]))
    step = max(1, math.ceil(len(starts) / MAX_TICKS))
    return [pd.Timestamp(s).strftime("%Y-%m-%dT%H:%M:%SZ") for s in starts[::step]]


def _legend() -> alt.Legend:
    return alt.Legend(orient="bottom", direction="vertical", labelLimit=0, titleLimit=0)


def build_chart(
    rows: pd.DataFrame,
    measurement: str,
    measurement_label: str,
    kind: str,
    interval: str,
    breakdown: str | None = None,
) -> alt.Chart | alt.LayerChart:
    """A line or bar chart of `chart_rows` output. `kind` is 'Line' or 'Bar'."""
    y_title = measurement_label
    tooltip = [
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip(f"{measurement}:Q", title=measurement_label, format=",.2f" if measurement == "sum_value" else ","),
    ]
    color = alt.Color("series:N", title=dimension_label(breakdown) if breakdown else "Metric", legend=_legend())
    base = alt.Chart(rows)
    if kind == "Bar":
        stack: Literal["zero"] | None = "zero" if breakdown and measurement != "unique" else None
        offset = "metric:N" if stack else "series:N"
        bars: alt.Chart = (
            base.mark_bar()
            .encode(
                x=alt.X(
                    "label:O",
                    title="Bucket start",
                    sort=alt.EncodingSortField(field="start", op="min"),
                    axis=alt.Axis(labelAngle=-45),
                ),
                xOffset=alt.XOffset(offset),
                y=alt.Y(f"{measurement}:Q", title=y_title, stack=stack),
                color=color,
                opacity=alt.condition("datum.partial", alt.value(0.45), alt.value(1.0)),
                tooltip=tooltip,
            )
            .properties(height=360)
        )
        return bars
    x = alt.X(
        "start:T",
        title="Bucket start",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(values=tick_values(rows), format=FORMATS[interval], labelOverlap=True),
    )
    line = (
        base.transform_filter("!datum.in_progress")
        .mark_line()
        .encode(x=x, y=alt.Y(f"{measurement}:Q", title=y_title), color=color, tooltip=tooltip)
    )
    points = base.mark_point(size=60).encode(
        x=x,
        y=alt.Y(f"{measurement}:Q"),
        color=alt.Color("series:N", legend=None),
        shape=alt.Shape(  # no legend: its symbols drew empty; the page's caption says what open diamonds are
            "partial:N", scale=alt.Scale(domain=[False, True], range=["circle", "diamond"]), legend=None
        ),
        fill=alt.condition("datum.partial", alt.value("white"), alt.Color("series:N", legend=None)),
        tooltip=tooltip,
    )
    return alt.LayerChart(layer=[line, points], height=360)
