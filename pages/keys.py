"""🔑 Keys: placeholder until its issue lands."""

import streamlit as st

st.title("🔑 Keys")
st.info("Coming soon: Save named Klaviyo accounts in your OS keyring, test them and see what each key may do.")
