"""Failure rehearsal: a share of 429s or 5xx answers, added latency, dropped connections.

Set through the admin route `PUT /__sandbox/faults` (only when the server runs with --admin). Faults apply
to /api and /client routes, never to /__sandbox/ itself.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from klaviyo_sandbox.engine.errors import ApiError, invalid, throttled


@dataclass
class Faults:
    throttle_rate: float = 0.0  # share of requests answered 429
    retry_after: int = 1  # Retry-After on those 429s
    error_rate: float = 0.0  # share answered with one of error_statuses
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    latency_ms: int = 0  # added to every request
    drop_rate: float = 0.0  # share of connections closed without an answer
    paths: list[str] = field(default_factory=list)  # path prefixes; empty = all
    seed: int | None = None

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Faults:
        known = set(cls.__dataclass_fields__)
        unknown = set(doc) - known
        if unknown:
            raise invalid(f"Unknown fault settings: {sorted(unknown)}; known: {sorted(known)}.")
        faults = cls(**doc)
        for name in ("throttle_rate", "error_rate", "drop_rate"):
            if not 0.0 <= float(getattr(faults, name)) <= 1.0:
                raise invalid(f"{name} must be between 0 and 1.")
        return faults

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


DROP = object()  # returned instead of a response: close the socket without answering


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.faults = Faults()
        self._rng = random.Random()

    def set(self, faults: Faults) -> None:
        with self._lock:
            self.faults = faults
            self._rng = random.Random(faults.seed)

    def clear(self) -> None:
        self.set(Faults())

    def pick(self, path: str) -> tuple[float, object | ApiError | None]:
        """(latency seconds, DROP | an ApiError to answer with | None)."""
        with self._lock:
            f = self.faults
            if f.paths and not any(path.startswith(p) for p in f.paths):
                return 0.0, None
            roll = self._rng.random()
            status = self._rng.choice(f.error_statuses) if f.error_statuses else 500
        latency = f.latency_ms / 1000.0
        if roll < f.drop_rate:
            return latency, DROP
        roll -= f.drop_rate
        if roll < f.throttle_rate:
            return latency, throttled(f.retry_after)
        roll -= f.throttle_rate
        if roll < f.error_rate:
            return latency, ApiError(status, "error", "A server error occurred.", f"Injected fault: HTTP {status}.")
        return latency, None
