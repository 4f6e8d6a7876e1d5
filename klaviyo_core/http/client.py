"""KlaviyoClient: JSON:API in and out, over the one transport."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from klaviyo_core.http.config import ClientConfig
from klaviyo_core.http.errors import is_jsonapi_document, loads_standard, non_api_answer, request_info
from klaviyo_core.http.pagination import iter_pages
from klaviyo_core.http.ratelimit import RateLimitInfo
from klaviyo_core.http.transport import Transport, TransportStats, WaitListener

#: The most an interactive check (`ping`, a key test) may take in total before it gives up and says so.
CHECK_DEADLINE_SECONDS = 30.0


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any  # parsed JSON, or None for an empty answer (202/204)
    headers: dict[str, str]


def _parse(resp: requests.Response, secrets: tuple[str | None, ...]) -> Any:
    """The JSON:API document of a success answer; anything else (HTML, NaN, plain JSON) is an explained error,
    never an empty success ("No metrics yet" from a proxy's login page)."""
    if not resp.content:
        return None
    try:
        doc = loads_standard(resp.content)
    except (ValueError, RecursionError):
        doc = None
    if not is_jsonapi_document(doc):
        sent = resp.request
        headers = {k: str(v) for k, v in sent.headers.items()}
        info = request_info(sent.method or "GET", sent.url or "", headers, None)
        raise non_api_answer(resp, info, secrets)
    return doc


class KlaviyoClient:
    def __init__(self, config: ClientConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.transport = Transport(config, session)

    def __repr__(self) -> str:
        return f"KlaviyoClient(base_url={self.config.base_url!r}, key={self.config.key_fingerprint})"

    # -- verbs -------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        idempotent: bool | None = None,
    ) -> ApiResponse:
        resp = self.transport.send(method, path, params=params, json=json, content=content, idempotent=idempotent)
        return ApiResponse(resp.status_code, _parse(resp, (self.config.credential,)), dict(resp.headers))

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).body

    def post(self, path: str, body: Any, *, params: dict[str, Any] | None = None, idempotent: bool = False) -> Any:
        return self.request("POST", path, params=params, json=body, idempotent=idempotent).body

    def post_encoded(
        self, path: str, content: bytes, *, params: dict[str, Any] | None = None, idempotent: bool = False
    ) -> Any:
        """POST a body already encoded as JSON (UTF-8 bytes), e.g. a bulk job built from spooled profiles."""
        return self.request("POST", path, params=params, content=content, idempotent=idempotent).body

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, json=body, idempotent=True).body

    def delete(self, path: str, body: Any = None) -> Any:
        return self.request("DELETE", path, json=body, idempotent=True).body

    # -- helpers -----------------------------------------------------------------------------------
    def iter_resources(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a collection, fetched page by page as the caller consumes them."""
        for page in iter_pages(self.get, path, params):
            yield from page.get("data") or []

    def iter_pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        yield from iter_pages(self.get, path, params)

    def rate_limit_status(self) -> dict[str, RateLimitInfo]:
        """The last RateLimit-* values per operation id."""
        return dict(self.transport.rate_limits)

    @property
    def stats(self) -> TransportStats:
        return self.transport.stats

    def add_wait_listener(self, listener: WaitListener) -> None:
        """Be told about pacing and retry waits (kind, seconds, operation id), e.g. to show them in a UI."""
        self.transport.listeners.append(listener)

    def remove_wait_listener(self, listener: WaitListener) -> None:
        """Stop telling `listener` (a cached client outlives the import or page that listened)."""
        if listener in self.transport.listeners:
            self.transport.listeners.remove(listener)

    def set_deadline(self, seconds: float | None) -> None:
        """Give up on every call from now on once `seconds` have passed in total (retries and waits included),
        so an interactive check (ping, the Keys page's Test) cannot hang for minutes on a silent server."""
        self.transport.set_deadline(seconds)

    def close(self) -> None:
        self.transport.session.close()
