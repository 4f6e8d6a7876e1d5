"""The profile page's import options: phones' default country, who wins among repeated people, the list
(of the active account, read once per 30 s), explicit consent, bad optional cells and the decimal mark.

Why apart from the page: the page reads top to bottom as file -> mapping -> options -> validate/import; the
widgets that make an `ImportOptions` (and name a list in words for banners and confirmations) live here.
"""

from __future__ import annotations

import streamlit as st

from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.text import show_text
from klaviyo_core.http import KlaviyoError
from klaviyo_core.profiles import CHANNELS, DECIMALS, ON_BAD_FIELD, ImportOptions


# -- lists of the account ------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, ttl=30)
def _lists_of(base_url: str, account: str) -> dict[str, str]:
    """List id -> name (at most 200), read once per 30 s rather than on every rerun of the page."""
    found: dict[str, str] = {}
    for item in get_client().iter_resources("/api/lists"):
        found[item["id"]] = item["attributes"]["name"]
        if len(found) >= 200:
            break
    return found


def forget_account_lists() -> None:
    """Read the lists again on the next run (a page just created one: it must be offered at once)."""
    _lists_of.clear()


def _account_lists() -> dict[str, str]:
    client = get_client()
    return _lists_of(client.config.base_url, str(st.session_state.get("active_account")))


def _list_choice() -> str | None:
    """Pick a list of the active account (or none); falls back to typing an id if lists cannot be read."""
    try:
        lists = {f"{name} ({list_id})": list_id for list_id, name in _account_lists().items()}
    except KlaviyoError:
        return st.text_input("Add to list (list id, optional)", key="profiles_list").strip() or None
    label = st.selectbox("Add to list (optional)", ["(no list)", *lists], key="profiles_list_pick")
    return lists.get(label)


def list_label(list_id: str | None) -> str:
    if not list_id:
        return "no list"
    try:
        name = _account_lists().get(list_id)
    except KlaviyoError:
        name = None
    return f"list {name} ({list_id})" if name else f"list {list_id}"


def import_options() -> ImportOptions | None:
    left, right = st.columns(2)
    country = left.text_input("Default country for phone numbers", "US", key="profiles_country", max_chars=2)
    keep = right.radio(
        "Same person twice in the file",
        ("last", "first"),
        key="profiles_keep",
        horizontal=True,
        format_func=lambda k: f"the {k} row wins",
    )
    list_id = _list_choice()
    subscribe = st.multiselect("Subscribe to marketing (explicit consent)", CHANNELS, key="profiles_subscribe")
    if subscribe and not st.checkbox(
        "These people gave explicit consent for the channels above.", key="profiles_consent"
    ):
        st.info("Subscribing needs explicit consent; tick the box or clear the channels.")
        return None
    on_bad_field, decimal = _cell_options()
    try:
        return ImportOptions(
            (country or "US").upper(), keep, list_id, tuple(subscribe), on_bad_field=on_bad_field, decimal=decimal
        )
    except ValueError as exc:
        show_text("error", exc)
        return None


def _cell_options() -> tuple[str, str]:
    """What a bad optional cell does, and the numbers' decimal mark."""
    bad_left, decimal_right = st.columns(2)
    on_bad_field = bad_left.radio(
        "A bad optional cell (a phone, number or date that is not one)",
        ON_BAD_FIELD,
        key="profiles_on_bad_field",
        format_func=lambda p: "leave that field out, keep the person" if p == "skip-field" else "reject the row",
    )
    decimal = decimal_right.selectbox(
        "Decimal mark in numbers",
        DECIMALS,
        key="profiles_decimal",
        format_func=lambda d: {"auto": "detect (comma in a ; file)", "comma": "comma: 1.234,50"}.get(
            d, "dot: 1,234.50"
        ),
    )
    return str(on_bad_field), str(decimal)
