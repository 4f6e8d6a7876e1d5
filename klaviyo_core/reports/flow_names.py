"""Names (and tags) for the ids a report carries (flows, segments), read once per target, kept a few minutes.

Reports name ids only; the names come from plain reads (GET /api/flows?include=tags, GET /api/segments), which
cost no reporting budget but a page rerun would repeat them, so they are kept in memory per target for NAMES_TTL
seconds (a renamed or retagged flow shows its new name and tags after that).
"""

from __future__ import annotations

import time

from klaviyo_core.http import KlaviyoClient

NAMES_TTL = 300.0
Label = tuple[str, tuple[str, ...]]  # a resource's name and its tag names
_KEPT: dict[tuple[str, str, str], tuple[float, dict[str, Label]]] = {}


def _read(client: KlaviyoClient, path: str, tagged: bool) -> dict[str, Label]:
    labels: dict[str, Label] = {}
    for page in client.iter_pages(path, {"include": "tags"} if tagged else None):
        tags = {t.get("id"): str((t.get("attributes") or {}).get("name") or "") for t in page.get("included") or []}
        for item in page.get("data") or []:
            links = (((item.get("relationships") or {}).get("tags") or {}).get("data")) or []
            names = tuple(sorted(tags.get(link.get("id"), str(link.get("id"))) for link in links))
            labels[str(item.get("id"))] = (str((item.get("attributes") or {}).get("name") or ""), names)
    return labels


def resource_labels(
    client: KlaviyoClient, path: str, *, tagged: bool = False, now: float | None = None
) -> dict[str, Label]:
    """Id -> (name, tag names) of every resource listed at `path` (tags with `tagged`), kept per target."""
    now = time.time() if now is None else now
    key = (client.config.base_url, client.config.key_fingerprint, f"{path}|{tagged}")
    kept = _KEPT.get(key)
    if kept is None or now - kept[0] >= NAMES_TTL:
        kept = (now, _read(client, path, tagged))
        _KEPT[key] = kept
    return dict(kept[1])


def resource_names(client: KlaviyoClient, path: str, *, now: float | None = None) -> dict[str, str]:
    """Id -> `attributes.name` of every resource listed at `path` (e.g. /api/segments), kept per target."""
    return {rid: label[0] for rid, label in resource_labels(client, path, now=now).items()}


def forget_names() -> None:
    """Drop the kept names (tests, and a page's 'refresh')."""
    _KEPT.clear()
