"""Klaviyo's rate limits: fixed windows of one second (burst) and one minute (steady) per operation, and a
daily cap where the spec's `x-klaviyo-ratelimit` has one (reporting: 225/day; create_list: 150/day).

Limits are per account and per endpoint; the sandbox has one account, so the counters are per operation.
`window_scale` shrinks every window (0.1: a 100 ms second, a 6 s minute, a 2.4 h day) so throttling tests take
seconds.

The daily window is an EMULATOR CHOICE: whether Klaviyo's day is a UTC day, the account's day or rolling is
unknown (klaviyo-api-facts.md, issue 17), so the sandbox counts over a rolling 24 hours, the strictest
reading: a client that stays under it here stays under it on every reading. The counts live in memory (a
restart forgets them); RateLimit-* headers keep describing the steady window, and a 429 from the daily cap
carries the Retry-After of the oldest call leaving the window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after: int = 0

    def headers(self) -> dict[str, str]:
        if not self.allowed:
            return {"Retry-After": str(self.retry_after)}
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class FixedWindowLimiter:
    def __init__(self, window_scale: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.scale = window_scale
        self._clock = clock
        self._lock = threading.Lock()
        # (operation, window length) -> (window index, count)
        self._counts: dict[tuple[str, float], tuple[int, int]] = {}
        # operation -> the times of its calls in the rolling day, oldest first
        self._days: dict[str, deque[float]] = {}

    def _window(self, key: tuple[str, float], now: float) -> tuple[int, int, float]:
        length = key[1]
        index = int(now // length)
        stored = self._counts.get(key)
        count = stored[1] if stored and stored[0] == index else 0
        reset = (index + 1) * length - now
        return index, count, reset

    def _day_wait(self, operation: str, daily: int, now: float) -> float:
        """Seconds until the rolling day has room for one more call (0 when it has room now)."""
        length = 86400.0 * self.scale
        calls = self._days.setdefault(operation, deque())
        while calls and calls[0] <= now - length:
            calls.popleft()
        return 0.0 if len(calls) < daily else calls[len(calls) - daily] + length - now

    def hit(self, operation: str, burst: int | None, steady: int | None, daily: int | None = None) -> Decision:
        now = self._clock()
        windows = [(n, secs * self.scale) for n, secs in ((burst, 1.0), (steady, 60.0)) if n]
        with self._lock:
            day_wait = self._day_wait(operation, daily, now) if daily else 0.0
            if day_wait > 0:
                retry = math.ceil(day_wait)
                return Decision(False, daily or 0, 0, retry, max(1, retry))
            states = []
            for limit, length in windows:
                key = (operation, length)
                index, count, reset = self._window(key, now)
                states.append((key, limit, index, count, reset))
            blocked = [s for s in states if s[3] >= s[1]]
            if blocked:
                wait = max(s[4] for s in blocked)
                steady_state = states[-1]
                return Decision(False, steady_state[1], 0, math.ceil(wait), max(1, math.ceil(wait)))
            for key, _, index, count, _ in states:
                self._counts[key] = (index, count + 1)
            if daily:
                self._days[operation].append(now)
        if not states:
            return Decision(True, 0, 0, 0)
        _, limit, _, count, reset = states[-1]
        return Decision(True, limit, max(0, limit - count - 1), math.ceil(reset))

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._days.clear()
