"""Tag upload: CSV -> detected shape and preview -> plan -> apply with progress -> results and download.
Also a read-only view of the account's tag groups and tags with how many resources each labels."""

from __future__ import annotations

import hashlib
import time

import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import confirm_box, confirmed_write
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.links import HISTORY, page_link
from klaviyo_app.ui.text import md_escape, show_text
from klaviyo_core.accounts import LiveConfirmation, Target
from klaviyo_core.tags import (
    FIELDS,
    MERGE,
    REPLACE,
    TEMPLATE_FILES,
    ImportsStillRunning,
    LabelError,
    LabelPlan,
    LabelSubmission,
    Shape,
    TagFileError,
    apply_plan,
    overview_csv,
    overview_rows,
    plan_labels,
    plan_tag_file,
    read_tag_file,
    report_csv,
    report_rows,
    send_labels,
    tag_overview,
    template_csv,
)

PLAN_KEY = "tags_plan"  # (file digest, Plan)
RESULT_KEY = "tags_result"  # (file digest, ApplyResult)
LABEL_RUNS_KEY = "tags_label_runs"  # {(file digest, property, mode): "HH:MM" of the run}
OVERVIEW_KEY = "tags_overview"  # (account label, [TagUsage]) from the last "Load current tags"
NOT_MAPPED = "(not used)"
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
- `resource_type,resource,tag[,tag_group][,action]` tags lists, segments, campaigns and flows by id or exact
  name (`Type,Name,Tag` works too); `action=remove` untags. No or an empty `tag_group` means the default group.
- `email,label` labels **profiles**, which Klaviyo cannot tag: the labels become a custom profile property.
"""


def _planned_on(planned: Target | None, current: Target) -> bool:
    return planned is not None and planned.same_account(current) and planned.live == current.live


st.title("Tag upload")
with guarded() as identifying:  # it cannot be identified: nothing can be planned or written
    TARGET = get_target()  # the account plans are read from and applied to
if identifying.failed:
    st.stop()
upload_tab, overview_tab = st.tabs(["Upload a CSV", "Current tags"])


def _labels(tag_file, digest: str) -> None:  # type: ignore[no-untyped-def]
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
        plan = plan_labels(tag_file, name, mode)
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

    def write(token: LiveConfirmation | None) -> LabelSubmission | None:
        name = getattr(st.session_state.get("tags_file"), "name", "")
        try:
            return send_labels(get_client(), plan, on_progress=show, target=TARGET, confirmation=token, file_name=name)
        except ImportsStillRunning as exc:  # not a failure: the account is busy, the person waits and retries
            show_text("warning", exc)
            return None

    sent = confirmed_write(TARGET, effect, "tags_label_confirm", write)
    if sent is None:
        return
    st.session_state[LABEL_RUNS_KEY][run_key] = time.strftime("%H:%M")
    if sent.profiles_up_to_date:
        st.info(f"{sent.profiles_up_to_date} profile(s) already have every label in this file: left out.")
    if sent.jobs:
        show_text(
            "success",
            f"Started bulk import job(s) for {sent.profiles_sent} profile(s): " + ", ".join(sent.jobs) + ". "
            "Klaviyo finishes them in the background; the run and its per-profile report are on the History page.",
        )
        page_link(HISTORY, "Open History", ":material/history:")
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
    numbers = plan.summary()
    for col, (label, n) in zip(st.columns(max(len(numbers), 1)), numbers.items(), strict=False):
        col.metric(label, n)
    for warning in plan.warnings:
        show_text("warning", warning)
    table_slot = st.container()  # one table: the plan, then (after Apply) the same rows with what happened
    if not plan.writes:
        st.success("Nothing to change: the account already matches this file.")
    else:
        _apply_controls(digest, plan)
    with table_slot:
        _rows_table(digest, plan)


def _apply_controls(digest: str, plan) -> None:  # type: ignore[no-untyped-def]
    show_text("caption", f"Planned on {TARGET.label()}.")  # the account name is the user's text
    effect = f"make {plan.writes} tag change{'s' if plan.writes != 1 else ''}"
    ready = confirm_box(TARGET, effect, "tags_confirm")
    label = f"Apply {plan.writes} change{'s' if plan.writes != 1 else ''}"
    if not st.button(label, key="tags_apply", type="primary", disabled=not ready):
        return
    bar = st.progress(0.0, text="Starting…")

    def show(done: int, total: int, message: str) -> None:
        bar.progress(done / max(total, 1), text=md_escape(f"Step {done} of {total}: {message}"))

    result = confirmed_write(
        TARGET,
        effect,
        "tags_confirm",
        lambda token: apply_plan(
            get_client(),
            plan,
            on_progress=show,
            target=TARGET,
            confirmation=token,
            file_name=getattr(st.session_state.get("tags_file"), "name", ""),
        ),
    )
    if result is not None:
        st.session_state[RESULT_KEY] = (digest, result)


def _rows_table(digest: str, plan) -> None:  # type: ignore[no-untyped-def]
    """The file's rows with the plan, or with what happened once applied; long texts are listed in full below
    the table (a table cell cuts them off)."""
    stored = st.session_state.get(RESULT_KEY)
    result = stored[1] if stored and stored[0] == digest else None
    rows = report_rows(plan, result)
    if result is not None:
        counts = result.counts()
        (st.success if result.ok else st.error)(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    last = ["status", "message"] if result else ["plan", "detail"]
    table = pd.DataFrame(rows)[["line", *last, *plan_columns(plan)]]  # what happens first, the file's cells after
    wide = {name: st.column_config.TextColumn(width="large") for name in ("message", "detail")}
    wide.update({name: st.column_config.TextColumn(width="medium") for name in plan_columns(plan)})
    st.dataframe(table, hide_index=True, key="tags_rows_table", column_config=wide)
    noted = [r for r in rows if r.get("status") in ("failed", "skipped") or (not result and r["plan"] == "skip")]
    if noted:
        with st.expander(f"{len(noted)} row(s) not done, in full", expanded=True):
            for r in noted:
                show_text("markdown", f"Line {r['line']}: {r.get('message') or r['detail']}")
    if result is not None:
        st.download_button(
            "Download the report (CSV)",
            report_csv(plan, result),
            "tag-upload-report.csv",
            "text/csv",
            key="tags_report",
            on_click="ignore",
        )


def plan_columns(plan) -> list[str]:  # type: ignore[no-untyped-def]
    """The file's own columns, in the order the plan rows carry them."""
    return list(plan.rows[0].values) if plan.rows else []


