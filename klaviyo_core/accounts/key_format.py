"""Key checks that need no network: is this text a Klaviyo private key at all, and if not, why not.

Klaviyo has two kinds of key. The *public* key (also called site ID or company ID) is 6 characters, is
meant to sit in a website's JavaScript and only works for the `/client/*` endpoints. The *private* key
starts with `pk_`, is about 37 characters, must stay secret, and is what every `/api/*` call needs. Marketers
often paste the public one because it is the first thing the account settings page shows.

Nothing here ever puts the key itself into a reason text, so results are safe to show and to log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PUBLIC_KEY_SHAPE = re.compile(r"^[A-Za-z0-9]{6}$")
PRIVATE_KEY_SHAPE = re.compile(r"^pk_[A-Za-z0-9_]+$")
#: Klaviyo's own keys are `pk_` + 34 letters/digits (what secret scanners match); test keys may differ.
USUAL_PRIVATE_KEY = re.compile(r"^pk_[A-Za-z0-9]{34}$")
MIN_PRIVATE_KEY_LENGTH = 20
MAX_PRIVATE_KEY_LENGTH = 100
_HEADER_PREFIXES = ("klaviyo-api-key ", "authorization:", "bearer ")

PUBLIC_VS_PRIVATE = (
    "A Klaviyo public key (site ID) is 6 characters and only identifies your account to website sign-up "
    "forms and the /client endpoints; it cannot read or upload anything. A private key starts with pk_, "
    "is about 37 characters long, and is what this workbench needs. Create one in Klaviyo under "
    "Settings > Account > API keys > Create Private API Key; Klaviyo shows it only once."
)


@dataclass(frozen=True)
class KeyFormat:
    """The verdict on pasted text: `ok`, and when not ok a plain reason (never containing the key)."""

    ok: bool
    key: str = ""  # the cleaned key when ok; excluded from repr below
    reason: str = ""
    warning: str = ""
    kind: str = "private"  # "private" | "public" | "malformed" | "empty"

    def __repr__(self) -> str:  # a verdict may end up in a log or a traceback: never show the key
        return f"KeyFormat(ok={self.ok}, kind={self.kind!r}, reason={self.reason!r}, warning={self.warning!r})"


def check_key_format(text: str | None) -> KeyFormat:
    """Decide whether pasted text is a usable private key; trims whitespace and stray quotes first."""
    key = (text or "").strip().strip("'\"").strip()
    if not key:
        return KeyFormat(False, reason="No key was entered.", kind="empty")
    lowered = key.lower()
    if lowered.startswith(_HEADER_PREFIXES):
        return KeyFormat(
            False,
            reason="Paste only the key itself (it starts with pk_), not the Authorization header around it.",
            kind="malformed",
        )
    if PUBLIC_KEY_SHAPE.match(key):
        return KeyFormat(False, reason="This looks like a public key (site ID). " + PUBLIC_VS_PRIVATE, kind="public")
    if not key.startswith("pk_"):
        return KeyFormat(False, reason="A Klaviyo private key starts with pk_. " + PUBLIC_VS_PRIVATE, kind="malformed")
    if any(ch.isspace() for ch in key):
        return KeyFormat(
            False, reason="The key contains spaces or line breaks; copy it again in one piece.", kind="malformed"
        )
    if not PRIVATE_KEY_SHAPE.match(key):
        return KeyFormat(
            False, reason="The key contains characters a Klaviyo key never has; copy it again.", kind="malformed"
        )
    if len(key) < MIN_PRIVATE_KEY_LENGTH:
        return KeyFormat(
            False, reason=f"The key is only {len(key)} characters; Klaviyo private keys are about 37.", kind="malformed"
        )
    if len(key) > MAX_PRIVATE_KEY_LENGTH:
        return KeyFormat(False, reason="The key is far too long; was something else pasted with it?", kind="malformed")
    warning = ""
    if not USUAL_PRIVATE_KEY.match(key) and not key.startswith("pk_test_"):
        warning = "This key does not have the usual shape (pk_ and 34 letters or digits); test it before relying on it."
    return KeyFormat(True, key=key, warning=warning)
