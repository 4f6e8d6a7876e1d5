"""History: what this workbench wrote to the current account, newest first, with each run's report again.

Inputs (the active account, how many runs) -> klaviyo_core.history -> a table and a download. The runs are
filed under the account id the writes were bound to (DESIGN §1b), so switching the account in the sidebar
switches the history. Reports are the files the writers stored through the one CSV writer; they are served
as stored. File and account names are the user's text: the table shows them as text, captions escape them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_target
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.links import PROFILE_UPLOAD, page_link
from klaviyo_app.ui.text import show_md, show_text
from klaviyo_core import history

LIMITS = (50, 200, 1000)

st.title("History")
st.caption(
    "Every profile import, tag apply, label import, event send, catalog apply and consent change made from this "
    "workbench (the app or the command line) on the current account, with its counts and its per-row report. "
    "New lists and opt-in changes are not listed here yet."
)
with guarded() as identifying:
    target = get_target()
if identifying.failed:
    st.stop()
show_md(
    "caption",
    "Account: **{name}** (id {id}, {mode}).",
    name=target.name,
    id=target.account_id,
    mode="LIVE" if target.live else "sandbox",
)
limit = st.selectbox("Show the latest", LIMITS, key="history_limit", format_func=lambda n: f"{n} runs")
runs = history.load_runs(target.account_id, limit)
if not runs:
    st.info("Nothing has been written to this account from this workbench yet.")
    page_link(PROFILE_UPLOAD, "Import profiles", ":material/group:")
    st.stop()
st.dataframe(pd.DataFrame([run.row() for run in runs]), hide_index=True, width="stretch", key="history_table")
if any(run.status == history.INTERRUPTED and run.kind == history.PROFILE_IMPORT for run in runs):
    st.warning("An interrupted profile import can be resumed on the Profile upload page: nothing is sent twice.")
    page_link(PROFILE_UPLOAD, "Resume on Profile upload", ":material/group:")

st.subheader("Download a report again")
with_reports = [run for run in runs if history.report_path(run) is not None]
if not with_reports:
    st.caption("No stored reports for these runs.")
    st.stop()
picked = st.selectbox(
    "Run",
    with_reports,
    format_func=lambda r: f"{r.started_at} · {r.kind} · {r.file_name or 'no file'} · {r.status}",
    key="history_pick",
)
if picked.message:
    show_text("caption", picked.message)
stored = history.report_path(picked)
if stored is not None:
    name = f"{picked.kind.replace(' ', '-')}-{picked.run_id}.csv"
    st.download_button(
        "Download the report", stored.read_bytes(), name, "text/csv", key="history_download", on_click="ignore"
    )
