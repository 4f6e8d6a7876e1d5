"""The segments view of "Campaigns & flows": members per segment at the period's end, added, removed, net change.

One segment-values report is one reporting call of 225 a day, so the view shows the cached answer for free and
spends a call only on the button that says so, with the budget and the answer's age in sight like the other
views. The conversion metric does not apply to membership, so the view says so rather than ignore it silently.
Segment names are user text: they reach the screen through the dataframe only, never as markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from klaviyo_app.ui.report_view import age_caption, budget_text, columns, csv_button, load_report
from klaviyo_app.ui.text import show_text
from klaviyo_core import KlaviyoClient
from klaviyo_core import reports as core

SHOWN = ("segment", "total_members", "members_added", "members_removed", "net_members_changed")
COLUMNS = columns(*SHOWN)


def segments_shown(report: core.Report) -> pd.DataFrame:
    """The rows as shown: largest segment first, ties by name, so the table and its CSV keep one order."""
    table = report.frame[list(SHOWN)]
    return table.sort_values(["total_members", "segment"], ascending=[False, True], kind="stable", ignore_index=True)


def render_segments(client: KlaviyoClient, target: str, account_id: str, timeframe: str) -> None:
    """The segments section for the page's period (the conversion metric plays no part)."""
    st.subheader("Segments")
    budget_line = st.empty()  # written again below, once this run's call (if any) is counted
    budget_line.caption(budget_text(core.ReportingBudget(account_id).status()))
    report = load_report(
        account_id,
        ("segment report", "segment_fetch"),
        f"segments|{target}|{timeframe}",
        lambda: core.cached_segment_report(client, account_id, timeframe),
        lambda: core.segment_report(client, account_id, timeframe, refresh=True),
    )
    budget_line.caption(budget_text(core.ReportingBudget(account_id).status()))
    if report is None:
        return
    age_caption(report, f"{len(report.frame)} segments")
    if report.frame.empty:
        show_text("info", "This account has no segment yet, so there is no membership to report.")
        return
    shown = segments_shown(report)
    st.dataframe(shown, column_config=COLUMNS, hide_index=True, width="stretch", key="segment_table")
    st.caption(
        "Members at the end: members when the period ends. Added, removed and net change: during the period. "
        "The conversion metric above plays no part in segment figures."
    )
    csv_button("Download segments CSV", shown, f"segments-{timeframe}.csv", key="segment_csv")
    st.caption("The CSV holds exactly the rows and columns above, in the same order.")
