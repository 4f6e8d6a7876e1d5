"""Klaviyo Workbench from a checkout (`make run`): the router lives in klaviyo_app so the installed app has it too."""

from klaviyo_app.ui.router import render_app

render_app()
