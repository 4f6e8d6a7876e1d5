"""Keeping keys out of everything the user or a log can see."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from klaviyo_core.http.origin import is_loopback_host

#: Anything shaped like a private key, wherever it hides in text (redaction here, event history scrubbing).
KEY_SHAPE = re.compile(r"pk_[A-Za-z0-9_]{6,}")


def mask_key(key: str | None) -> str:
    """'pk_abc...wxyz' -> 'pk_...wxyz': enough to tell keys apart, useless to an attacker."""
    if not key:
        return "(none)"
    prefix = key[:3] if key.startswith("pk_") else ""
    return f"{prefix}...{key[-4:]}" if len(key) >= 12 else f"{prefix}..."


#: The workbench's own sandbox keys (the app's `sandbox.key`, the CLI's and the notebook's throwaway ones).
#: Klaviyo's keys are "pk_" and letters or digits only, so no Klaviyo key has this prefix.
SANDBOX_KEY_PREFIX = "pk_sandbox_"


def shown_key(key: str | None, base_url: str) -> str:
    """What a preview may show of a key: masked, except a workbench sandbox key sent to a loopback URL.

    Why the one exemption: that key opens only the local sandbox (demo data) and a curl or CLI run needs it as
    it is; the same key bound for any other host is masked like every other key (issue 18 item 4)."""
    if key and key.startswith(SANDBOX_KEY_PREFIX) and is_loopback_host(urlsplit(base_url).hostname or ""):
        return key
    return mask_key(key)


def key_digest(key: str) -> str:
    """A stable, non-reversible id for a key (used to share rate-limit budgets between clients)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Replace known secrets and anything shaped like a private key."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask_key(secret))
    return KEY_SHAPE.sub(lambda m: mask_key(m.group(0)), text)


def scrub_keys(value: Any) -> Any:
    """`value` (text, or JSON-like mappings and lists of it) with every key-shaped text replaced by "pk_...".

    For what the workbench stores on disk (event and write histories): nothing of a key is kept there, not even
    its masked tail, since a stored file outlives the session that could tell keys apart."""
    if isinstance(value, str):
        return KEY_SHAPE.sub("pk_...", value)
    if isinstance(value, Mapping):
        return {str(k): scrub_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_keys(v) for v in value]
    return value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme, _, token = value.partition(" ")
            out[name] = f"{scheme} {mask_key(token)}" if token else mask_key(scheme)
        else:
            out[name] = value
    return out
