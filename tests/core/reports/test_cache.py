"""Report answers cached on disk per account and request, with their age, surviving a restart."""

from __future__ import annotations

import stat
from pathlib import Path

from klaviyo_core.reports import ReportCache, request_key

T0 = 1_800_000_000.0
BODY = {
    "data": {
        "type": "campaign-values-report",
        "attributes": {"statistics": ["opens"], "timeframe": {"key": "last_30_days"}},
    }
}
ANSWER = {"data": {"type": "campaign-values-report", "attributes": {"results": []}}}


def test_an_answer_is_found_again_by_a_new_cache_with_its_age(tmp_path: Path) -> None:
    ReportCache(tmp_path).put("AcctA", BODY, ANSWER, now=T0)
    hit = ReportCache(tmp_path).get("AcctA", BODY)
    assert hit is not None and hit.payload == ANSWER
    assert hit.age_seconds(T0 + 180) == 180
    assert hit.describe_age(T0 + 42) == "fetched 42 s ago"
    assert hit.describe_age(T0 + 180) == "fetched 3 min ago"
    assert hit.describe_age(T0 + 7200) == "fetched 2 h ago"


def test_entries_are_per_account_and_per_request(tmp_path: Path) -> None:
    cache = ReportCache(tmp_path)
    cache.put("AcctA", BODY, ANSWER, now=T0)
    other = {"data": {**BODY["data"], "attributes": {"statistics": ["clicks"]}}}
    assert cache.get("AcctB", BODY) is None
    assert cache.get("AcctA", other) is None


def test_the_key_ignores_key_order() -> None:
    reordered = {"data": {"attributes": BODY["data"]["attributes"], "type": "campaign-values-report"}}
    assert request_key("AcctA", BODY) == request_key("AcctA", reordered)


def test_files_are_private_and_a_broken_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ReportCache(tmp_path / "c")
    cache.put("AcctA", BODY, ANSWER, now=T0)
    (entry,) = (tmp_path / "c").iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    entry.write_text("{broken", encoding="utf-8")
    assert cache.get("AcctA", BODY) is None


def test_the_default_location_is_in_the_data_dir() -> None:
    cache = ReportCache()
    assert cache.root.parts[-2:] == ("reports", "cache")
