"""Show any failure as 'what happened / what to do', never as a traceback."""

from __future__ import annotations

import streamlit as st

from klaviyo_app.ui.text import show_md
from klaviyo_core.http import ApiError, KlaviyoError, explain


def render_error(exc: BaseException) -> None:
    explanation = explain(exc)
    show_md("error", "**{what}**\n\n{todo}", "⚠️", what=explanation.what, todo=explanation.todo)
    if isinstance(exc, KlaviyoError) and exc.request is not None:
        with st.expander("Technical details"):
            details = {"request": f"{exc.request.method} {exc.request.url}"}
            if isinstance(exc, ApiError):
                details.update(status=str(exc.status), code=str(exc.code), detail=str(exc.detail))
            st.json(details)
