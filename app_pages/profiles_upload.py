"""👥 Profile upload: placeholder until its issue lands."""

import streamlit as st

st.title("👥 Profile upload")
st.info(
    "Coming soon: Upload a CSV of customers, map its columns, validate every row and import them as Klaviyo profiles."
)
