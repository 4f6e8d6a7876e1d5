"""One exception hierarchy and one status -> exception table; errors are translated once, here.

Exceptions keep the HTTP status, the parsed JSON:API `errors[]`, `retry_after` and a redacted view of the
request, so `explain()` and the UI can say what happened without ever seeing a key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import requests

from klaviyo_core.http.redaction import redact_headers, redact_text


@dataclass(frozen=True)
class RequestInfo:
    """What was sent, safe to show: the Authorization header is masked."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    operation_id: str | None = None


class KlaviyoError(Exception):
    """Base of everything the client raises."""

    def __init__(self, message: str, request: RequestInfo | None = None) -> None:
        super().__init__(message)
        self.request = request


class TransportError(KlaviyoError):
    """No HTTP answer: the request may or may not have reached Klaviyo."""


class ConnectionFailed(TransportError):
    pass


class RequestTimeout(TransportError):
    pass


class TlsFailed(ConnectionFailed):
    """The server's TLS certificate was not accepted: not a network outage, so it is never retried."""


class ForeignOrigin(KlaviyoError):
    """A link or redirect pointed at another origin: nothing (and no key) was sent there."""


class RedirectNotFollowed(KlaviyoError):
    """A write was answered with a redirect: writes are never re-sent elsewhere."""


class ApiError(KlaviyoError):
    """An HTTP error answer from Klaviyo (or the sandbox)."""

    def __init__(
        self,
        status: int,
        errors: list[dict[str, Any]],
        *,
        request: RequestInfo | None = None,
        retry_after: float | None = None,
        body_excerpt: str = "",
        content_type: str = "",
    ) -> None:
        self.status = status
        self.errors = errors
        self.retry_after = retry_after
        self.body_excerpt = body_excerpt
        self.content_type = content_type
        first = errors[0] if errors else {}
        self.code: str | None = first.get("code")
        self.title: str | None = first.get("title")
        self.detail: str | None = first.get("detail")
        summary = self.detail or self.title or (f"non-JSON answer: {body_excerpt[:120]}" if body_excerpt else "")
        super().__init__(f"HTTP {status}{f' {self.code}' if self.code else ''}: {summary}".strip(), request)

    @property
    def is_json(self) -> bool:
        return bool(self.errors)

    @property
    def source(self) -> dict[str, str]:
        return dict(self.errors[0].get("source") or {}) if self.errors else {}

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.errors[0].get("meta") or {}) if self.errors else {}


class BadRequest(ApiError):
    pass


class AuthenticationError(ApiError):
    pass


class PermissionDenied(ApiError):
    pass


class NotFound(ApiError):
    pass


class MethodNotAllowed(ApiError):
    pass


class Conflict(ApiError):
    @property
    def duplicate_profile_id(self) -> str | None:
        return self.meta.get("duplicate_profile_id")


class Gone(ApiError):
    pass


class PayloadTooLarge(ApiError):
    pass


class UnsupportedMediaType(ApiError):
    pass


class RateLimited(ApiError):
    pass


class ServerError(ApiError):
    pass


class NotImplementedBySandbox(ServerError):
    pass


STATUS_EXCEPTIONS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    410: Gone,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    429: RateLimited,
    501: NotImplementedBySandbox,
}


def class_for_status(status: int) -> type[ApiError]:
    """The exception class an HTTP error status maps to (ServerError for any other 5xx, else ApiError)."""
    return STATUS_EXCEPTIONS.get(status) or (ServerError if status >= 500 else ApiError)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date: rare for Klaviyo; fall back to backoff


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not standard JSON")


def loads_standard(raw: bytes | str) -> Any:
    """JSON as RFC 8259 has it: NaN, Infinity and -Infinity are refused (Python's json accepts them)."""
    return json.loads(raw, parse_constant=_refuse_constant)


def is_jsonapi_document(doc: Any) -> bool:
    """A JSON:API top level has at least one of data, errors, meta; a proxy's JSON usually has none."""
    return isinstance(doc, dict) and bool({"data", "errors", "meta"} & doc.keys())


def non_api_answer(resp: requests.Response, request: RequestInfo, secrets: tuple[str | None, ...] = ()) -> ApiError:
    """A success status whose body is not a JSON:API document (a proxy's HTML page, a captive portal...)."""
    return ApiError(
        resp.status_code,
        [],
        request=request,
        body_excerpt=_excerpt(resp, secrets) or "(not a JSON:API document)",
        content_type=resp.headers.get("Content-Type", ""),
    )


def _redact_value(value: Any, secrets: tuple[str | None, ...]) -> Any:
    """Every string anywhere in an error object, keys included, with keys masked (not only `detail`)."""
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {_redact_value(k, secrets): _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v, secrets) for v in value]
    return value


def _excerpt(resp: requests.Response, secrets: tuple[str | None, ...]) -> str:
    text = resp.text[:2000] if resp.content else ""
    text = re.sub(r"<[^>]+>", " ", text)  # an HTML page from a proxy: keep its words
    return redact_text(" ".join(text.split())[:300], secrets)


def error_from_response(
    resp: requests.Response, request: RequestInfo, secrets: tuple[str | None, ...] = ()
) -> ApiError:
    """Build the right exception for an error answer; JSON:API bodies are parsed, others summarised."""
    errors: list[dict[str, Any]] = []
    content_type = resp.headers.get("Content-Type", "")
    try:
        doc = loads_standard(resp.content) if resp.content else None
    except (ValueError, RecursionError):
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
        for item in doc["errors"]:
            if isinstance(item, dict):
                clean = _redact_value(item, secrets)
                clean["detail"] = str(clean.get("detail") or "")
                errors.append(clean)
    return class_for_status(resp.status_code)(
        resp.status_code,
        errors,
        request=request,
        retry_after=parse_retry_after(resp.headers.get("Retry-After")),
        body_excerpt="" if errors else _excerpt(resp, secrets),
        content_type=content_type,
    )


def request_info(method: str, url: str, headers: dict[str, str], operation_id: str | None) -> RequestInfo:
    return RequestInfo(method, url, redact_headers(headers), operation_id)
