"""Client-side pacing per operation, so a burst of calls is spread out instead of throttled.

Klaviyo counts requests in FIXED windows (1 s burst, 1 min steady) per account and endpoint. A classic token
bucket starts full and refills continuously, which can still put more than the limit into one fixed minute.
We therefore keep a sliding log of send times: no interval as long as a window ever holds more sends than the
limit, which guarantees every fixed window on the server is respected too, whatever its alignment, while
still reaching ~98% of the ceiling. A small margin absorbs network jitter.

Limiters are shared process-wide per (base URL, key digest, operation), because limits belong to the account,
not to one client object. `RateLimit-Remaining: 0` and 429 `Retry-After` answers pause the operation for
everyone using the same key.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from klaviyo_spec import Operation

MARGIN = 0.02  # share of each window added as a safety gap


@dataclass(frozen=True)
class RateLimitInfo:
    """The last RateLimit-* values an operation answered with, for the UI."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None
    observed_at: float  # time.time()


class OperationLimiter:
    def __init__(self, windows: list[tuple[int, float]], clock: Callable[[], float] = time.monotonic) -> None:
        self.windows = sorted(windows, key=lambda w: w[1])
        self._clock = clock
        self._lock = threading.Lock()
        self._sends: deque[float] = deque()
        self._blocked_until = 0.0
        self._horizon = max((w for _, w in self.windows), default=0.0) * (1 + MARGIN)

    def reserve(self) -> float:
        """Book the next send slot (first come, first served); returns seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._blocked_until, self._sends[-1] if self._sends else now)
            for count, window in self.windows:
                if len(self._sends) >= count:
                    slot = max(slot, self._sends[-count] + window * (1 + MARGIN))
            self._sends.append(slot)
            while self._sends and self._sends[0] < slot - self._horizon and len(self._sends) > 1:
                self._sends.popleft()
            return slot - now

    def block_for(self, seconds: float) -> None:
        """Nobody sends on this operation for `seconds` (Retry-After, or RateLimit-Remaining 0)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)


_registry: dict[tuple[str, str, str, float], OperationLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(base_url: str, key_digest: str, operation: Operation, scale: float) -> OperationLimiter | None:
    windows = []
    if operation.burst_per_second:
        windows.append((operation.burst_per_second, 1.0 * scale))
    if operation.steady_per_minute:
        windows.append((operation.steady_per_minute, 60.0 * scale))
    if not windows:
        return None
    key = (base_url, key_digest, operation.operation_id, scale)
    with _registry_lock:
        if key not in _registry:
            _registry[key] = OperationLimiter(windows)
        return _registry[key]


def forget_limiters() -> None:
    """Start every operation's pacing afresh: for a sandbox whose own windows were just reset (tests that share
    one embedded sandbox), never for a real account, whose windows do not forget."""
    with _registry_lock:
        _registry.clear()


def parse_rate_limit_headers(headers: dict[str, str] | object) -> RateLimitInfo | None:
    get = getattr(headers, "get", None)
    if get is None:
        return None

    def num(name: str) -> float | None:
        value = get(name)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    limit, remaining, reset = num("RateLimit-Limit"), num("RateLimit-Remaining"), num("RateLimit-Reset")
    if limit is None and remaining is None:
        return None
    return RateLimitInfo(
        int(limit) if limit is not None else None,
        int(remaining) if remaining is not None else None,
        reset,
        time.time(),
    )
