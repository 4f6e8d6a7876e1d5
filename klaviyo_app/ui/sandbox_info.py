"""How to reach the app's own sandbox from a terminal: its URL, its key, and the lines to paste.

Why the key is shown in full: it is the embedded sandbox's own key (`data_dir()/sandbox.key`, made by
`ui/sandbox.py`), it opens only this local server on loopback and guards demo data, and a curl or CLI run needs
it as it is. Everything else keeps keys masked: the panel shows only when the active account is this sandbox
on a loopback URL (the one exemption of DESIGN §1b "Nothing leaks").
"""

from __future__ import annotations

import shlex

import streamlit as st

from klaviyo_app.ui.accounts import active_target
from klaviyo_app.ui.sandbox import KEY_FILE, embedded_sandbox
from klaviyo_core.accounts import SANDBOX, is_loopback_url
from klaviyo_core.paths import data_dir


def sandbox_shell_lines(url: str) -> str:
    """The lines that point curl and the CLI at this sandbox (the key read from its file, never typed)."""
    key_file = shlex.quote(str(data_dir() / KEY_FILE))
    return "\n".join(
        [
            f"export KLAVIYO_BASE_URL={shlex.quote(url)}",
            f'export KLAVIYO_API_KEY="$(cat {key_file})"',
            "python -m klaviyo_core lists --count",
        ]
    )


def render_sandbox_access() -> None:
    """A folded panel with the sandbox's URL, key and shell lines; nothing for any other account."""
    target = active_target()
    if target.name != SANDBOX or not is_loopback_url(target.base_url):
        return
    box = embedded_sandbox()
    with st.expander("Use this sandbox from a terminal (curl, the CLI)"):
        st.caption(
            "The app's local sandbox answers like Klaviyo at this address. Its key opens only this sandbox on "
            "this machine (demo data), so it is shown in full; real keys never are."
        )
        st.text_input("Sandbox URL", value=box.url, disabled=True, key="sandbox_access_url")
        st.text_input("Sandbox key", value=box.api_key, disabled=True, key="sandbox_access_key")
        st.code(sandbox_shell_lines(box.url), language="bash")
