"""Names for the ids a report carries (flows, segments), read once per account and kept for a few minutes.

Reports name ids only; the names come from plain reads (GET /api/flows, GET /api/segments), which cost no
reporting budget but a page rerun would repeat them, so they are kept in memory per target for NAMES_TTL
seconds (a renamed flow shows its new name after that).
"""

from __future__ import annotations

import time

from klaviyo_core.http import KlaviyoClient

NAMES_TTL = 300.0
_KEPT: dict[tuple[str, str, str], tuple[float, dict[str, str]]] = {}


def resource_names(client: KlaviyoClient, path: str, *, now: float | None = None) -> dict[str, str]:
    """Id -> `attributes.name` of every resource listed at `path` (e.g. /api/flows), cached per target."""
    now = time.time() if now is None else now
    key = (client.config.base_url, client.config.key_fingerprint, path)
    kept = _KEPT.get(key)
    if kept is not None and now - kept[0] < NAMES_TTL:
        return dict(kept[1])
    names = {
        str(item.get("id")): str((item.get("attributes") or {}).get("name") or "")
        for item in client.iter_resources(path)
    }
    _KEPT[key] = (now, names)
    return dict(names)


def forget_names() -> None:
    """Drop the kept names (tests, and a page's 'refresh')."""
    _KEPT.clear()
