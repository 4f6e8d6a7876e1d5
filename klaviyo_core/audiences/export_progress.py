"""Progress of an audience export, with an ETA from the members endpoint's rate limit.

Why the rate limit: GET /api/lists/{id}/profiles and /api/segments/{id}/profiles allow 75 requests a second
and 750 a minute (the spec's `x-klaviyo-ratelimit`), 100 members a page, so no export of a large audience can
go faster than 750 pages a minute (1,250 members a second); the client paces itself to that ceiling. The ETA
divides what is left by that ceiling, or by the rate seen so far when that is slower (a slow network, a
sandbox started with scaled windows is matched through `ClientConfig.rate_limit_scale`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_spec import operation_by_id

PAGE_SIZE = 100  # the members endpoints' largest page (spec: page[size] maximum 100)
MEMBERS_OPERATION = "get_profiles_for_list"  # get_profiles_for_segment has the same limits


def members_ceiling(client: KlaviyoClient) -> float:
    """Members a second at the endpoint's ceiling (full pages), for this client's rate-limit scale."""
    pages = operation_by_id(MEMBERS_OPERATION).ceiling_per_second / max(client.config.rate_limit_scale, 1e-9)
    return pages * PAGE_SIZE


@dataclass(frozen=True)
class ExportProgress:
    rows: int
    pages: int
    total: int | None  # the audience's size when known
    eta_seconds: float | None
    ceiling_rows_per_second: float

    @property
    def fraction(self) -> float | None:
        return min(self.rows / self.total, 1.0) if self.total else None

    def text(self) -> str:
        done = f"{self.rows:,} of {self.total:,} members" if self.total is not None else f"{self.rows:,} members"
        left = f", about {self.eta_seconds:,.0f} s left" if self.eta_seconds is not None else ""
        pages = "1 page" if self.pages == 1 else f"{self.pages:,} pages"
        return f"{done} ({pages}){left}; the endpoint allows {self.ceiling_rows_per_second:,.0f}/s"


class EtaClock:
    """Turns rows done into an ExportProgress; the rate is measured from this run's start (a resume's rows
    read before it do not count as speed)."""

    def __init__(self, client: KlaviyoClient, total: int | None, start_rows: int) -> None:
        self.ceiling = members_ceiling(client)
        self.total = total
        self.start_rows = start_rows
        self.started = time.monotonic()

    def progress(self, rows: int, pages: int) -> ExportProgress:
        elapsed = time.monotonic() - self.started
        rate = self.ceiling
        if elapsed >= 1.0 and rows > self.start_rows:
            rate = min(rate, (rows - self.start_rows) / elapsed)
        eta = max(self.total - rows, 0) / rate if self.total is not None and rate > 0 else None
        return ExportProgress(rows, pages, self.total, eta, self.ceiling)
