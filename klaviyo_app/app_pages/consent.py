"""Consent: a CSV of people -> subscribe / unsubscribe / suppress / unsuppress, planned against the account first.

Inputs -> `klaviyo_core.consent` (read, plan, apply) -> render: counts per status and channel, the rows held
apart or refused with why, the plan's warnings, the LIVE confirmation naming counts and whether an unsubscribe
is global, progress, and the per-row report.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import confirm_box, confirmed_write
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.text import md_escape, show_text
from klaviyo_core import audiences, consent
from klaviyo_core.csvfile import csv_text

PLAN_KEY = "consent_plan"  # (digest of file + options + account, ConsentPlan)
RESULT_KEY = "consent_result"  # (same digest, ConsentResult)
NO_LIST = "(no list)"

st.title("Consent")
st.caption(
    "Upload a CSV with an email and/or phone_number column (optional: consented_at, email_marketing, "
    "sms_marketing). Each person's current consent is read first; only what changes is sent."
)
with guarded() as identifying:
    TARGET = get_target()
if identifying.failed:
    st.stop()

uploaded = st.file_uploader("Consent CSV", type=["csv"], key="consent_file")
left, middle, right = st.columns(3)
action = left.selectbox("Action", consent.ACTIONS, key="consent_action")
email_only = action in (consent.SUPPRESS, consent.UNSUPPRESS)
channels = middle.multiselect(
    "Channels", consent.CHANNELS[:1] if email_only else consent.CHANNELS, default=["email"], key="consent_channels"
)
lists: list[audiences.Audience] = []
if not email_only:
    with guarded():
        lists = audiences.list_audiences(get_client(), "list")
labels = [NO_LIST, *(f"{a.name} ({a.id})" for a in lists)]
picked = right.selectbox("List", labels, key="consent_list", disabled=email_only)
chosen = lists[labels.index(picked) - 1] if picked != NO_LIST and not email_only else None
historical = action == consent.SUBSCRIBE and st.checkbox(
    "Historical import: record each row's past consented_at (no double opt-in email is sent)", key="consent_hist"
)
global_unsubscribe = action == consent.UNSUBSCRIBE and st.checkbox(
    "Global unsubscribe: include people not in the list (they stop getting ALL marketing)", key="consent_global"
)
regions = ",".join(consent.DEFAULT_SMS_REGIONS)  # asked only when SMS is: email rows never use it
if consent.SMS in channels:
    regions = st.text_input(
        "Regions this account sends SMS to (country codes, comma separated)", regions, key="consent_regions"
    )


def _options() -> consent.ConsentOptions:
    return consent.ConsentOptions(
        action,
        tuple(channels),
        list_id=chosen.id if chosen else None,
        list_name=chosen.name if chosen else None,
        historical=historical,
        global_unsubscribe=global_unsubscribe,
    )


def _rules() -> consent.RowRules:
    wanted = tuple(r.strip().upper() for r in regions.split(",") if r.strip())
    return consent.RowRules(channels=tuple(channels), historical=historical, sms_regions=wanted)


def _plan(digest: str, data: bytes) -> consent.ConsentPlan | None:
    stored = st.session_state.get(PLAN_KEY)
    if stored and stored[0] == digest and not st.button("Plan again (reads only)", key="consent_replan"):
        return stored[1]  # type: ignore[no-any-return]
    try:
        consent_file = consent.read_consent_upload(data, _rules())
    except consent.ConsentFileError as exc:
        show_text("error", f"This file cannot be used: {exc}")
        return None
    if not consent_file.rows:
        show_text(
            "error",
            "This file has a header row but no rows under it: nobody to plan for. Check that the spreadsheet was "
            "saved with its people in it, then upload it again.",
        )
        return None
    with guarded() as planning, st.spinner("Reading each person's current consent…"):
        try:
            plan = consent.plan_consent(get_client(), consent_file, _options(), target=TARGET)
        except consent.ConsentPlanError as exc:
            show_text("error", str(exc))
            return None
        st.session_state[PLAN_KEY] = (digest, plan)
        st.session_state.pop(RESULT_KEY, None)
    return None if planning.failed else plan


def _show_plan(plan: consent.ConsentPlan) -> None:
    counts = pd.DataFrame(plan.counts()).T.rename_axis("status").reset_index()
    st.dataframe(counts, hide_index=True, key="consent_counts")
    for warning in plan.warnings:
        show_text("info", warning)
    earlier = consent.unfinished_run(plan)
    if earlier is not None:
        show_text(
            "warning",
            f"An earlier run of this file stopped after {earlier[0]} of {earlier[1]} batch(es): applying resumes "
            "it and sends only the rest.",
        )
        if st.button("Forget the earlier run (what it sent stays sent)", key="consent_discard"):
            consent.discard_run(plan)
            st.rerun()
    apart = plan.shown_apart()
    if apart:
        st.subheader("Left out, and why")
        rows = [{"line": c.line, "who": c.who, "channel": c.channel, "status": c.status, "why": c.note} for c in apart]
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="consent_apart")


def _apply(digest: str, plan: consent.ConsentPlan) -> None:
    effect = plan.effect()
    ready = confirm_box(TARGET, effect, "consent_confirm")
    if not st.button(md_escape(f"Apply: {effect}"), key="consent_apply", type="primary", disabled=not ready):
        return
    bar = st.progress(0.0, text="Starting…")

    def show(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=md_escape(f"{done:,} of {total:,} rows sent"))

    result = confirmed_write(
        TARGET,
        effect,
        "consent_confirm",
        lambda token: consent.apply_consent(
            get_client(),
            plan,
            target=TARGET,
            confirmation=token,
            on_progress=show,
            file_name=uploaded.name if uploaded is not None else "",
        ),
    )
    if result is not None:
        st.session_state[RESULT_KEY] = (digest, result)


def _why_failed(result: consent.ConsentResult) -> str:
    """The commonest reason rows failed, said under the counts: a scope or auth failure fails every row with
    the same message, and a marketer reads the alert, not the report's last column."""
    reasons = Counter(result.message.get(key, "") for key, status in result.status.items() if status == consent.FAILED)
    reasons.pop("", None)
    if not reasons:
        return ". The report below says which rows."
    reason, n = reasons.most_common(1)[0]
    rows = "1 row" if n == 1 else f"{n:,} rows"
    more = "" if len(reasons) == 1 else " Other reasons are in the report below."
    again = " Fix the cause, then press Plan again: it reads everyone afresh, so only what still differs is sent."
    return f". Why ({rows}): {reason}{more}{again}"


