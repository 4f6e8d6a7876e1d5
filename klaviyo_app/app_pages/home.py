"""Home: what the workbench does and where to start."""

import streamlit as st

from klaviyo_app.ui.accounts import SANDBOX_NAME, active_target
from klaviyo_app.ui.connection import render_connection_check
from klaviyo_app.ui.text import show_md

st.title("📮 Klaviyo Workbench")
target = active_target()
if target.live:
    show_md(
        "warning",
        "You are working on the LIVE account **{name}**. Changes reach real customers.",
        "🔴",
        name=target.name,
    )
elif target.name != SANDBOX_NAME:
    show_md(
        "info",
        "You are working on **{name}** at {url} (not Klaviyo's live API).",
        "🧪",
        name=target.name,
        url=target.base_url,
    )
else:
    st.success(
        "You are in the **local sandbox**: a Klaviyo look-alike on this computer. Try anything; nothing reaches "
        "Klaviyo or your customers. Add a key on the Keys page when you are ready for a live account.",
        icon="🧪",
    )
st.markdown(
    """
- **🔑 Keys**: save your private API keys safely (OS keyring), test them, see what each may do.
- **👥 Profile upload**: a CSV of customers to Klaviyo profiles, validated row by row, resumable.
- **🏷️ Tag upload**: tag lists, segments, campaigns and flows in bulk from a CSV.
- **⚡ Test events**: fire "Started Checkout" or any event at a test profile and see the exact request.
- **📈 Metrics**: how your events trend, with numbers you can export.
"""
)

st.subheader("Connection")
st.caption("One call to GET /api/accounts tells whether the current target answers and whose account it is.")
render_connection_check(key="home_test_connection")
