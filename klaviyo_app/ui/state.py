"""Session-state keys in one place, so pages never collide or misspell them."""

from __future__ import annotations

from typing import Any

import streamlit as st

ACTIVE_ACCOUNT = "active_account"
CONNECTION_RESULT = "connection_result"


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)
