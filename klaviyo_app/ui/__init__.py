"""Streamlit glue: the only package besides app.py and klaviyo_app/app_pages/ that imports streamlit."""
