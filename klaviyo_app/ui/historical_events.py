"""The Test events page's upload of historical events (issue 20): a CSV of past orders or custom events.

Kept apart from the page so the page stays short; the page calls `historical_section`. Inputs -> the events
façade (plan, first job, import) -> render. Rows older than a day go with backfill (no flow fires) and the page
says so; a LIVE load asks for the account name, and its effect says when flows may fire.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from klaviyo_app.ui.confirm import confirm_box, confirmed_write
from klaviyo_app.ui.text import show_text
from klaviyo_core.csvfile import csv_text
from klaviyo_core.events import (
    BACKFILL_MEANING,
    FLOWS_MAY_FIRE,
    PROPERTY_TYPE_NAMES,
    EventFileError,
    ImportColumns,
    ImportPlan,
    checkpoint_for,
    decode_upload,
    import_bodies,
    import_events,
    import_headers,
    plan_import,
    report_rows,
)

K_HIST_FILE = "events_hist_file"
K_HIST_METRIC_COLUMN = "events_hist_metric_column"
K_HIST_METRIC = "events_hist_metric"
K_HIST_UNIQUE = "events_hist_unique_column"
K_HIST_CONFIRM = "events_hist_confirm"
K_HIST_SEND = "events_hist_send"
K_HIST_TYPE = "events_hist_type::"  # + column: the type chosen for a property column
ONE_NAME = "(one metric name for every row)"
ROW_HASH = "(none: an id made from the row itself)"


def _historical_columns(headers: list[str]) -> ImportColumns:
    """The metric (fixed or a column) and the unique-id column (an order id makes a re-run add nothing); the
    property types chosen below on an earlier run of the page (the rest are guessed)."""
    column = st.selectbox("Metric", [ONE_NAME, *headers], key=K_HIST_METRIC_COLUMN)
    metric = st.text_input("Metric name", "Placed Order", key=K_HIST_METRIC) if column == ONE_NAME else None
    default = headers.index("unique_id") + 1 if "unique_id" in headers else 0
    unique = st.selectbox("Unique id column (e.g. the order id)", [ROW_HASH, *headers], default, key=K_HIST_UNIQUE)
    chosen = {h: str(st.session_state[K_HIST_TYPE + h]) for h in headers if K_HIST_TYPE + h in st.session_state}
    return ImportColumns(
        metric, None if column == ONE_NAME else column, None if unique == ROW_HASH else unique, types=chosen
    )


def _property_types(plan: ImportPlan) -> None:
    """Each property column's type, guessed as for profiles and changeable: what is shown is what is sent."""
    if not plan.property_types:
        return
    with st.expander("Property types (a number or a date can be summed and compared in segments)"):
        for column, kind in plan.property_types.items():
            st.selectbox(column, PROPERTY_TYPE_NAMES, PROPERTY_TYPE_NAMES.index(kind), key=K_HIST_TYPE + column)
    for dropped in plan.dropped[:10]:
        show_text("warning", f"Row {dropped.row}: {dropped.column} '{dropped.value}' {dropped.why}.")
    if len(plan.dropped) > 10:
        show_text("warning", f"... and {len(plan.dropped) - 10:,} more cells left out (the report lists each one).")


def _historical_plan() -> ImportPlan | None:
    label = "CSV: email|phone_number|external_id|profile_id, time with a zone, value, value_currency, more columns"
    upload = st.file_uploader(label, type=["csv", "txt"], key=K_HIST_FILE)
    if upload is None:
        return None
    try:
        text = decode_upload(upload.getvalue())
    except EventFileError as exc:
        show_text("error", str(exc))
        return None
    plan = plan_import(text, _historical_columns(import_headers(text)))
    _property_types(plan)
    for problem in plan.errors[:20]:
        show_text("error", f"Row {problem.row}, {problem.field}: {problem.message}")
    if plan.errors:
        show_text("error", f"{len(plan.errors):,} row(s) to fix; nothing is sent until the file is clean.")
        return None
    return plan


def historical_section(target: Any, client: Any) -> None:
    """Upload, check every row, show the first job and what backfill means, then load on a click (confirmed
    on LIVE); the per-row report is offered for download."""
    with st.expander("Historical events from a CSV (past orders, custom events)"):
        show_text("caption", BACKFILL_MEANING)
        plan = _historical_plan()
        if plan is None or not plan.events:
            return
        recent = plan.recent
        show_text("info", f"{len(plan.events):,} events, {len(plan.events) - recent:,} with backfill.")
        effect = f"load {len(plan.events):,} historical events"
        if recent:
            effect += f"; {recent:,} of them are from the last day and go without backfill, so {FLOWS_MAY_FIRE}"
            show_text("warning", f"{recent:,} event(s) from the last day go without backfill: {FLOWS_MAY_FIRE}.")
        with st.expander("The first job, exactly as sent"):
            st.json(import_bodies(plan)[0], expanded=False)
        ready = confirm_box(target, effect, K_HIST_CONFIRM, "Type the account name to confirm the load")
        if not st.button(f"Load {len(plan.events):,} events", key=K_HIST_SEND, disabled=not ready):
            return
        checkpoint = checkpoint_for(plan, target)
        result = confirmed_write(
            target,
            effect,
            K_HIST_CONFIRM,
            lambda token: import_events(
                client,
                plan,
                target=target,
                confirmation=token,
                checkpoint=checkpoint,
                file_name=getattr(st.session_state.get(K_HIST_FILE), "name", ""),
            ),
        )
        if result is None:
            return
        st.success(f"{result.accepted_events:,} events accepted in {result.batches} job(s).")
        if result.resumed_events:
            show_text("info", f"{result.resumed_events:,} of them were accepted in an earlier run and not sent again.")
        for index, why in result.failures:
            show_text("error", f"Job {index + 1}: {why.what} What to do: {why.todo} Load again to send the rest.")
        report = csv_text(report_rows(result.row_status, plan))
        st.download_button("Download the per-row report", report, "events-report.csv", "text/csv")
