"""Identifier shapes Klaviyo uses: 26-char ULIDs (profiles), 6-char ids (lists, metrics), UUIDs (tags)."""

from __future__ import annotations

import os
import secrets
import string
import time
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ALNUM = string.ascii_letters + string.digits


def ulid() -> str:
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def short_id(length: int = 6) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def new_uuid() -> str:
    return str(uuid.uuid4())
