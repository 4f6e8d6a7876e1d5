"""Metric aggregate queries over the events table of `events/store.py` (read-only), and the index they need.

Why here and not in metrics/aggregates.py: the route parses the request and serialises the answer, this module
holds the SQL (moto's models.py / responses.py). Each bucket is one indexed range query; dimension names and
filter values are bound as parameters, never spliced into the statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from klaviyo_sandbox.engine.filters import Condition
from klaviyo_sandbox.engine.store import register_schema

# A covering index, so count/sum_value/unique over a range never touch the table rows (1M events, a year by
# day: see bench/metric_aggregates.py). It supersedes the (metric_id, ts) index for these queries.
register_schema("CREATE INDEX IF NOT EXISTS events_aggregates ON events(metric_id, ts, value, profile_id);", ())

Statement = tuple[str, dict[str, Any]]
"""One SELECT with its named parameters; :lo and :hi, a bucket's bounds in epoch seconds, are left to bind."""


def _dimension_sql(name: str, slot: str, params: dict[str, Any]) -> str:
    """SQL for one dimension's value; the JSON path is bound as a parameter, never spliced in."""
    if name == "$value_currency":
        return "value_currency"
    params[slot] = f'$."{name}"'
    return f"json_extract(properties, :{slot})"


def aggregate_statement(
    metric_id: str, by: Sequence[str], conditions: Sequence[Condition], measurements: Sequence[str]
) -> Statement:
    """The per-bucket query: one row per `by` combination with its (count, sum_value, unique) after the columns
    of `by`; sum_value and unique are 0 when not requested (they cost a scan of values or a distinct set)."""
    params: dict[str, Any] = {"metric": metric_id}
    columns = [f"COALESCE(CAST({_dimension_sql(b, f'd{i}', params)} AS TEXT), '')" for i, b in enumerate(by)]
    columns += [
        "COUNT(*)",
        "TOTAL(value)" if "sum_value" in measurements else "0",
        "COUNT(DISTINCT profile_id)" if "unique" in measurements else "0",
    ]
    where = "metric_id = :metric AND ts >= :lo AND ts < :hi"
    for i, cond in enumerate(conditions):
        expr = _dimension_sql(cond.field, f"f{i}", params)
        values = cond.value if isinstance(cond.value, list) else [cond.value]
        slots = [f"f{i}_{j}" for j in range(len(values))]
        params.update({slot: "" if v is None else str(v) for slot, v in zip(slots, values, strict=True)})
        where += f" AND COALESCE(CAST({expr} AS TEXT), '') IN ({', '.join(':' + s for s in slots)})"
    sql = f"SELECT {', '.join(columns)} FROM events WHERE {where}"
    if by:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(by)))
    return sql, params


def bucket_rows(conn: sqlite3.Connection, statement: Statement, lo: int, hi: int) -> list[sqlite3.Row]:
    """The statement's rows for events with lo <= ts < hi."""
    sql, params = statement
    return conn.execute(sql, {**params, "lo": lo, "hi": hi}).fetchall()
