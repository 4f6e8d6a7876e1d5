"""What the campaigns, flows and segments views of "Campaigns & flows" share: column labels, the budget line,
each answer's age, and the one way a report is shown (cached for free, fresh only on a button that says its cost).

One place so the three views cannot drift: a statistic is labelled and formatted alike everywhere, and every view
shows the reporting budget and the data's age the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from klaviyo_app.ui.errors import guarded
from klaviyo_core import reports as core
from klaviyo_core.csvfile import frame_csv

#: every column a report view shows, labelled and formatted once
COLUMNS: dict[str, Any] = {
    "campaign": st.column_config.TextColumn("Campaign"),
    "flow": st.column_config.TextColumn("Flow"),
    "segment": st.column_config.TextColumn("Segment"),
    "message": st.column_config.TextColumn("Message"),
    "tags": st.column_config.TextColumn("Tags"),
    "channel": st.column_config.TextColumn("Channel"),
    "messages": st.column_config.NumberColumn("Messages", format="localized"),
    "recipients": st.column_config.NumberColumn("Recipients", format="localized"),
    "delivered": st.column_config.NumberColumn("Delivered", format="localized"),
    "open_rate": st.column_config.NumberColumn("Open rate", format="percent"),
    "click_rate": st.column_config.NumberColumn("Click rate", format="percent"),
    "conversions": st.column_config.NumberColumn("Conversions", format="localized"),
    "conversion_value": st.column_config.NumberColumn("Revenue", format="dollar"),
    "revenue_per_recipient": st.column_config.NumberColumn("Revenue per recipient", format="dollar"),
    "total_members": st.column_config.NumberColumn("Members at the end", format="localized"),
    "members_added": st.column_config.NumberColumn("Added", format="localized"),
    "members_removed": st.column_config.NumberColumn("Removed", format="localized"),
    "net_members_changed": st.column_config.NumberColumn("Net change", format="localized"),
}


def columns(*keys: str) -> dict[str, Any]:
    """The column configs of `keys`, in that order (a view's dict order is its table's column order)."""
    return {key: COLUMNS[key] for key in keys}


def budget_text(status: core.BudgetStatus) -> str:
    return f"Reporting budget: {status.describe(time.time())}. Other tools using this key spend it too."


def age_caption(report: core.Report | core.CampaignReport, what: str) -> None:
    source = "from cache" if report.from_cache else "fresh from the API"
    st.caption(f"{what}; {source}, {report.cached.describe_age()}.")


def load_report(
    account_id: str,
    button: tuple[str, str],
    state_key: str,
    cached: Callable[[], core.Report | None],
    fetch: Callable[[], core.Report],
) -> core.Report | None:
    """The session's or the disk cache's answer, or a fresh one (1 call) when the button (label, key) is pressed.

    The button is disabled when the budget is gone, so a click never meets a refusal it could have seen."""
    label, key = button
    budget = core.ReportingBudget(account_id).status()
    with guarded() as fetching:
        found: core.Report | None = st.session_state.get(state_key) or cached()
        verb = "Refresh" if found else "Load"
        if st.button(f"{verb} {label} (uses 1 reporting call)", key=key, disabled=budget.remaining == 0):
            found = fetch()
            st.session_state[state_key] = found
    return None if fetching.failed else found


def csv_button(label: str, shown: pd.DataFrame, file_name: str, key: str | None = None) -> None:
    """A download of exactly `shown` through the one CSV writer, made on the click (a rerun writes no CSV), and
    without a rerun (the page stays as it is)."""
    st.download_button(
        label, lambda: frame_csv(shown), file_name=file_name, mime="text/csv", on_click="ignore", key=key
    )
