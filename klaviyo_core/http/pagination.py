"""Cursor pagination: follow `links.next` exactly as given (a full URL with an opaque cursor)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def iter_pages(
    get: Callable[[str, dict[str, Any] | None], Any], path: str, params: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    url: str | None = path
    query = params
    seen: set[str] = set()
    while url:
        page = get(url, query) or {}
        yield page
        next_url = (page.get("links") or {}).get("next")
        if not next_url or next_url in seen:  # a repeated link would loop forever
            return
        seen.add(next_url)
        url, query = next_url, None  # the next link already carries every parameter
