"""Lists & segments: counts with their age, members paged and searched, a list's opt-in, a new list.
Inputs -> klaviyo_core.audiences -> tables.

Counts cost 1/s and 15/min on Klaviyo, so the table shows the kept ones (with "counted N minutes ago") and
counts only on a click; the chosen one is counted once when it has no fresh count. Writes (a new list, an
opt-in change) go through `confirmed_write`, so a LIVE account needs its name typed for each one. Names come
from the account: tables and `show_md` keep them as text. Member pages are kept per (target, audience,
search), so a rerun or another account never shows one account's members under another's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import confirm_box, confirmed_write
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.identifiers import missing_country_code, typed_identifier
from klaviyo_app.ui.import_options import forget_account_lists
from klaviyo_app.ui.sandbox_info import render_sandbox_access
from klaviyo_app.ui.text import show_md, show_text
from klaviyo_core import audiences

PAGES = "lists_segments_pages"  # (key, [page urls]) : the member pages walked so far
CREATED = "lists_segments_created"  # (target key, Audience): the list just made, said once after the rerun
NONE_YET = {
    "list": "Make one under Create a list at the bottom of this page.",
    "segment": "Segments are defined in Klaviyo's own app (Lists & Segments); each one shows here once made.",
}
OPT_IN_LABELS = {"single_opt_in": "Single opt-in", "double_opt_in": "Double opt-in"}
HEADERS = {"name": "Name", "profile_count": "Members", "counted": "Counted", "opt_in_process": "Opt-in",
           "is_active": "Active", "created": "Created", "updated": "Updated", "id": "Id"}  # fmt: skip


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The table in words: an uncounted list has an empty Members cell (pandas 3 keeps NA through astype(str),
    which Streamlit draws as 'None'), opt-in as on the rest of the page, dates without a midnight time."""
    view = frame[[c for c in HEADERS if c in frame.columns]].copy()
    view["profile_count"] = [f"{n:,}" if pd.notna(n) else "" for n in view["profile_count"]]
    if "opt_in_process" in view:
        view["opt_in_process"] = [
            OPT_IN_LABELS.get(str(v), "" if pd.isna(v) else str(v)) for v in view["opt_in_process"]
        ]
    if "is_active" in view:
        view["is_active"] = ["" if pd.isna(v) else "Yes" if v else "No" for v in view["is_active"]]
    for column in ("created", "updated"):
        view[column] = [str(v)[:10] if pd.notna(v) else "" for v in view[column]]
    return view.fillna("").astype(str).rename(columns=HEADERS)


st.title("Lists & segments")
st.caption(
    "Member counts (Klaviyo allows one count a second, so they are kept and dated), members 100 a page, a "
    "list's opt-in setting, and a new list."
)
client = get_client()
with guarded() as identifying:
    TARGET = get_target()
if identifying.failed:
    st.stop()
render_sandbox_access()
kind = st.radio("Show", audiences.KINDS, horizontal=True, format_func=lambda k: f"{k}s", key="ls_kind")
left, right = st.columns(2)
count_all = left.button("Count members", key="ls_count_all", help="Counts the ones without a fresh count.")
refresh_all = right.button("Recount all", key="ls_refresh_all", help="Counts every one again (1 a second).")
with guarded() as loading, st.spinner("Reading..." if not (count_all or refresh_all) else "Counting, 1 a second..."):
    frame = audiences.audiences_frame(
        client, kind, count=(lambda _: True) if count_all or refresh_all else None, refresh=refresh_all
    )
if loading.failed:
    st.stop()
table = st.empty()  # drawn once the chosen one is counted, so the table and the line under it agree
if frame.empty:
    table.info(f"This account has no {kind}s yet. " + NONE_YET[kind])

