"""⚡ Test events: placeholder until its issue lands."""

import streamlit as st

st.title("⚡ Test events")
st.info(
    "Coming soon: build an event, preview the exact request and send it to the sandbox "
    "or, after confirmation, a live account."
)
