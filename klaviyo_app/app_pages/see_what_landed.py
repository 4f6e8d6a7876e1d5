"""See what landed: look one profile up after an import. Inputs -> klaviyo_core.audiences.find_profile -> tables.

Everything shown comes from the account (anyone may have typed it), so it is shown as text: tables and st.json,
and `show_text`/`md` for the few sentences that hold a value. The last lookup is kept per target, so a rerun
(or another account picked in the sidebar) never shows one account's profile under another's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.identifiers import missing_country_code, typed_identifier
from klaviyo_app.ui.text import show_md, show_text
from klaviyo_core import audiences

RESULT = "see_what_landed_result"
CAN_RECEIVE = {True: "yes", False: "no", None: "-"}


def _table(rows: Sequence[Mapping[str, object]], key: str, empty: str) -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows).astype(str), hide_index=True, width="stretch", key=key)
    else:
        st.caption(empty)


def _render(view: audiences.ProfileView) -> None:
    show_md("markdown", "#### {name} · profile id {id}", name=view.name or "Profile", id=view.id)
    identifiers = [{"identifier": k, "value": v} for k, v in view.identifiers.items()]
    _table(identifiers, "swl_identifiers", "No email, phone or external id.")
    left, right = st.columns(2)
    left.markdown("**Properties**")
    with left:
        st.json(view.properties or {}, expanded=True)
    right.markdown("**Location**")
    with right:
        st.json(view.location or {}, expanded=True)
    st.markdown("**Consent per channel**")
    consent = [
        {"channel": c.channel, "kind": c.kind, "consent": c.consent, "can receive": CAN_RECEIVE[c.can_receive],
         "suppressed": ", ".join(c.suppressed) or "-"}
        for c in view.consent
    ]  # fmt: skip
    _table(consent, "swl_consent", "No consent recorded.")
    lists_col, segments_col = st.columns(2)
    with lists_col:
        st.markdown("**Lists**")
        _table([{"list": n, "id": i} for i, n in view.lists], "swl_lists", "In no list.")
    with segments_col:
        st.markdown("**Segments**")
        _table([{"segment": n, "id": i} for i, n in view.segments], "swl_segments", "In no segment.")
    st.markdown("**Latest events** (newest first)")
    events = [
        {"when": e.datetime, "metric": e.metric, "value": "" if e.value is None else e.value} for e in view.events
    ]
    _table(events, "swl_events", "No events yet.")


st.title("See what landed")
st.caption("Look a profile up by email, phone (+country code) or profile id: what Klaviyo holds for it now.")
client = get_client()
target = f"{client.config.base_url}|{client.config.key_fingerprint}"
with st.form("swl_lookup", border=False):
    identifier = st.text_input("Email, phone or profile id", key="swl_identifier")
    looked = st.form_submit_button("Look up", type="primary")
if looked:
    st.session_state.pop(RESULT, None)
    identifier = typed_identifier(identifier)
    try:
        hint = missing_country_code(identifier)  # digits alone read as a profile id, and no id is 7-15 digits
        if hint:
            raise ValueError(hint)
        audiences.identifier_kind(identifier)
    except ValueError as exc:
        show_text("error", exc)
        st.stop()
    with guarded() as lookup, st.spinner("Looking the profile up..."):
        st.session_state[RESULT] = (target, identifier, audiences.find_profile(client, identifier))
    if lookup.failed:
        st.stop()
kept = st.session_state.get(RESULT)
if kept is None or kept[0] != target:
    st.stop()
_, asked, view = kept
if view is None:
    show_md(
        "warning",
        "No profile has **{asked}** on this account. Check the spelling; phones need +country code. Imported "
        "just now? Klaviyo may still be processing the import: look it up again in a minute.",
        asked=asked,
    )
else:
    _render(view)
