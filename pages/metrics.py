"""📈 Metrics: placeholder until its issue lands."""

import streamlit as st

st.title("📈 Metrics")
st.info("Coming soon: Chart how your metrics trend over time, by day or by dimension, and export the numbers.")
