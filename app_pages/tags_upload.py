"""🏷️ Tag upload: CSV -> detected shape and preview -> plan -> apply with progress -> results and download.
Also a read-only view of the account's tag groups and tags with how many resources each labels."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from klaviyo_core.profile_labels import MERGE, REPLACE, LabelError, plan_labels, submit_labels
from klaviyo_core.tags import Shape, TagFileError, apply_plan, plan_tag_file, read_tag_file, report_csv, report_rows
from klaviyo_core.tags_state import tag_overview
from ui.client import get_client
from ui.errors import render_error

PLAN_KEY = "tags_plan"  # (file digest, Plan)
RESULT_KEY = "tags_result"  # (file digest, ApplyResult)
SHAPES_HELP = """
- `tag_group,tag[,exclusive]` creates the groups and tags that are missing (safe to re-run).
- `resource_type,resource,tag_group,tag[,action]` tags lists, segments, campaigns and flows by id or exact
  name; `action=remove` untags. An empty `tag_group` means the default group.
- `email,label` labels **profiles**, which Klaviyo cannot tag: the labels become a custom profile property.
"""

st.title("🏷️ Tag upload")
upload_tab, overview_tab = st.tabs(["Upload a CSV", "Current tags"])


def _labels(data: bytes) -> None:
    st.warning(
        "Klaviyo has no profile tags. These labels will be written as a **custom profile property** holding a "
        "list, through the profile bulk import (profiles that do not exist yet are created; consent is never "
        "changed). Segment on that property in Klaviyo to use them."
    )
    name = st.text_input("Profile property name", value="labels", key="tags_label_property")
    mode = st.radio(
        "How to write it",
        [MERGE, REPLACE],
        format_func=lambda m: "Merge: append to the profile's labels" if m == MERGE else "Replace: exactly these",
        key="tags_label_mode",
        horizontal=True,
    )
    try:
        plan = plan_labels(read_tag_file(data), name, mode)
    except LabelError as exc:
        st.error(str(exc))
        return
    st.metric("Profiles", plan.profile_count)
    if plan.skipped:
        st.dataframe(pd.DataFrame(plan.skipped, columns=["line", "skipped because"]), hide_index=True)
    if st.button("Start the profile import", key="tags_label_submit", disabled=not plan.labels):
        try:
            jobs = submit_labels(get_client(), plan)
        except Exception as exc:
            render_error(exc)
            return
        st.success("Started bulk import job(s): " + ", ".join(jobs) + ". Follow them on the profile upload page.")


def _plan_view(digest: str, tag_file) -> None:  # type: ignore[no-untyped-def]
    stored = st.session_state.get(PLAN_KEY)
    rebuild = st.button("Rebuild the plan (reads only)", key="tags_build_plan")
    if rebuild or not stored or stored[0] != digest:  # planned once per file; nothing is written here
        try:
            with st.spinner("Reading the account's tags and resources…"):
                st.session_state[PLAN_KEY] = (digest, plan_tag_file(get_client(), tag_file))
            st.session_state.pop(RESULT_KEY, None)
        except Exception as exc:
            render_error(exc)
            return
    stored = st.session_state.get(PLAN_KEY)
    if not stored or stored[0] != digest:
        return
    plan = stored[1]
    cols = st.columns(len(plan.counts()) + 2)
    cols[0].metric("New groups", len(plan.new_groups))
    cols[1].metric("New tags", len(plan.new_tags))
    for col, (action, n) in zip(cols[2:], plan.counts().items(), strict=True):
        col.metric(action.capitalize(), n)
    for warning in plan.warnings:
        st.warning(warning)
    table = pd.DataFrame(report_rows(plan))[["line", "plan", "detail", "warnings"]]
    st.dataframe(table, hide_index=True, key="tags_plan_table")
    if not plan.writes:
        st.success("Nothing to change: the account already matches this file.")
        return
    if get_client().config.is_live:
        st.warning("Target: your **live** Klaviyo account. Applying changes its tags for real.")
    if st.button(f"Apply {plan.writes} change{'s' if plan.writes != 1 else ''}", key="tags_apply", type="primary"):
        bar = st.progress(0.0, text="Starting…")
        try:
            result = apply_plan(
                get_client(), plan, on_progress=lambda d, t, m: bar.progress(d / max(t, 1), text=f"{d}/{t} {m}")
            )
        except Exception as exc:
            render_error(exc)
            return
        st.session_state[RESULT_KEY] = (digest, result)
    _results(digest, plan)


def _results(digest: str, plan) -> None:  # type: ignore[no-untyped-def]
    stored = st.session_state.get(RESULT_KEY)
    if not stored or stored[0] != digest:
        return
    result = stored[1]
    counts = result.counts()
    (st.success if result.ok else st.error)(", ".join(f"{n} {s}" for s, n in counts.items()))
    table = pd.DataFrame(report_rows(plan, result))[["line", "plan", "status", "message"]]
    st.dataframe(table, hide_index=True, key="tags_result_table")
    st.download_button(
        "Download the report (CSV)", report_csv(plan, result), "tag-upload-report.csv", "text/csv", key="tags_report"
    )


with upload_tab:
    st.markdown(SHAPES_HELP)
    uploaded = st.file_uploader("CSV file", type=["csv"], key="tags_file")
    if uploaded is not None:
        data = uploaded.getvalue()
        try:
            tag_file = read_tag_file(data)
        except TagFileError as exc:
            st.error(f"This file cannot be used: {exc}")
        else:
            st.info(f"Detected shape: **{tag_file.shape.value}** · {len(tag_file.rows)} rows")
            preview = pd.DataFrame([r.values for r in tag_file.rows[:20]], columns=tag_file.columns)
            st.dataframe(preview, hide_index=True, key="tags_preview")
            if tag_file.shape is Shape.PROFILE_LABELS:
                _labels(data)
            else:
                _plan_view(hashlib.sha256(data).hexdigest(), tag_file)

with overview_tab:
    st.caption("Read-only. Tags label campaigns, flows, lists and segments (never profiles).")
    if st.button("Load current tags", key="tags_load_overview"):
        try:
            with st.spinner("Reading tags (3 requests a second at most)…"):
                usage = tag_overview(get_client())
        except Exception as exc:
            render_error(exc)
        else:
            rows = [
                {
                    "group": u.group + (" (exclusive)" if u.exclusive else "") + (" (default)" if u.default else ""),
                    "tag": u.tag,
                    **u.counts,
                    "total": u.total,
                }
                for u in usage
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True, key="tags_overview_table")
