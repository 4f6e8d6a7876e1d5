"""The client for the active target, cached per (account, base URL, revision), and that target's identity."""

from __future__ import annotations

import streamlit as st

from klaviyo_app.ui import accounts
from klaviyo_app.ui.accounts import active_target
from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.accounts import Target, identify
from klaviyo_core.http import key_digest


@st.cache_resource(show_spinner=False)
def _client(account: str, base_url: str, revision: str, key_id: str, _api_key: str | None) -> KlaviyoClient:
    # `_api_key` is not hashed by Streamlit (leading underscore); `key_id` (a digest) keys the cache instead.
    return KlaviyoClient(ClientConfig(api_key=_api_key, base_url=base_url, revision=revision))


def get_client() -> KlaviyoClient:
    target = active_target()
    digest = key_digest(target.api_key) if target.api_key else "none"
    return _client(target.name, target.base_url, target.revision, digest, target.api_key)


def get_target() -> Target:
    """The active account as the core binds plans to it: account id (GET /api/accounts, cached in the core),
    base URL, key fingerprint, and LIVE by the one rule. Raises the client's errors (pages render them)."""
    target = accounts.active_target()  # looked up at call time, like get_client's: one active account
    return identify(get_client(), target.name, marked_live=target.live)
