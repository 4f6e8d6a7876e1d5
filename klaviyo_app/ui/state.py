"""Session-state keys in one place, so pages never collide or misspell them."""

from __future__ import annotations

from typing import Any

import streamlit as st

from klaviyo_core.paths import tighten_existing

ACTIVE_ACCOUNT = "active_account"
CONNECTION_RESULT = "connection_result"


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


@st.cache_resource(show_spinner=False)
def private_files_tightened() -> int:
    """Files an earlier version wrote (0644 in 0755 folders) made 0600/0700 once per app process (the data dir
    keeps a marker, so it is a walk only the first time)."""
    try:
        return tighten_existing()
    except OSError:  # a folder we cannot change is not a reason to keep the app from starting
        return 0
