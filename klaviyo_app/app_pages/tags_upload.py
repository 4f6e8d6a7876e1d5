"""🏷️ Tag upload: CSV -> detected shape and preview -> plan -> apply with progress -> results and download.
Also a read-only view of the account's tag groups and tags with how many resources each labels."""

from __future__ import annotations

import hashlib
import time

import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import confirm_box, render_refusal, take_confirmation
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.text import md_escape, show_text
from klaviyo_core.accounts import Target, TargetError
from klaviyo_core.tags import (
    MERGE,
    REPLACE,
    ImportsStillRunning,
    LabelError,
    LabelPlan,
    Shape,
    TagFileError,
    apply_plan,
    plan_labels,
    plan_tag_file,
    read_tag_file,
    report_csv,
    report_rows,
    send_labels,
    tag_overview,
)

PLAN_KEY = "tags_plan"  # (file digest, Plan)
RESULT_KEY = "tags_result"  # (file digest, ApplyResult)
LABEL_RUNS_KEY = "tags_label_runs"  # {(file digest, property, mode): "HH:MM" of the run}
MODE_TEXT = {
    MERGE: "Merge: add the labels a profile does not have yet",
    REPLACE: "Replace: exactly these",
}
RERUN_TEXT = {
    MERGE: "only the labels a profile does not have yet are added, so nothing is added twice.",
    REPLACE: "each profile again ends with exactly the labels in the file.",
}
SHAPES_HELP = """
- `tag_group,tag[,exclusive]` creates the groups and tags that are missing (safe to re-run).
- `resource_type,resource,tag_group,tag[,action]` tags lists, segments, campaigns and flows by id or exact
  name; `action=remove` untags. An empty `tag_group` means the default group.
- `email,label` labels **profiles**, which Klaviyo cannot tag: the labels become a custom profile property.
"""


def _planned_on(planned: Target | None, current: Target) -> bool:
    return planned is not None and planned.same_account(current) and planned.live == current.live


st.title("🏷️ Tag upload")
with guarded() as identifying:  # it cannot be identified: nothing can be planned or written
    TARGET = get_target()  # the account plans are read from and applied to
if identifying.failed:
    st.stop()
upload_tab, overview_tab = st.tabs(["Upload a CSV", "Current tags"])


def _labels(data: bytes, digest: str) -> None:
    st.warning(
        "Klaviyo has no profile tags. These labels will be written as a **custom profile property** holding a "
        "list, through the profile bulk import (profiles that do not exist yet are created; consent is never "
        "changed). Segment on that property in Klaviyo to use them."
    )
    name = st.text_input("Profile property name", value="labels", key="tags_label_property")
    mode = st.radio(
        "How to write it",
        [MERGE, REPLACE],
        format_func=MODE_TEXT.__getitem__,
        key="tags_label_mode",
        horizontal=True,
    )
    try:
        plan = plan_labels(read_tag_file(data), name, mode)
    except LabelError as exc:
        show_text("error", exc)
        return
    st.metric("Profiles", plan.profile_count)
    if plan.skipped:
        st.dataframe(pd.DataFrame(plan.skipped, columns=["line", "skipped because"]), hide_index=True)
    if mode == MERGE:
        st.caption(
            "Merge reads each profile's current labels first (after any running profile import has finished) "
            "and appends only the missing ones: running the same file again adds nothing twice."
        )
    runs = st.session_state.setdefault(LABEL_RUNS_KEY, {})
    run_key = (digest, plan.property_name, mode)
    if run_key in runs:
        st.info(f"You already ran this file at {runs[run_key]}. Running it again is safe: {RERUN_TEXT[mode]}")
    effect = f"set the profile property '{plan.property_name}' ({mode}) on {plan.profile_count:,} profiles"
    ready = confirm_box(TARGET, effect, "tags_label_confirm") if plan.labels else False
    if st.button("Start the profile import", key="tags_label_submit", disabled=not ready):
        _send_labels(plan, run_key, effect)


