"""Reporting timeframes: a named key or a custom `{start, end}`, as epoch-second bounds in the account's zone.

Klaviyo (spec `CampaignValuesRequestDTO.timeframe`): a range may span at most one year, a custom range's
offset is ignored and the company's timezone applies, and nothing before 2023-06-01 is reported.
EMULATOR CHOICES (Klaviyo does not define them): `last_N_days` is the N local days ending with today (so far);
`last_3_months`/`last_12_months` are the same as `last_90_days`/`last_365_days`; weeks start on Monday;
`this_*` runs from the period's start to now. The floor clamps a range's start; a range ending before it is 400.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_spec.timeframes import KEYS, key_days

FLOOR = date(2023, 6, 1)
MAX_SPAN = timedelta(days=366)
POINTER = "/data/attributes/timeframe"


def key_range(key: str, today: date) -> tuple[date, date]:
    """[first day, day after the last) of a named timeframe, in local days (400 for an unknown key)."""
    days = key_days(key, today)
    if days is None:
        known = ", ".join(sorted(KEYS))
        raise invalid(f"Unknown timeframe key '{key}'. Use one of: {known}.", pointer=f"{POINTER}/key")
    return days


def _local(text: Any, zone: ZoneInfo, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"timeframe.{field} must be an ISO 8601 datetime.", pointer=f"{POINTER}/{field}") from None
    return parsed.replace(tzinfo=zone)  # the offset is ignored: the company's timezone applies


def bounds(timeframe: Any, timezone: str, now: datetime) -> tuple[int, int]:
    """Epoch seconds [start, end) for the request's timeframe, checked against the span cap and the floor."""
    zone = ZoneInfo(timezone)
    if not isinstance(timeframe, dict):
        raise invalid("timeframe is required: {key: 'last_30_days'} or {start, end}.", pointer=POINTER)
    if "key" in timeframe:
        first, after = key_range(str(timeframe["key"]), now.astimezone(zone).date())
        start = datetime(first.year, first.month, first.day, tzinfo=zone)
        end = datetime(after.year, after.month, after.day, tzinfo=zone)
    else:
        start, end = _local(timeframe.get("start"), zone, "start"), _local(timeframe.get("end"), zone, "end")
    if end <= start:
        raise invalid("timeframe.end must be after timeframe.start.", pointer=POINTER)
    if end - start > MAX_SPAN:
        raise invalid("A reporting timeframe may span at most 1 year.", pointer=POINTER)
    floor = datetime(FLOOR.year, FLOOR.month, FLOOR.day, tzinfo=zone)
    if end <= floor:
        raise invalid("Reporting data is not available before 2023-06-01.", pointer=POINTER)
    return int(max(start, floor).timestamp()), int(end.timestamp())
