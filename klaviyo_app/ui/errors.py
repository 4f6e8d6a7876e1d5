"""Show any failure as 'what happened / what to do', never as a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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


@dataclass
class Outcome:
    """What `guarded()` caught, if anything: callers stop or return when `failed` is set."""

    failed: Exception | None = None


@contextmanager
def guarded(*, show: bool = True) -> Iterator[Outcome]:
    """The UI's one catch-all: whatever fails inside (an API refusal or a bug) is shown as 'what happened /
    what to do' instead of a traceback, and recorded in the yielded `Outcome` so the page can stop or carry on.
    Streamlit's own st.stop()/st.rerun() are BaseExceptions and pass through. `show=False` only records it."""
    outcome = Outcome()
    try:
        yield outcome
    except Exception as exc:  # noqa: BLE001 - the UI boundary: every failure is explained, none is a traceback
        outcome.failed = exc
        if show:
            render_error(exc)
