"""Raw HTTP helpers for sandbox tests (the client library has its own tests)."""

from __future__ import annotations

from typing import Any

import requests

from tests.conftest import ADMIN_HEADERS, FULL_KEY

REVISION = "2026-07-15"


def headers(key: str | None = FULL_KEY, revision: str | None = REVISION, **extra: str) -> dict[str, str]:
    out = {"Accept": "application/vnd.api+json"}
    if key is not None:
        out["Authorization"] = f"Klaviyo-API-Key {key}"
    if revision is not None:
        out["revision"] = revision
    out.update(extra)
    return out


def call(
    base: str, method: str, path: str, body: Any = None, key: str | None = FULL_KEY, **kw: Any
) -> requests.Response:
    hdrs = headers(key)
    if path.startswith("/__sandbox"):
        hdrs.update(ADMIN_HEADERS)
    if body is not None:
        hdrs["Content-Type"] = "application/vnd.api+json"
    hdrs.update(kw.pop("headers", {}))
    return requests.request(method, base + path, json=body, headers=hdrs, timeout=10, **kw)


def error_code(resp: requests.Response) -> str:
    return resp.json()["errors"][0]["code"]
