"""The embedded sandbox: started once per Streamlit process, on a free loopback port, with its own data dir.

It is the app's default target, so a marketer can try every page before owning a key. Its key is generated
once and kept in the data dir (`sandbox.key`, 0600), never shown: the sandbox "needs no key" from the user's
point of view. Why kept: the sandbox database keeps its account id across restarts, and with the same key the
app restarted on another port is the very same target, so its unfinished imports resume. The key opens only
this local sandbox; it is not a Klaviyo key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from klaviyo_core.paths import SANDBOX_KEY_FILE, data_dir
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from klaviyo_sandbox.seed import seed_demo


@dataclass(frozen=True)
class EmbeddedSandbox:
    server: SandboxServer = field(repr=False)
    api_key: str = field(repr=False)

    @property
    def url(self) -> str:
        return self.server.url


KEY_FILE = SANDBOX_KEY_FILE  # the CLI's --sandbox-url reads the same file


def sandbox_key(home: Path) -> str:
    """The embedded sandbox's key: read from `home/sandbox.key`, made (owner-only) on first use."""
    path = home / KEY_FILE
    with contextlib.suppress(OSError):
        kept = path.read_text(encoding="ascii").strip()
        if kept.startswith("pk_sandbox_"):
            return kept
    key = "pk_sandbox_" + secrets.token_hex(12)
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


@st.cache_resource(show_spinner="Starting the local sandbox...")
def embedded_sandbox() -> EmbeddedSandbox:
    key = sandbox_key(data_dir())
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
