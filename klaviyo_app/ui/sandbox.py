"""The embedded sandbox: started once per Streamlit process, on a free loopback port, with its own data dir.

It is the app's default target, so a marketer can try every page before owning a key. Its key is generated
per process and never shown: the sandbox "needs no key" from the user's point of view.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

import streamlit as st

from klaviyo_core.paths import data_dir
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.seed import seed_demo


@dataclass(frozen=True)
class EmbeddedSandbox:
    server: SandboxServer = field(repr=False)
    api_key: str = field(repr=False)

    @property
    def url(self) -> str:
        return self.server.url


@st.cache_resource(show_spinner="Starting the local sandbox...")
def embedded_sandbox() -> EmbeddedSandbox:
    key = "pk_sandbox_" + secrets.token_hex(12)
    config = SandboxConfig(
        port=0,
        db_path=data_dir() / "sandbox.sqlite3",
        keys=(KeySpec(key),),
        admin=False,  # no reset/seed/faults routes in the app: a web page could reach them (issue 14.8)
        rate_limits=True,  # rehearse Klaviyo's real limits; the client paces itself
    )
    server = SandboxServer(config).start()
    if os.environ.get("KLAVIYO_WORKBENCH_NO_DEMO") != "1":
        seed_demo(server.app.store)
    return EmbeddedSandbox(server, key)
