"""Series intervals: the buckets of a timeframe, in the account's zone, with the spec's caps per interval.

Klaviyo (spec `FlowSeriesRequestDTO.interval`): hourly at most 7 days, daily at most 60 days, monthly at most
52 weeks; weekly is bounded by the one-year cap of every timeframe. EMULATOR CHOICE (Klaviyo does not say where
buckets start): the first bucket starts at the timeframe's start and each lasts one interval of local wall time;
the last one is cut at the timeframe's end, so no bucket reaches outside the range. `date_times` are the
buckets' local starts with their UTC offset.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from klaviyo_sandbox.engine.errors import invalid

POINTER = "/data/attributes/interval"
INTERVALS = ("daily", "hourly", "monthly", "weekly")
CAPS = {"hourly": timedelta(days=7), "daily": timedelta(days=60), "monthly": timedelta(weeks=52)}
STEPS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}


def _next(local: datetime, interval: str) -> datetime:
    if interval == "monthly":
        index = local.year * 12 + local.month  # the next month
        year, month = divmod(index, 12)
        day = min(local.day, 28)  # EMULATOR CHOICE: a bucket from the 29th-31st steps to the 28th
        return local.replace(year=year, month=month + 1, day=day)
    if interval == "hourly":
        return datetime.fromtimestamp(local.timestamp() + 3600, local.tzinfo)
    return local + STEPS[interval]  # wall-clock days and weeks (a DST day is 23 or 25 hours)


def buckets(interval: object, start: int, end: int, timezone: str) -> list[tuple[int, int, str]]:
    """(start, end, local ISO start) of each bucket of [start, end)."""
    if interval not in INTERVALS:
        raise invalid(f"interval is required: one of {', '.join(INTERVALS)}.", pointer=POINTER)
    name = str(interval)
    if name in CAPS and timedelta(seconds=end - start) > CAPS[name]:
        limit = {"hourly": "7 days", "daily": "60 days", "monthly": "52 weeks"}[name]
        raise invalid(f"With interval {name} the timeframe cannot be longer than {limit}.", pointer=POINTER)
    zone = ZoneInfo(timezone)
    out: list[tuple[int, int, str]] = []
    local = datetime.fromtimestamp(start, zone)
    while int(local.timestamp()) < end:
        after = _next(local, name)
        out.append((int(local.timestamp()), min(int(after.timestamp()), end), local.isoformat()))
        local = after
    return out
