"""The worker processes behind pass one: results in input order, errors raised in the caller."""

from __future__ import annotations

import pytest

from klaviyo_core.profiles.workers import map_in_order


def test_results_come_back_in_input_order() -> None:
    assert list(map_in_order(pow, [(i, 2) for i in range(7)], 2)) == [i * i for i in range(7)]
    assert list(map_in_order(pow, [], 2)) == []


def test_a_worker_error_is_raised_in_the_caller() -> None:
    results = map_in_order(int, [("1",), ("not a number",), ("3",)], 2)
    assert next(results) == 1
    with pytest.raises(ValueError, match="not a number"):
        next(results)
