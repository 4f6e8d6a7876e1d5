"""Which account the app talks to. (Stub until the Keys page lands: the sandbox is the only target.)"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from ui.sandbox import embedded_sandbox

SANDBOX_NAME = "Sandbox"


@dataclass(frozen=True)
class Target:
    name: str
    base_url: str
    api_key: str | None = field(repr=False)
    live: bool


def active_target() -> Target:
    sandbox = embedded_sandbox()
    return Target(SANDBOX_NAME, sandbox.url, sandbox.api_key, live=False)


def render_account_switcher() -> None:
    target = active_target()
    st.markdown(f"**Target:** 🧪 {target.name} (local, safe to try anything)")
