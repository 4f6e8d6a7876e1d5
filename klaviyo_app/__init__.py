"""The Streamlit app's own package: pages and UI glue (the router is app.py at the top)."""
