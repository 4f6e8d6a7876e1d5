"""The spec's daily caps (reporting: 225/day), over a rolling day scaled by `window_scale` like the others."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.engine.ratelimit import FixedWindowLimiter
from klaviyo_spec import operation_by_id
from tests.sandbox.engine.helpers import call, error_code


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_reporting_operations_carry_225_a_day_from_the_spec() -> None:
    for name in ("query_campaign_values", "query_flow_values", "query_flow_series", "query_segment_values"):
        op = operation_by_id(name)
        assert (op.burst_per_second, op.steady_per_minute, op.daily) == (1, 2, 225), name


@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_the_226th_call_in_a_rolling_day_is_refused_until_the_oldest_leaves(scale: float) -> None:
    clock = Clock()
    limiter = FixedWindowLimiter(scale, clock)
    day, spacing = 86400 * scale, 31 * scale  # 31 "seconds" apart: never the burst or steady window
    for _ in range(225):
        assert limiter.hit("query_campaign_values", 1, 2, 225).allowed
        clock.now += spacing
    refused = limiter.hit("query_campaign_values", 1, 2, 225)
    assert not refused.allowed and refused.limit == 225
    first_leaves = 1000.0 + day - clock.now
    assert refused.retry_after == max(1, int(-(-first_leaves // 1)))
    assert limiter.hit("query_flow_values", 1, 2, 225).allowed  # per operation
    clock.now = 1000.0 + day  # the first call leaves the rolling day
    assert limiter.hit("query_campaign_values", 1, 2, 225).allowed
    assert not limiter.hit("query_campaign_values", 1, 2, 225).allowed  # burst/steady still apply
    limiter.reset()
    assert limiter.hit("query_campaign_values", 1, 2, 225).allowed


def test_refused_calls_do_not_spend_the_day() -> None:
    clock = Clock()
    limiter = FixedWindowLimiter(1.0, clock)
    assert limiter.hit("op", 1, 2, 3).allowed
    for _ in range(5):
        assert not limiter.hit("op", 1, 2, 3).allowed  # burst-refused, not counted
    clock.now += 61
    assert limiter.hit("op", 1, 2, 3).allowed
    clock.now += 61
    assert limiter.hit("op", 1, 2, 3).allowed
    clock.now += 61
    assert not limiter.hit("op", 1, 2, 3).allowed


def test_the_sandbox_answers_429_after_225_reports(sandbox_factory: Callable[..., SandboxServer]) -> None:
    sb = sandbox_factory(rate_limits=True, window_scale=0.5)
    clock = Clock()
    sb.app.limiter = FixedWindowLimiter(0.5, clock)
    for _ in range(225):
        resp = call(sb.url, "POST", "/api/campaign-values-reports", {"data": {"type": "campaign-values-report"}})
        assert resp.status_code == 400  # the limiter runs before the body is read
        clock.now += 16  # 32 scaled "seconds": the 2/min window never bites
    refused = call(sb.url, "POST", "/api/campaign-values-reports", {"data": {"type": "campaign-values-report"}})
    assert refused.status_code == 429 and error_code(refused) == "throttled"
    assert (
        int(refused.headers["Retry-After"]) == 43200 - 225 * 16
    )  # until the first call leaves the rolling (scaled) day
    assert (
        call(sb.url, "GET", "/api/campaigns", params={"filter": "equals(messages.channel,'email')"}).status_code == 200
    )
