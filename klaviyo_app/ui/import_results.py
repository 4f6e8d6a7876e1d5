"""What a finished validation or import left, drawn for the profile upload page: counts, top problems,
downloads (which never rerun the page), the exact first job, or what stopped it in words."""

from __future__ import annotations

import json

import streamlit as st

from klaviyo_app.ui.background import Outcome
from klaviyo_app.ui.confirm import render_refusal
from klaviyo_app.ui.errors import render_error
from klaviyo_app.ui.text import show_md, show_text
from klaviyo_core.accounts import TargetError
from klaviyo_core.csvfile import CsvError, frame_csv
from klaviyo_core.http import KlaviyoError
from klaviyo_core.profiles import ImportBusy, ImportStopped, MappingError, UnfinishedImport, problem_rows

FIRST_JOB_CHARS = 20_000  # of the first job's JSON shown on the page (the download has all of it)


def show_outcome(outcome: Outcome, key: str) -> None:
    """A finished run: its counts, problems and downloads, or what stopped it, in words (as text: messages
    name files, columns and accounts, and carry the server's words)."""
    exc = outcome.error
    if isinstance(exc, TargetError):  # another account, no LIVE confirmation, an older checkpoint
        render_refusal(exc)
    elif isinstance(exc, ImportBusy):
        show_text("warning", exc)
    elif isinstance(exc, UnfinishedImport):
        show_md("warning", "{exc} Use **Resume** at the top of the page.", exc=exc)
    elif isinstance(exc, ImportStopped):
        show_md("warning", "{exc} Use **Resume** at the top of the page, or **Discard** it there.", exc=exc)
    elif isinstance(exc, (CsvError, MappingError, ValueError)):
        show_text("error", exc)
    elif isinstance(exc, KlaviyoError):
        render_error(exc)
    elif exc is not None:
        show_text(
            "error", f"The import stopped unexpectedly ({type(exc).__name__}). Nothing is lost: resume it from the top."
        )
    if outcome.result is not None:
        _show_result(outcome, key)


def _show_result(outcome: Outcome, key: str) -> None:
    result = outcome.result
    assert result is not None
    counts = result.counts
    if outcome.label != "validation":
        st.success(f"Done: {counts['imported']:,} of {result.total:,} rows imported.")
    good = "valid" if outcome.label == "validation" else "imported"
    statuses = (good, "rejected", "rejected_by_klaviyo", "skipped_duplicate", "pending")
    for col, status in zip(st.columns(5), statuses, strict=True):
        col.metric(status.replace("_", " "), f"{counts[status]:,}")
    for warning in result.warnings:
        show_text("caption", f"Note: {warning}")
    for note in result.consent:  # "N of M rows will be subscribed (column X)"
        show_text("info", note)
    if result.warned:
        rows = f"{result.warned:,} row{'s' if result.warned != 1 else ''}"
        st.caption(f"{rows} kept with a field left out (a bad optional cell); the report says which.")
    report = result.report_path
    if report is None or not report.exists():
        return
    if outcome.problems is not None and not outcome.problems.empty:
        st.subheader("Top problems")
        st.dataframe(outcome.problems, hide_index=True, key=f"{key}_top")
        st.download_button(
            "Download problem rows",
            lambda: frame_csv(problem_rows(report)).encode("utf-8-sig"),  # formulas neutralised
            "problems.csv",
            key=f"{key}_problems",
            on_click="ignore",
        )
    st.download_button("Download full report", report.read_bytes, "report.csv", key=f"{key}_report", on_click="ignore")
    if result.first_job is not None:
        _first_job(result.first_job, result.plan.get("jobs", 0), key)


def _first_job(job: dict, jobs: int, key: str) -> None:  # type: ignore[type-arg]
    """The exact first job: its start on screen, all of it as a download. A 10,000-profile job is ~4 MB of
    JSON; highlighted on the page it kept the browser busy for seconds after every validation."""
    text = json.dumps(job, indent=2, ensure_ascii=False)
    with st.expander(f"Exact JSON of the first job (of {jobs})"):
        st.code(text[:FIRST_JOB_CHARS], language="json")
        if len(text) > FIRST_JOB_CHARS:
            st.caption(f"The first {FIRST_JOB_CHARS:,} of {len(text):,} characters; the download has all of it.")
        st.download_button("Download the first job", text, "first-job.json", key=f"{key}_job", on_click="ignore")
