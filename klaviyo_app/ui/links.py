"""Links between pages that still work when a page runs on its own.

Why: `st.page_link` to a page raises when the running app has no such page: a page run as a one-page app
(the browser tests run the profile upload page that way) or an app built without it. The link is a
convenience, so it is then left out and the text beside it still says where to look.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

HISTORY = "klaviyo_app/app_pages/history.py"
PROFILE_UPLOAD = "klaviyo_app/app_pages/profiles_upload.py"


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """`st.page_link`, or nothing when this app does not have `page`."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        pass
