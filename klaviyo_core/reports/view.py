"""What the campaigns table shows: filtered by tag and channel, sorted, and the CSV of exactly that.

Kept in the core so the page, the CLI and a notebook filter and sort the same way, and the CSV (through the one
CSV writer) holds the rows in the order they are shown.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from klaviyo_core.csvfile.write import frame_csv

SORTABLE = (
    "conversion_value",
    "revenue_per_recipient",
    "conversions",
    "recipients",
    "delivered",
    "open_rate",
    "click_rate",
    "campaign",
)


def filter_campaigns(
    frame: pd.DataFrame, *, tags: Collection[str] = (), channels: Collection[str] = ()
) -> pd.DataFrame:
    """Rows whose campaign carries any of `tags` and whose channel is one of `channels` (empty: no filter)."""
    keep = pd.Series(True, index=frame.index)
    if tags:
        wanted = set(tags)
        keep &= frame["tags"].map(lambda text: bool(wanted & {t.strip() for t in str(text).split(",") if t.strip()}))
    if channels:
        keep &= frame["channel"].isin(list(channels))
    return frame[keep].reset_index(drop=True)


def sort_campaigns(frame: pd.DataFrame, column: str, *, descending: bool = True) -> pd.DataFrame:
    """Sorted by `column` (ties by campaign then message, so the order is stable across renders)."""
    if column not in frame.columns:
        raise ValueError(f"Cannot sort by '{column}': use one of {', '.join(SORTABLE)}.")
    keys = [column, *[c for c in ("campaign", "message") if c != column and c in frame.columns]]
    ascending = [not descending] + [True] * (len(keys) - 1)
    return frame.sort_values(keys, ascending=ascending, kind="stable").reset_index(drop=True)


def table_csv(frame: pd.DataFrame) -> str:
    """Exactly the shown rows and columns, through the one CSV writer (formula cells neutralised)."""
    return frame_csv(frame)
