"""Series buckets (reports/series.py): local wall-clock steps from the range's start, cut at its end, capped."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from klaviyo_sandbox.engine.errors import ApiError
from klaviyo_sandbox.reports.series import buckets

NY = ZoneInfo("America/New_York")


def _at(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=NY).timestamp())


def test_weekly_buckets_start_at_the_range_start_and_keep_local_midnight_across_dst() -> None:
    spans = buckets("weekly", _at(2026, 2, 25), _at(2026, 3, 20), "America/New_York")
    assert [iso[:10] for _, _, iso in spans] == ["2026-02-25", "2026-03-04", "2026-03-11", "2026-03-18"]
    assert spans[2][2] == "2026-03-11T00:00:00-04:00"  # after the switch to summer time, still midnight
    assert spans[1][1] - spans[1][0] == 7 * 86_400 - 3600  # the week holding the switch is an hour short
    assert spans[-1][1] == _at(2026, 3, 20)  # the last bucket is cut at the end
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))  # no gaps, no overlaps


def test_monthly_buckets_step_calendar_months() -> None:
    spans = buckets("monthly", _at(2026, 1, 1), _at(2026, 4, 1), "America/New_York")
    assert [iso[:10] for _, _, iso in spans] == ["2026-01-01", "2026-02-01", "2026-03-01"]


@pytest.mark.parametrize(
    ("interval", "days"), [("hourly", 8), ("daily", 61), ("monthly", 365), ("fortnightly", 1), (None, 1)]
)
def test_intervals_over_their_cap_or_unknown_are_400_on_interval(interval: object, days: int) -> None:
    with pytest.raises(ApiError) as caught:
        buckets(interval, _at(2026, 1, 1), _at(2026, 1, 1) + days * 86_400, "America/New_York")
    assert caught.value.status == 400 and caught.value.pointer == "/data/attributes/interval"


def test_intervals_at_their_cap_are_fine() -> None:
    assert len(buckets("hourly", _at(2026, 1, 1), _at(2026, 1, 8), "America/New_York")) == 168
    assert len(buckets("daily", _at(2026, 1, 1), _at(2026, 3, 2), "America/New_York")) == 60