def _results(digest: str, plan: consent.ConsentPlan) -> None:
    stored = st.session_state.get(RESULT_KEY)
    result = stored[1] if stored and stored[0] == digest else None
    if result is None and plan.writes:
        _apply(digest, plan)
        stored = st.session_state.get(RESULT_KEY)
        result = stored[1] if stored and stored[0] == digest else None
    if result is not None:
        said = ", ".join(f"{n:,} {s}" for s, n in result.counts().items())
        if result.ok:
            st.success(said)
        else:
            show_text("error", said + _why_failed(result))
    elif not plan.writes:
        st.success("Nothing to change: everyone in the file is already in that state (or was left out).")
    st.dataframe(pd.DataFrame(consent.report_rows(plan, result)), hide_index=True, key="consent_rows")
    st.download_button(
        "Download the report (CSV)",
        csv_text(consent.report_csv_rows(plan, result)),
        "consent-report.csv",
        "text/csv",
        key="consent_report",
        on_click="ignore",
    )


if uploaded is not None and action == consent.UNSUBSCRIBE and chosen is None and not global_unsubscribe:
    # the core's own message names the CLI's --list/--global; here the same choice is two widgets above
    st.error(
        "An unsubscribe without a list is global: those people would stop getting ALL marketing. Pick the list "
        "to take them off in **List** above, or tick **Global unsubscribe** if that is what you mean."
    )
elif uploaded is not None and channels:
    data = uploaded.getvalue()
    settings = json.dumps([_options().__dict__, _rules().__dict__, TARGET.label()], sort_keys=True, default=str)
    digest = hashlib.sha256(data + settings.encode()).hexdigest()
    plan = _plan(digest, data)
    if plan is not None:
        _show_plan(plan)
        _results(digest, plan)
