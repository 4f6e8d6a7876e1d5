"""Compact JSON for the bulk paths (10,000 profiles per job): orjson when installed, the json module otherwise.

orjson is pinned in requirements.txt; it encodes a profile ~10x faster than json and parses a 5 MB job body
several times faster. Both produce the same compact text (UTF-8, no spaces).
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - the fallback keeps the sandbox importable without it
    orjson = None  # type: ignore[assignment]

_STD_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def encode(value: Any) -> str:
    return orjson.dumps(value).decode() if orjson is not None else _STD_ENCODE(value)


def decode(raw: bytes | str) -> Any:
    return orjson.loads(raw) if orjson is not None else json.loads(raw)


def encoded_size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON (how Klaviyo's 100 KB per profile limit is measured)."""
    return len(orjson.dumps(value)) if orjson is not None else len(_STD_ENCODE(value).encode())
