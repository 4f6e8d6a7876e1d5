"""`guarded()`, the UI's one catch-all: a failure is shown as 'what happened / what to do' and recorded, the page
carries on (or stops where it chooses), and a bug in a tag upload is explained rather than blamed on the rows."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.http.client import KlaviyoClient
from tests.app.test_tags_page import page, upload


def _guarded_script() -> None:
    import streamlit as st

    from klaviyo_app.ui.errors import guarded

    with guarded() as shown:
        raise KeyError("data")
    with guarded(show=False) as quiet:
        raise ValueError("kept for later")
    st.write(f"carried on after {type(shown.failed).__name__} and {type(quiet.failed).__name__}")
    with guarded():
        st.stop()  # Streamlit's control flow is not a failure: it passes through
    st.write("never reached")


def test_guarded_explains_records_and_lets_stop_through() -> None:
    at = AppTest.from_function(_guarded_script)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "**Unexpected problem: KeyError: 'data'**\n\nRetry; if it persists, report it with this message."
    ]
    texts = [m.value for m in at.markdown]
    assert "carried on after KeyError and ValueError" in texts and "never reached" not in texts


def test_a_bug_while_applying_tags_is_explained_not_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    at = upload(page(), "tag_group,tag,exclusive\nGuard test,Found,\n")
    monkeypatch.setattr(KlaviyoClient, "post", lambda self, path, body: {})  # an answer without `data`: a bug
    at.button(key="tags_apply").click().run()
    assert not at.exception, at.exception
    assert any("Unexpected problem: KeyError" in e.value for e in at.error)
    assert not any("failed" in s.value for s in at.success)
    (table,) = at.dataframe  # the plan's one table, without per-row results
    assert "status" not in table.value.columns
