"""Time buckets for metric aggregates, in an IANA timezone, correct across DST changes.

A bucket is the half-open span of instants whose local time (in the requested zone) falls in one hour, day,
week (Monday start) or month. Its start is the first such instant, reported in UTC ("+00:00"), as Klaviyo
reports them (a New York day starts at T04:00:00+00:00 in summer and T05:00:00+00:00 in winter). Because the
spans come from zoneinfo rather than fixed offsets, a spring-forward day lasts 23 hours, a fall-back day 25,
and the repeated fall-back hour is two separate hour buckets.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

INTERVALS = ("hour", "day", "week", "month")
_QUARTER = timedelta(minutes=15)  # every real UTC offset is a multiple of 15 minutes


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _floor_day(moment: datetime, interval: str, zone: ZoneInfo) -> date:
    local = moment.astimezone(zone).date()
    if interval == "week":
        return local - timedelta(days=local.weekday())
    if interval == "month":
        return local.replace(day=1)
    return local


def _next_day(day: date, interval: str) -> date:
    if interval == "day":
        return day + timedelta(days=1)
    if interval == "week":
        return day + timedelta(days=7)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _hour_key(moment: datetime, zone: ZoneInfo) -> tuple[date, int, timedelta | None]:
    local = moment.astimezone(zone)
    return local.date(), local.hour, local.utcoffset()


def _hour_starts(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """First instants of each run of equal (local date, local hour, offset) in [floor(start), end).

    The offset in the key splits a repeated fall-back hour in two; a half-hour DST jump (Lord Howe) gives a
    30-minute bucket for the local hour that only half exists.
    """
    moment = start.astimezone(UTC).replace(second=0, microsecond=0)
    moment -= timedelta(minutes=moment.minute % 15)
    key = _hour_key(moment, zone)
    while _hour_key(moment - _QUARTER, zone) == key:
        moment -= _QUARTER
    out, previous = [], None
    while moment < end:
        key = _hour_key(moment, zone)
        if key != previous:
            out.append(moment)
            previous = key
        moment += _QUARTER
    return out


def bucket_starts(start: datetime, end: datetime, interval: str, timezone: str) -> list[datetime]:
    """UTC starts of every bucket that overlaps [start, end); the first one may begin before `start`."""
    zone = ZoneInfo(timezone)
    if interval == "hour":
        return _hour_starts(start, end, zone)
    day = _floor_day(start, interval, zone)
    out = []
    while (moment := _local_midnight(day, zone)) < end:
        out.append(moment)
        day = _next_day(day, interval)
    return out


def spans(starts: list[datetime], start: datetime, end: datetime) -> list[tuple[int, int]]:
    """Epoch-second [lo, hi) per bucket, clipped to the query range."""
    lo_all, hi_all = math.ceil(start.timestamp()), math.ceil(end.timestamp())  # events carry whole seconds
    edges = [math.ceil(s.timestamp()) for s in starts] + [hi_all]
    return [(max(edges[i], lo_all), min(edges[i + 1], hi_all)) for i in range(len(starts))]
