"""Summaries of aggregate results: totals, comparisons, presets, CSV."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from klaviyo_core.csvfile.write import frame_csv
from klaviyo_core.metrics.aggregates import AggregateQuery, AggregateResult


def total(frame: pd.DataFrame, measurement: str) -> float:
    """The period's figure: a sum for count and sum_value; for unique, the mean per bucket (uniques of
    different buckets cannot be added: one profile active on two days would count twice)."""
    if frame.empty:
        return 0.0
    per_bucket = frame.groupby("date")[measurement].sum()
    return float(per_bucket.mean() if measurement == "unique" else per_bucket.sum())


@dataclass(frozen=True)
class Change:
    measurement: str
    current: float
    previous: float

    @property
    def delta(self) -> float:
        return self.current - self.previous

    @property
    def ratio(self) -> float | None:
        """Relative change (0.25 = +25 %); None when the previous period had nothing to compare with."""
        if self.previous == 0:
            return None
        return self.delta / abs(self.previous)


def compare(current: AggregateResult, previous: AggregateResult) -> list[Change]:
    """This period against the one before, per measurement."""
    return [Change(m, total(current.frame, m), total(previous.frame, m)) for m in current.query.measurements]


def format_ratio(change: Change) -> str | None:
    """'+12.5%' / '-3.0%', or None when there is no previous figure to compare with."""
    ratio = change.ratio
    if ratio is None or math.isnan(ratio):
        return None
    return f"{ratio * 100:+.1f}%"


def nothing_to_chart(result: AggregateResult, measurement: str) -> bool:
    """True when `measurement` is zero everywhere (events without a value have nothing to sum)."""
    return result.frame.empty or not result.frame[measurement].abs().sum()


def empty_reason(
    result: AggregateResult, metric_name: str, metric_created: str | None = None, measurement: str | None = None
) -> str:
    """Why a result has nothing to chart, in plain words (`metric_created`: MetricInfo.created).

    When the query also counted events (`count` among its measurements) and there are some, the reason is that
    they carry no value: "No events" would be false there."""
    zone = ZoneInfo(result.query.timezone)
    first = result.query.start.astimezone(zone).date()
    last = (result.query.end - timedelta(seconds=1)).astimezone(zone).date()
    if metric_created:
        created = datetime.fromisoformat(metric_created.replace("Z", "+00:00"))
        if created.tzinfo and created >= result.query.end:
            return (
                f"{metric_name} was first received on {created.astimezone(zone).date()}, after this range "
                f"({first} to {last}): there is nothing to chart before then."
            )
    frame = result.frame
    events = int(frame["count"].sum()) if "count" in frame and not frame.empty else 0
    if measurement == "sum_value" and events:
        return (
            f"{events:,} {metric_name} events between {first} and {last}, but none carries a value ($value): "
            "there is no sum of value to chart. Pick Events or Unique profiles for this metric."
        )
    where = f" with the filter {', '.join(result.query.filters)}" if result.query.filters else ""
    return f"No {metric_name} events between {first} and {last}{where}. Try a longer range."


def period_unique_query(query: AggregateQuery) -> AggregateQuery:
    """The query behind 'unique profiles in the period': Klaviyo counts uniques per bucket only, so ask for
    month buckets without a breakdown; a range inside one calendar month is then exact."""
    return replace(query, interval="month", measurements=("unique",), by=())


def period_uniques(result: AggregateResult) -> tuple[float, int]:
    """(unique profiles, how many month buckets were added to get it). With one bucket the figure is exact; with
    more, a profile active in two months counts twice (the page says so)."""
    frame = result.frame
    if frame.empty:
        return 0.0, 0
    per_bucket = frame.groupby("date")["unique"].sum()
    return float(per_bucket.sum()), len(per_bucket)


DECIMALS = {"count": 0, "sum_value": 2, "unique": 0}


@dataclass(frozen=True)
class Tile:
    """One KPI tile as the page shows it: no arrow without a previous figure (the help says why instead)."""

    title: str
    value: str
    delta: str | None
    help: str | None


def tile(now: AggregateResult, before: AggregateResult, measurement: str, measurement_label: str, days: int) -> Tile:
    """The tile for one metric: `now`/`before` are the chart's results, or for `unique` the
    `period_unique_query` results (unique profiles in the period, not per bucket)."""
    if measurement == "unique":
        figure, months = period_uniques(now)
        change = Change("unique", figure, period_uniques(before)[0])
        name = "Unique profiles in the period" if months <= 1 else f"Unique profiles ({months} calendar months added)"
    else:
        change = next(c for c in compare(now, before) if c.measurement == measurement)
        name = measurement_label
    delta = format_ratio(change)
    notes = []
    if measurement == "unique" and months > 1:
        notes.append(
            "Klaviyo counts unique profiles per bucket only: this adds the calendar months the range touches, "
            "so a profile active in two months counts twice."
        )
    if delta is None:
        notes.append(f"Nothing to compare with: no {name.lower()} in the {days} days before.")
    return Tile(name, f"{change.current:,.{DECIMALS[measurement]}f}", delta, " ".join(notes) or None)


def to_csv(frame: pd.DataFrame) -> str:
    """Exactly the charted rows; dates as ISO 8601 with their offset; through the one CSV writer (a dimension
    value such as `=HYPERLINK(...)` comes out as text)."""
    out = frame.copy()
    if "date" in out:
        out["date"] = out["date"].map(lambda d: d.isoformat())
    return frame_csv(out)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """First and last day (inclusive) of a preset; 'Custom' is the caller's to choose (last 30 days here)."""
    days = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90}
    if preset == "This month":
        return today.replace(day=1), today
    return today - timedelta(days=days.get(preset, 30) - 1), today


def combine(results: list[tuple[str, AggregateResult]]) -> pd.DataFrame:
    """Several metrics' frames as one, with a leading `metric` column (what the page charts and exports)."""
    frames = [result.frame.assign(metric=name) for name, result in results if not result.frame.empty]
    if not frames:
        return pd.DataFrame(columns=["metric", "date"])
    frame = pd.concat(frames, ignore_index=True)
    return frame[["metric", *[c for c in frame.columns if c != "metric"]]]


def describe_age(result: AggregateResult, now: float | None = None) -> str:
    """'fresh from the API' or 'from cache, fetched 3 min ago' (the UI shows it beside the chart)."""
    if not result.from_cache:
        return "fresh from the API"
    seconds = int(result.age_seconds(now))
    age = f"{seconds} s" if seconds < 60 else f"{seconds // 60} min"
    return f"from cache, fetched {age} ago"
