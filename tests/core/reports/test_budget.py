"""The reporting budget: a rolling-24h local count, persisted, refused politely when gone, corrected by a 429."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from klaviyo_core.reports import DAILY_LIMIT, WINDOW_SECONDS, BudgetExhaustedError, ReportingBudget, budget_path

T0 = 1_800_000_000.0


def test_a_fresh_account_has_the_whole_daily_budget_labelled_an_estimate() -> None:
    status = ReportingBudget("AcctFresh").status(T0)
    assert (status.remaining, status.limit) == (DAILY_LIMIT, 225)
    assert "estimate" in status.describe(T0)


def test_spending_survives_a_restart_and_is_per_account() -> None:
    ReportingBudget("AcctA").spend(T0)
    ReportingBudget("AcctA").spend(T0 + 1)
    assert ReportingBudget("AcctA").status(T0 + 2).remaining == DAILY_LIMIT - 2  # a new object reads the file
    assert ReportingBudget("AcctB").status(T0 + 2).remaining == DAILY_LIMIT


def test_the_window_rolls_calls_older_than_24_hours_are_given_back() -> None:
    budget = ReportingBudget("AcctRoll", limit=2)
    budget.spend(T0)
    budget.spend(T0 + 100)
    assert budget.status(T0 + 200).remaining == 0
    assert budget.status(T0 + WINDOW_SECONDS).remaining == 1
    assert budget.status(T0 + WINDOW_SECONDS + 100).remaining == 2


def test_a_spent_budget_is_refused_with_when_the_next_call_frees_up() -> None:
    budget = ReportingBudget("AcctGone", limit=1)
    budget.spend(T0)
    with pytest.raises(BudgetExhaustedError) as caught:
        budget.spend(T0 + 60)
    message = str(caught.value)
    assert "No reporting calls left" in message and "frees up in" in message and "cached" in message
    assert budget.status(T0 + 60).used == 1  # the refused call was not counted


def test_a_429_overrides_the_estimate_until_retry_after_passes() -> None:
    budget = ReportingBudget("AcctThrottled")
    budget.spend(T0)
    status = budget.note_throttled(3600, T0 + 1)
    assert status.remaining == 0 and status.next_free_at == T0 + 3601
    with pytest.raises(BudgetExhaustedError):
        budget.spend(T0 + 10)
    assert budget.status(T0 + 3602).remaining == DAILY_LIMIT - 1


def test_the_record_is_a_private_file_whose_name_is_not_the_account_id() -> None:
    ReportingBudget("../../etc/x").spend(T0)
    path = budget_path("../../etc/x")
    assert path.parent.name == "reports" and ".." not in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_unreadable_record_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "budget.json"
    path.write_text("{not json", encoding="utf-8")
    assert ReportingBudget("AcctBad", path=path).status(T0).remaining == DAILY_LIMIT
