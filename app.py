"""Klaviyo Workbench: router only (page config, sidebar target, navigation)."""

import streamlit as st

from klaviyo_app.ui.accounts import render_account_switcher
from klaviyo_app.ui.connection import render_connection_check
from klaviyo_app.ui.state import private_files_tightened

st.set_page_config(page_title="Klaviyo Workbench", page_icon=":material/mail:", layout="wide")
private_files_tightened()

pages = [
    st.Page("klaviyo_app/app_pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("klaviyo_app/app_pages/keys.py", title="Keys", icon=":material/key:"),
    st.Page("klaviyo_app/app_pages/profiles_upload.py", title="Profile upload", icon=":material/group:"),
    st.Page("klaviyo_app/app_pages/tags_upload.py", title="Tag upload", icon=":material/sell:"),
    st.Page("klaviyo_app/app_pages/test_events.py", title="Test events", icon=":material/bolt:"),
    st.Page("klaviyo_app/app_pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
    st.Page("klaviyo_app/app_pages/campaigns.py", title="Campaigns & flows", icon=":material/campaign:"),
]

with st.sidebar:
    render_account_switcher()
    render_connection_check()

st.navigation(pages).run()