def _send_labels(plan: LabelPlan, run_key: tuple[str, str, str], effect: str) -> None:
    bar = st.progress(0.0, text="Starting…")

    def show(done: int, total: int, message: str) -> None:
        bar.progress(done / max(total, 1), text=md_escape(message))

    with guarded() as sending:
        try:
            token = take_confirmation(TARGET, effect, "tags_label_confirm")
            sent = send_labels(get_client(), plan, on_progress=show, target=TARGET, confirmation=token)
        except TargetError as exc:
            render_refusal(exc)
            return
        except ImportsStillRunning as exc:
            show_text("warning", exc)
            return
    if sending.failed:
        return
    st.session_state[LABEL_RUNS_KEY][run_key] = time.strftime("%H:%M")
    if sent.profiles_up_to_date:
        st.info(f"{sent.profiles_up_to_date} profile(s) already have every label in this file: left out.")
    if sent.jobs:
        show_text(
            "success",
            f"Started bulk import job(s) for {sent.profiles_sent} profile(s): " + ", ".join(sent.jobs) + ". "
            "Follow them on the profile upload page.",
        )
    else:
        st.success("Nothing to add: every profile already has these labels.")


def _plan_view(digest: str, tag_file) -> None:  # type: ignore[no-untyped-def]
    stored = st.session_state.get(PLAN_KEY)
    rebuild = st.button("Rebuild the plan (reads only)", key="tags_build_plan")
    if rebuild or not stored or stored[0] != digest or not _planned_on(stored[1].target, TARGET):
        # planned once per file and account (a switch of account plans again); nothing is written here
        with guarded() as planning, st.spinner("Reading the account's tags and resources…"):
            st.session_state[PLAN_KEY] = (digest, plan_tag_file(get_client(), tag_file, target=TARGET))
            st.session_state.pop(RESULT_KEY, None)
        if planning.failed:
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
        show_text("warning", warning)
    table = pd.DataFrame(report_rows(plan))[["line", "plan", "detail", "warnings"]]
    st.dataframe(table, hide_index=True, key="tags_plan_table")
    if not plan.writes:
        st.success("Nothing to change: the account already matches this file.")
        return
    st.caption(f"Planned on {TARGET.label()}.")
    effect = f"make {plan.writes} tag change{'s' if plan.writes != 1 else ''}"
    ready = confirm_box(TARGET, effect, "tags_confirm")
    label = f"Apply {plan.writes} change{'s' if plan.writes != 1 else ''}"
    if st.button(label, key="tags_apply", type="primary", disabled=not ready):
        bar = st.progress(0.0, text="Starting…")
        with guarded() as applying:
            try:
                result = apply_plan(
                    get_client(),
                    plan,
                    on_progress=lambda d, t, m: bar.progress(d / max(t, 1), text=md_escape(f"{d}/{t} {m}")),
                    target=TARGET,
                    confirmation=take_confirmation(TARGET, effect, "tags_confirm"),
                )
            except TargetError as exc:
                render_refusal(exc)
                return
        if applying.failed:
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
            show_text("error", f"This file cannot be used: {exc}")
        else:
            st.info(f"Detected shape: **{tag_file.shape.value}** · {len(tag_file.rows)} rows")
            preview = pd.DataFrame([r.values for r in tag_file.rows[:20]], columns=tag_file.columns)
            st.dataframe(preview, hide_index=True, key="tags_preview")
            digest = hashlib.sha256(data).hexdigest()
            if tag_file.shape is Shape.PROFILE_LABELS:
                _labels(data, digest)
            else:
                _plan_view(digest, tag_file)

with overview_tab:
    st.caption("Read-only. Tags label campaigns, flows, lists and segments (never profiles).")
    if st.button("Load current tags", key="tags_load_overview"):
        with guarded() as reading, st.spinner("Reading tags (3 requests a second at most)…"):
            usage = tag_overview(get_client())
        if not reading.failed:
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
