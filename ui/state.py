"""Session-state keys in one place, so pages never collide or misspell them."""

from __future__ import annotations

from typing import Any

import streamlit as st

from klaviyo_spec import SPEC_REVISION

ACTIVE_ACCOUNT = "active_account"
REVISION = "api_revision"
CONNECTION_RESULT = "connection_result"


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def revision() -> str:
    return str(st.session_state.get(REVISION, SPEC_REVISION))
