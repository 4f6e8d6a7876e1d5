"""The Streamlit main script of the installed app (`klaviyo-workbench` runs it); `app.py` is its checkout twin."""

from klaviyo_app.ui.router import render_app

render_app()