# -- one list or segment ------------------------------------------------------------------------------------
if not frame.empty:
    records = {str(r["id"]): r for r in frame.to_dict("records")}  # picked by id: a count or opt-in may change
    picked_id = st.selectbox(
        kind.capitalize(), list(records), format_func=lambda i: f"{records[i]['name']} ({i})", key="ls_pick"
    )
    picked = records[picked_id]
    refresh = st.button("Refresh count", key="ls_refresh")
    with guarded() as counting, st.spinner("Counting..."):
        count = audiences.member_count(client, kind, picked["id"], refresh=refresh)
    if not counting.failed:
        show_md("markdown", "**{count}** members · {age}", count=f"{count.value:,}", age=audiences.age_text(count))
        chosen = frame["id"] == picked_id
        frame.loc[chosen, "profile_count"] = count.value
        frame.loc[chosen, "counted"] = audiences.age_text(count)
    table.dataframe(_shown(frame), hide_index=True, width="stretch", key="ls_table")
    if kind == "list":
        current = picked.get("opt_in_process") or "single_opt_in"
        show_md("caption", "Opt-in: {process}", process=OPT_IN_LABELS.get(current, current))
        with st.expander("Change the opt-in setting"):
            wanted = st.radio(
                "Opt-in process", list(OPT_IN_LABELS), index=list(OPT_IN_LABELS).index(current) if current in
                OPT_IN_LABELS else 0, format_func=OPT_IN_LABELS.__getitem__, key="ls_opt_in"
            )  # fmt: skip
            effect = audiences.opt_in_effect(picked["name"], wanted)
            ready = confirm_box(TARGET, effect, "ls_opt_in_confirm")
            if st.button("Save opt-in", key="ls_opt_in_save", disabled=not ready or wanted == current):
                saved = confirmed_write(
                    TARGET,
                    effect,
                    "ls_opt_in_confirm",
                    lambda token: audiences.set_opt_in(client, picked["id"], wanted, target=TARGET, confirmation=token),
                )
                if saved is not None:
                    st.rerun()

    st.subheader("Members")
    search = st.text_input(
        "Search by whole email or phone (+country code)" + (" or profile id" if kind == "segment" else ""),
        key="ls_search",
    )
    search = typed_identifier(search)
    key = (TARGET.account_id, TARGET.base_url, kind, picked["id"], search)
    kept = st.session_state.get(PAGES)
    urls: list[str | None] = kept[1] if kept and kept[0] == key else [None]
    try:
        hint = missing_country_code(search)
        if hint:
            raise ValueError(hint)
        audiences.search_filter(kind, search)
    except ValueError as exc:
        show_text("error", exc)
        st.stop()
    with guarded() as reading, st.spinner("Reading members..."):
        page = audiences.members_page(client, kind, picked["id"], search=search, page_url=urls[-1])
    if reading.failed:
        st.stop()
    st.session_state[PAGES] = (key, urls)
    if page.frame.empty:
        st.caption(f"Not a member of this {kind}." if search.strip() else f"This {kind} has no members yet.")
    else:
        if search.strip():
            found = page.frame.iloc[0]
            show_md("success", "**{who}** is a member (joined {when}).", who=found["email"] or found["phone_number"]
                    or found["id"], when=found["joined_group_at"])  # fmt: skip
        first = (len(urls) - 1) * 100 + 1
        st.caption(f"Page {len(urls)}: members {first} to {first + len(page.frame) - 1}")
        st.dataframe(page.frame.fillna("").astype(str), hide_index=True, width="stretch", key="ls_members")
    back, forward = st.columns(2)
    if back.button("Previous page", key="ls_prev", disabled=len(urls) == 1):
        st.session_state[PAGES] = (key, urls[:-1])
        st.rerun()
    if forward.button("Next page", key="ls_next", disabled=page.next_url is None):
        st.session_state[PAGES] = (key, [*urls, page.next_url])
        st.rerun()

# -- a new list ---------------------------------------------------------------------------------------------
st.subheader("Create a list")
made_before = st.session_state.pop(CREATED, None)
if made_before is not None and made_before[0] == (TARGET.account_id, TARGET.base_url):
    show_md("success", "Created the list **{name}** ({id}).", name=made_before[1].name, id=made_before[1].id)
name = st.text_input("List name", key="ls_new_name")
opt_in = st.radio("Opt-in process", list(OPT_IN_LABELS), format_func=OPT_IN_LABELS.__getitem__, key="ls_new_opt_in",
                  horizontal=True)  # fmt: skip
effect = audiences.create_effect(name or "", opt_in)
ready = confirm_box(TARGET, effect, "ls_create_confirm", label="Type the account name to create the list")
if st.button("Create list", key="ls_create", type="primary", disabled=not (ready and name.strip())):
    made = confirmed_write(
        TARGET,
        effect,
        "ls_create_confirm",
        lambda token: audiences.create_list(client, name, opt_in, target=TARGET, confirmation=token),
    )
    if made is not None:
        st.session_state[CREATED] = ((TARGET.account_id, TARGET.base_url), made)
        forget_account_lists()  # the profile upload page offers the new list at once
        st.rerun()  # the table above shows the new list
