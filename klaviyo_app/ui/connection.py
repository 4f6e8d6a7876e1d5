"""Sidebar 'Test connection' (the app's only one): one GET /api/accounts, the account's name or the explained
error."""

from __future__ import annotations

import streamlit as st

from klaviyo_app.ui import state
from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.errors import guarded, render_error
from klaviyo_app.ui.text import show_md
from klaviyo_core.accounts import fetch_account


def render_connection_check(key: str = "sidebar_test_connection") -> None:
    """A Test connection button and its last result (kept in session state until the next check)."""
    if st.button("Test connection", key=key, use_container_width=True):
        with guarded(show=False) as outcome:  # shown below, and again on every rerun until the next check
            st.session_state[state.CONNECTION_RESULT] = fetch_account(get_client())
        if outcome.failed:
            st.session_state[state.CONNECTION_RESULT] = outcome.failed
    result = state.get(state.CONNECTION_RESULT)
    if isinstance(result, BaseException):
        render_error(result)
    elif result is not None:
        show_md(
            "success",
            "Connected to **{name}** ({zone}, {currency})",
            ":material/check_circle:",
            name=result.name,
            zone=result.timezone,
            currency=result.currency,
        )
