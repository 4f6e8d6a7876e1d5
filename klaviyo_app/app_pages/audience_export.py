"""Audience export: a list's or a segment's members as CSV for an ad platform. Inputs -> klaviyo_core.audiences
-> a private file in the data folder -> a download button.

The file is written by the core's export (the one CSV writer, formulas neutralised, 0600) and offered for
download from there; names come from the account, so they reach markdown only through `show_md`.
"""

from __future__ import annotations

import streamlit as st

from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.text import show_md
from klaviyo_core import audiences
from klaviyo_core.paths import data_dir

HASHING = {"No hashes": None, "Meta (email and phone SHA-256)": "meta", "Google (email and phone SHA-256)": "google"}
RESULT = "audience_export_result"
NONE_YET = {
    "list": "Make one on the Lists & segments page, then add people to it on Profile upload.",
    "segment": "Segments are defined in Klaviyo's own app (Lists & Segments); each one shows here once made.",
}

st.title("Audience export")
st.caption("Download a list's or a segment's members (email, phone) as CSV, hashed for Meta or Google if you like.")
client = get_client()
target = f"{client.config.base_url}|{client.config.key_fingerprint}"
kind = st.radio("Export a", audiences.KINDS, horizontal=True, key="ae_kind")
with guarded() as loading:
    choices = audiences.list_audiences(client, kind)
if loading.failed:
    st.stop()
if not choices:
    st.info(f"This account has no {kind}s yet. " + NONE_YET[kind])
    st.stop()
picked = st.selectbox(kind.capitalize(), choices, format_func=lambda a: f"{a.name} ({a.id})", key="ae_audience")
fields = st.multiselect(
    "Columns",
    audiences.EXPORT_FIELDS,
    default=list(audiences.DEFAULT_FIELDS),
    key="ae_fields",
    help="Profile fields, and email_consent / sms_consent (each channel's marketing consent).",
)
hashing = st.selectbox("Hashes for an ad platform", list(HASHING), key="ae_hashed")
st.caption(
    "An interrupted export continues from its last page when you export the same audience with the same "
    "columns again; the file appears only when every member is in."
)
if st.button("Export", type="primary", key="ae_export"):
    st.session_state.pop(RESULT, None)
    platform = HASHING[hashing]
    out = data_dir("exports") / f"{kind}-{picked.id}{'-' + platform if platform else ''}.csv"
    bar = st.progress(0.0, text="Reading members, 100 a page...")

    def show(progress: audiences.ExportProgress) -> None:
        bar.progress(progress.fraction or 0.0, text=progress.text())

    with guarded() as exporting:
        exported = audiences.export_audience(
            client, picked, out, platform, fields=tuple(fields) or None, target=get_target(), on_progress=show
        )
        st.session_state[RESULT] = (target, exported)
    if exporting.failed:
        st.stop()  # the bar stays: it says how far the export got before the error
    bar.empty()  # done: "about 0 s left" under "Exported N members" only repeats it
kept = st.session_state.get(RESULT)
if kept is None or kept[0] != target:
    st.stop()
result: audiences.ExportResult = kept[1]
if result.rows:
    show_md("success", "Exported **{rows}** members of {name}.", rows=f"{result.rows:,}", name=result.audience.name)
else:  # an empty file is rarely what was wanted: say so, and what fills an audience
    show_md(
        "warning",
        "The {which} **{name}** has no members, so the file holds only its header row. A list fills as people "
        "join it (Profile upload, Consent); a segment as Klaviyo finds profiles that match its definition.",
        which=result.audience.kind,
        name=result.audience.name,
    )
st.download_button(
    "Download CSV", result.path.read_bytes(), file_name=result.path.name, mime="text/csv", key="ae_download"
)