def _templates() -> None:
    cols = st.columns(len(TEMPLATE_FILES))
    for col, (shape, name) in zip(cols, TEMPLATE_FILES.items(), strict=True):
        col.download_button(
            f"Template: {shape.value}",
            template_csv(shape),
            name,
            "text/csv",
            key=f"tags_template_{name}",
            on_click="ignore",
            icon=":material/download:",
        )


def _read(data: bytes):  # type: ignore[no-untyped-def]
    """The file as a TagFile, or None after explaining why not; an unknown header gets a column mapping."""
    try:
        return read_tag_file(data)
    except TagFileError as exc:
        if not exc.header:
            show_text("error", f"This file cannot be used: {exc}")
            return None
        header = exc.header
        show_text("warning", f"This file cannot be used as it is: {exc} Say what each column holds:")
    mapping: dict[str, str] = {}
    cols = st.columns(min(len(header), 4))
    for n, cell in enumerate(header):
        chosen = cols[n % len(cols)].selectbox(
            md_escape(cell) or f"Column {n + 1}", [NOT_MAPPED, *FIELDS], key=f"tags_map_{n}"
        )
        if chosen != NOT_MAPPED:
            mapping[cell] = chosen
    if not mapping:
        return None
    try:
        return read_tag_file(data, mapping=mapping)
    except TagFileError as again:
        show_text("info", f"Not usable yet: {again}")
        return None


with upload_tab:
    st.markdown(SHAPES_HELP)
    _templates()
    uploaded = st.file_uploader("CSV file", type=["csv"], key="tags_file")
    if uploaded is not None:
        data = uploaded.getvalue()
        tag_file = _read(data)
        if tag_file is not None:
            st.info(f"Detected shape: **{tag_file.shape.value}** · {len(tag_file.rows)} rows")
            digest = hashlib.sha256(data + repr(tag_file.columns).encode()).hexdigest()
            if tag_file.shape is Shape.PROFILE_LABELS:
                preview = pd.DataFrame([r.values for r in tag_file.rows[:20]], columns=tag_file.columns)
                st.dataframe(preview, hide_index=True, key="tags_preview")
                _labels(tag_file, digest)
            else:
                _plan_view(digest, tag_file)

with overview_tab:
    st.caption("Read-only. Tags label campaigns, flows, lists and segments (never profiles).")
    if st.button("Load current tags", key="tags_load_overview"):
        with guarded() as reading, st.spinner("Reading tags (3 requests a second at most)…"):
            st.session_state[OVERVIEW_KEY] = (TARGET.label(), tag_overview(get_client()))
    loaded = st.session_state.get(OVERVIEW_KEY)
    if loaded and loaded[0] == TARGET.label():
        st.dataframe(pd.DataFrame(overview_rows(loaded[1])), hide_index=True, key="tags_overview_table")
        st.download_button(
            "Export (CSV)",
            overview_csv(loaded[1]),
            "current-tags.csv",
            "text/csv",
            key="tags_overview_export",
            on_click="ignore",
            icon=":material/download:",
        )
