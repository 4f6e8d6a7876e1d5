"""🏷️ Tag upload: placeholder until its issue lands."""

import streamlit as st

st.title("🏷️ Tag upload")
st.info("Coming soon: Organise lists, segments, campaigns and flows with tags from a CSV.")
