"""Client pacing: the sliding log never lets a fixed server window see more calls than its limit."""

from __future__ import annotations

from klaviyo_core.http.ratelimit import OperationLimiter, parse_rate_limit_headers


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def send_times(limiter: OperationLimiter, clock: FakeClock, n: int) -> list[float]:
    times = []
    for _ in range(n):
        wait = limiter.reserve()
        clock.now += wait  # the caller sleeps exactly as told
        times.append(clock.now)
    return times


def max_in_any_window(times: list[float], window: float, offset: float) -> int:
    """The most calls any fixed window [k*window + offset, (k+1)*window + offset) receives."""
    counts: dict[int, int] = {}
    for t in times:
        k = int((t - offset) // window)
        counts[k] = counts.get(k, 0) + 1
    return max(counts.values())


def test_fixed_windows_are_respected_whatever_their_alignment() -> None:
    clock = FakeClock()
    limiter = OperationLimiter([(3, 1.0), (60, 60.0)], clock=clock)
    times = send_times(limiter, clock, 200)
    for offset in (0.0, 0.13, 0.5, 0.77):
        assert max_in_any_window(times, 1.0, offset) <= 3
        assert max_in_any_window(times, 60.0, offset * 60) <= 60


def test_pacing_reaches_the_ceiling() -> None:
    clock = FakeClock()
    limiter = OperationLimiter([(10, 1.0), (150, 60.0)], clock=clock)
    times = send_times(limiter, clock, 600)
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate >= 0.9 * (150 / 60)


def test_block_for_delays_everyone() -> None:
    clock = FakeClock()
    limiter = OperationLimiter([(100, 1.0)], clock=clock)
    limiter.block_for(5.0)
    assert limiter.reserve() >= 5.0


def test_rate_limit_headers_parse() -> None:
    info = parse_rate_limit_headers({"RateLimit-Limit": "60", "RateLimit-Remaining": "0", "RateLimit-Reset": "12"})
    assert info is not None and (info.limit, info.remaining, info.reset_seconds) == (60, 0, 12.0)
    assert parse_rate_limit_headers({}) is None
