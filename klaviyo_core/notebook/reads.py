"""The workbench's reads as DataFrames: metrics, campaign reports, audience members, catalog items.

Each one calls the feature's façade the page and the CLI call (metrics, reports, audiences), so a number in the
notebook is the number on the page. Campaign reports share the page's disk cache and daily reporting budget
(225 calls a day, facts §4): a rerun cell answers from the cache unless `refresh=True`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice

import pandas as pd

from klaviyo_core import reports
from klaviyo_core.audiences import PLATFORMS, hashed_columns, resolve_audience
from klaviyo_core.metrics import AggregateQuery, MetricInfo, fetch_frame, list_metrics
from klaviyo_core.notebook.connection import Connection
from klaviyo_core.notebook.errors import WorkbenchError, explained, frame

MEMBER_PAGE_SIZE = 100  # the maximum of GET /api/lists/{id}/profiles and /api/segments/{id}/profiles
MEMBER_FIELDS = ("email", "phone_number")


def find_metric(metrics: list[MetricInfo], wanted: str) -> str:
    """A metric id from its id or name (case-insensitive); several of one name must be told apart by id."""
    exact = [m for m in metrics if m.id == wanted] or [m for m in metrics if m.name.lower() == wanted.lower()]
    if len(exact) == 1:
        return exact[0].id
    if not exact:
        names = ", ".join(sorted({m.name for m in metrics})) or "none yet"
        raise WorkbenchError(f"No metric is named {wanted!r}.\nWhat to do: use one of: {names}.")
    choices = "; ".join(f"{m.id} ({m.integration})" for m in exact)
    raise WorkbenchError(f"Several metrics are named {wanted!r}.\nWhat to do: pass one id instead: {choices}.")


class Metrics:
    """`wb.metrics`: the account's metrics and their aggregates as DataFrames."""

    def __init__(self, connection: Connection) -> None:
        self._client = connection.client

    def list(self) -> pd.DataFrame:
        """Every metric: id, name, integration, created."""
        with explained():
            metrics = list_metrics(self._client)
        return pd.DataFrame([vars(m) for m in metrics], columns=["id", "name", "integration", "created"])

    def aggregate(
        self,
        metric: str,
        start: datetime,
        end: datetime,
        *,
        interval: str = "day",
        measurements: tuple[str, ...] = ("count",),
        by: tuple[str, ...] = (),
        timezone: str = "UTC",
    ) -> pd.DataFrame:
        """One row per bucket (and dimension value) for `metric` (its name or id) over [start, end)."""
        with explained():
            metric_id = find_metric(list_metrics(self._client), metric)
            try:
                query = AggregateQuery(
                    metric_id, start, end, interval=interval, measurements=measurements, timezone=timezone, by=by
                )
            except (ValueError, LookupError) as exc:
                raise WorkbenchError(f"The query cannot run: {exc}.\nWhat to do: fix that argument.") from None
            return fetch_frame(self._client, query)


class Reports:
    """`wb.reports`: campaign performance as Klaviyo's UI shows it."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def campaigns(
        self, timeframe: str = "last_30_days", *, conversion_metric: str = "Placed Order", refresh: bool = False
    ) -> pd.DataFrame:
        """One row per campaign message: recipients, delivered, open and click rates, conversions, revenue.
        `df.attrs` says whether it came from the cache and what is left of today's reporting budget."""
        if timeframe not in reports.TIMEFRAMES:
            raise WorkbenchError(
                f"Unknown timeframe {timeframe!r}.\nWhat to do: use one of: {', '.join(reports.TIMEFRAMES)}."
            )
        client = self._connection.client
        account_id = self._connection.target().account_id
        with explained():
            metric_id = find_metric(list_metrics(client), conversion_metric)
            try:
                report = reports.campaign_report(client, account_id, timeframe, metric_id, refresh=refresh)
            except reports.BudgetExhaustedError as exc:
                raise WorkbenchError(f"{exc}\nWhat to do: use the cached report, or wait for the budget.") from None
        table = report.frame.copy()
        table.attrs["from_cache"] = report.from_cache
        table.attrs["budget"] = report.budget.describe(report.cached.fetched_at)
        return table


class Audiences:
    """`wb.audiences`: who is in a list or a segment."""

    def __init__(self, connection: Connection) -> None:
        self._client = connection.client

    def export(
        self,
        list: str | None = None,  # `list=` as the issue spells it; the builtin is not needed here
        *,
        segment: str | None = None,
        fields: tuple[str, ...] | list[str] = MEMBER_FIELDS,
        hashed: str | None = None,
    ) -> pd.DataFrame:
        """The members of one list or segment (by id or name): `id` and the profile `fields` asked for (dotted
        for nested ones, e.g. `location.city`); `hashed="meta"|"google"` adds email_sha256 and phone_sha256
        normalised as that platform's customer-list upload wants (the CLI's `audiences export --hashed`)."""
        if (list is None) == (segment is None):
            raise WorkbenchError("Give exactly one of list= or segment= (an id or a name).")
        if hashed is not None and hashed not in PLATFORMS:
            raise WorkbenchError(f"hashed= is one of {', '.join(PLATFORMS)}, not {hashed!r}.")
        kind, wanted = ("list", list) if list is not None else ("segment", segment or "")
        with explained():
            try:
                audience = resolve_audience(self._client, kind, wanted)
            except ValueError as exc:
                raise WorkbenchError(f"{exc}\nWhat to do: pass one of those.") from None
            items = self._client.iter_resources(
                f"/api/{kind}s/{audience.id}/profiles", {"page[size]": str(MEMBER_PAGE_SIZE)}
            )
            members = frame(items)
        return _members(members, tuple(fields), hashed)


def _members(members: pd.DataFrame, fields: tuple[str, ...], hashed: str | None) -> pd.DataFrame:
    out = pd.DataFrame({"id": members["id"]})
    for name in fields:
        out[name] = members[name] if name in members.columns else None
    if hashed:
        emails = members.get("email", pd.Series([""] * len(members))).fillna("").astype(str)
        phones = members.get("phone_number", pd.Series([""] * len(members))).fillna("").astype(str)
        pairs = [hashed_columns(e, p, hashed) for e, p in zip(emails, phones, strict=True)]
        out["email_sha256"] = [e for e, _ in pairs]
        out["phone_sha256"] = [p for _, p in pairs]
    return out


class Catalog:
    """`wb.catalog`: the account's catalog items."""

    def __init__(self, connection: Connection) -> None:
        self._client = connection.client

    def items(self, *, limit: int | None = None) -> pd.DataFrame:
        """Every catalog item (or the first `limit`): id, external_id, title, price, url, ..."""
        with explained():
            return frame(islice(self._client.iter_resources("/api/catalog-items"), limit))
