"""The app shell: page config, sidebar target, navigation. One function so `app.py` (a checkout's `make run`) and
`klaviyo_app/main.py` (the installed `klaviyo-workbench`) run the same app.

Pages are addressed by absolute paths beside this package, so the installed app finds them wherever pip put it
(Streamlit resolves relative page paths against the main script's folder, which differs between the two).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from klaviyo_app.ui.accounts import render_account_switcher
from klaviyo_app.ui.connection import render_connection_check
from klaviyo_app.ui.state import private_files_tightened

PAGES_DIR = Path(__file__).resolve().parents[1] / "app_pages"


def render_app() -> None:
    """Run one script pass of the whole app (Streamlit calls the main script on every rerun)."""
    st.set_page_config(page_title="Klaviyo Workbench", page_icon=":material/mail:", layout="wide")
    private_files_tightened()

    page = st.Page
    sections = {
        "Start": [
            page(PAGES_DIR / "home.py", title="Home", icon=":material/home:", default=True),
            page(PAGES_DIR / "keys.py", title="Keys", icon=":material/key:"),
        ],
        "Send data": [
            page(PAGES_DIR / "profiles_upload.py", title="Profile upload", icon=":material/group:"),
            page(PAGES_DIR / "tags_upload.py", title="Tag upload", icon=":material/sell:"),
            page(PAGES_DIR / "test_events.py", title="Test events", icon=":material/bolt:"),
            page(PAGES_DIR / "consent.py", title="Consent", icon=":material/how_to_reg:"),
            page(PAGES_DIR / "catalog.py", title="Catalog", icon=":material/inventory_2:"),
        ],
        "See results": [
            page(PAGES_DIR / "see_what_landed.py", title="See what landed", icon=":material/person_search:"),
            page(PAGES_DIR / "lists_segments.py", title="Lists & segments", icon=":material/groups:"),
            page(PAGES_DIR / "history.py", title="History", icon=":material/history:"),
            page(PAGES_DIR / "metrics.py", title="Metrics", icon=":material/monitoring:"),
            page(PAGES_DIR / "campaigns.py", title="Campaigns & flows", icon=":material/campaign:"),
            page(PAGES_DIR / "audience_export.py", title="Audience export", icon=":material/ios_share:"),
        ],
    }

    with st.sidebar:
        render_account_switcher()
        render_connection_check()

    # expanded: every page in the sidebar (collapsed, Streamlit hides all but the first few behind 'View more')
    st.navigation(sections, expanded=True).run()
