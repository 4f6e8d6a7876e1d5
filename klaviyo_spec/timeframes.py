"""Klaviyo's reporting timeframe keys as local day ranges, shared by the client (a comparison's previous period)
and the sandbox (what a report counts), so both read `last_30_days` the same way.

Why here: the core and the sandbox cannot import each other; both import this dependency-free package.
EMULATOR CHOICES (Klaviyo does not define them; `klaviyo_sandbox/reports/timeframe.py` lists them): `last_N_days`
is the N local days ending with today; `last_3_months`/`last_12_months` equal `last_90_days`/`last_365_days`;
weeks start on Monday; `this_*` runs from the period's start to the end of today.
"""

from __future__ import annotations

from datetime import date, timedelta

LAST_DAYS = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90, "last_3_months": 90, "last_365_days": 365}
LAST_DAYS |= {"last_12_months": 365}
CALENDAR_KEYS = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_year",
    "last_year",
)
KEYS = (*LAST_DAYS, *CALENDAR_KEYS)


def month_start(day: date, back: int = 0) -> date:
    """The first day of `day`'s month, `back` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def key_days(key: str, today: date) -> tuple[date, date] | None:
    """[first day, day after the last) of a timeframe key in local days; None for a key Klaviyo does not have."""
    if key in LAST_DAYS:
        return today - timedelta(days=LAST_DAYS[key] - 1), today + timedelta(days=1)
    week = today - timedelta(days=today.weekday())
    tomorrow = today + timedelta(days=1)
    ranges = {
        "today": (today, tomorrow),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (week, tomorrow),
        "last_week": (week - timedelta(days=7), week),
        "this_month": (month_start(today), tomorrow),
        "last_month": (month_start(today, 1), month_start(today)),
        "this_year": (date(today.year, 1, 1), tomorrow),
        "last_year": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
    }
    return ranges.get(key)
