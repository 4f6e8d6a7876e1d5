"""Errors in plain words: what happened, and what to do about it.

`explain(exc)` works for every exception the client raises (and any other, as a last resort), so pages and
the CLI never show a traceback. It never includes a key: exceptions only carry masked request headers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from klaviyo_core.http.errors import (
    ApiError,
    AuthenticationError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    ForeignOrigin,
    Gone,
    KlaviyoError,
    MethodNotAllowed,
    NotFound,
    NotImplementedBySandbox,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
    RedirectNotFollowed,
    RequestTimeout,
    ServerError,
    TlsFailed,
    UnsupportedMediaType,
    class_for_status,
)
from klaviyo_spec import operation_by_id


@dataclass(frozen=True)
class Explanation:
    what: str
    todo: str

    def __str__(self) -> str:
        return f"{self.what}\nWhat to do: {self.todo}"


SCOPE_WORDS = {
    "accounts": "read account details",
    "profiles": "read or change profiles",
    "lists": "read or change lists",
    "events": "read or send events",
    "metrics": "read metrics and charts",
    "tags": "read or change tags",
    "subscriptions": "change consent (subscribe profiles)",
    "campaigns": "read or change campaigns",
    "flows": "read or change flows",
    "segments": "read or change segments",
}


def _used_public_key(exc: KlaviyoError) -> bool:
    auth = (exc.request.headers.get("Authorization", "") if exc.request else "") or ""
    scheme, _, token = auth.partition(" ")
    return scheme == "Klaviyo-API-Key" and bool(token) and not token.startswith("pk_")


def _scopes_needed(exc: KlaviyoError) -> list[str]:
    if exc.request and exc.request.operation_id:
        try:
            return list(operation_by_id(exc.request.operation_id).scopes)
        except KeyError:
            return []
    return []


def _where(exc: ApiError) -> str:
    src = exc.source
    if "pointer" in src and src["pointer"] not in ("/data", "/data/"):
        return f" (field {src['pointer'].removeprefix('/data/attributes/').removeprefix('/data/')})"
    if "parameter" in src:
        return f" (parameter {src['parameter']})"
    return ""


def _bad_request(exc: ApiError) -> Explanation:
    detail = _detail(exc)
    if exc.source.get("parameter") == "revision":
        return Explanation(
            f"Klaviyo refused the API revision this app sent: {detail}",
            "Set the revision to a released date such as 2026-07-15 (Keys page or --revision), then retry.",
        )
    return Explanation(
        f"Klaviyo rejected the request as invalid{_where(exc)}: {detail}",
        "Correct the value named above and send again; nothing was changed in Klaviyo.",
    )


def _auth(exc: ApiError) -> Explanation:
    if _used_public_key(exc):
        return Explanation(
            "This looks like a public key (the 6-character site id), which only works for onsite calls.",
            "Use a private API key (it starts with pk_): Klaviyo > Settings > API keys > Create Private API Key.",
        )
    if exc.code == "not_authenticated":
        return Explanation(
            "No usable API key was sent with the request.",
            "Add a private API key on the Keys page (or set KLAVIYO_API_KEY), or switch to the Sandbox.",
        )
    return Explanation(
        "Klaviyo did not accept this API key: it is wrong, revoked or belongs to another account.",
        "Copy the private key again from Klaviyo > Settings > API keys and replace it on the Keys page.",
    )


def _denied(exc: ApiError) -> Explanation:
    scopes = _scopes_needed(exc)
    needs = f" It needs the scope(s): {', '.join(scopes)}." if scopes else ""
    return Explanation(
        f"This API key is not allowed to do this.{needs}",
        "Create a key with those scopes (or Full Access) in Klaviyo > Settings > API keys, then replace it.",
    )


def _not_found(exc: ApiError) -> Explanation:
    return Explanation(
        f"Klaviyo could not find what was asked for: {_detail(exc)}",
        "Check the id or name (it may have been deleted, or belong to another account) and try again.",
    )


def _method(exc: ApiError) -> Explanation:
    return Explanation(
        f"This endpoint does not accept that kind of request: {_detail(exc)}",
        "This is a bug in the workbench or an outdated revision; please report it with the request shown.",
    )


def _conflict(exc: ApiError) -> Explanation:
    dup = exc.meta.get("duplicate_profile_id")
    if exc.code == "duplicate_profile" or dup:
        return Explanation(
            f"A profile with this email, phone number or external id already exists (id {dup}).",
            "Update that profile instead (the importer does this for you), or remove the clashing identifier.",
        )
    return Explanation(f"The request conflicts with existing data: {_detail(exc)}", "Resolve the conflict named above.")


def _gone(exc: ApiError) -> Explanation:
    return Explanation(
        "This endpoint or API revision has been retired by Klaviyo.",
        "Choose a current revision (e.g. 2026-07-15) in the settings and retry.",
    )


def _too_large(exc: ApiError) -> Explanation:
    return Explanation(
        "The request was too large for Klaviyo (5 MB per request, 100 KB per profile).",
        "Send fewer rows per request or trim very long values; the importer splits files for you.",
    )


def _media_type(exc: ApiError) -> Explanation:
    return Explanation(
        "Klaviyo did not accept the request's content type.",
        "This is a bug in the workbench; requests must use application/vnd.api+json. Please report it.",
    )


def _rate_limited(exc: ApiError) -> Explanation:
    wait = f" Klaviyo asks to wait {exc.retry_after:g} s." if exc.retry_after is not None else ""
    return Explanation(
        f"Klaviyo is rate-limiting this key for this endpoint.{wait}",
        "Wait a moment and retry; the workbench already paces and retries calls, so this means the "
        "limit is shared with another tool using the same key right now.",
    )


def _unmodelled(exc: ApiError) -> Explanation:
    return Explanation(
        f"The local sandbox does not model this endpoint yet: {_detail(exc)}",
        "Try this action against a live account, or use another feature in the sandbox.",
    )


def _server(exc: ApiError) -> Explanation:
    return Explanation(
        f"Klaviyo had a server problem (HTTP {exc.status}) and retries did not get through.",
        "Nothing is lost: wait a minute and retry. If it persists, check status.klaviyo.com.",
    )


def _other_status(exc: ApiError) -> Explanation:
    return Explanation(f"Klaviyo answered HTTP {exc.status}: {_detail(exc)}", "Check the request and retry.")


def _detail(exc: ApiError) -> str:
    return exc.detail or exc.title or ""


def _non_json(exc: ApiError) -> Explanation:
    excerpt = exc.body_excerpt or "(empty)"
    if exc.status == 403:
        return Explanation(
            "A proxy or firewall in front of Klaviyo blocked the request (it answered with a web page, not the API).",
            "Retry in a few minutes; if it persists, try from another network or ask IT about a bot challenge.",
        )
    return Explanation(
        f"Something between you and Klaviyo answered HTTP {exc.status} with a web page instead of an API "
        f"answer: {excerpt[:160]}",
        "Check the base URL and any proxy settings, then retry; nothing was changed.",
    )


def _api(exc: ApiError) -> Explanation:
    """Dispatch an API error along the MRO of its class (a bare ApiError is classed by its status first)."""
    if not exc.is_json and exc.status != 429:
        return _non_json(exc)
    cls = class_for_status(exc.status) if type(exc) is ApiError else type(exc)
    for klass in cls.__mro__:
        explainer = _API_EXPLAINERS.get(klass)
        if explainer:
            return explainer(exc)
    return _other_status(exc)


def _timeout(exc: RequestTimeout) -> Explanation:
    return Explanation(
        f"Klaviyo did not answer in time: {exc}",
        "Retry; for uploads the workbench resumes without sending anything twice.",
    )


def _tls(exc: TlsFailed) -> Explanation:
    return Explanation(
        f"The server's security certificate (TLS) was not accepted, so nothing was sent: {exc}",
        "This is not your internet connection. Check the base URL is Klaviyo's (https://a.klaviyo.com); behind a "
        "company proxy that inspects traffic, ask IT for its CA certificate and set REQUESTS_CA_BUNDLE to it.",
    )


def _connection(exc: ConnectionFailed) -> Explanation:
    target = exc.request.url.split("/api")[0] if exc.request else "the server"
    return Explanation(
        f"Could not connect to {target}.",
        "Check your internet connection (or that the sandbox is running) and retry.",
    )


def _foreign_origin(exc: ForeignOrigin) -> Explanation:
    return Explanation(str(exc), "Check the base URL (and any proxy in front of it); the answer came from there.")


def _redirect(exc: RedirectNotFollowed) -> Explanation:
    return Explanation(str(exc), "Point the base URL at the address the API really answers on, then retry.")


def _klaviyo(exc: KlaviyoError) -> Explanation:
    return Explanation(str(exc), "Retry; if it persists, report it with this message.")


def _input(exc: ValueError | OSError) -> Explanation:
    return Explanation(str(exc), "Correct the input named above and try again.")


def _unexpected(exc: BaseException) -> Explanation:
    return Explanation(
        f"Unexpected problem: {type(exc).__name__}: {exc}", "Retry; if it persists, report it with this message."
    )


_API_EXPLAINERS: dict[type[ApiError], Callable[[Any], Explanation]] = {
    BadRequest: _bad_request,
    AuthenticationError: _auth,
    PermissionDenied: _denied,
    NotFound: _not_found,
    MethodNotAllowed: _method,
    Conflict: _conflict,
    Gone: _gone,
    PayloadTooLarge: _too_large,
    UnsupportedMediaType: _media_type,
    RateLimited: _rate_limited,
    NotImplementedBySandbox: _unmodelled,
    ServerError: _server,
    ApiError: _other_status,
}

# Keyed on exception classes; `explain` walks `type(exc).__mro__`, so the most specific class wins.
_EXPLAINERS: dict[type[BaseException], Callable[[Any], Explanation]] = {
    ApiError: _api,
    RequestTimeout: _timeout,
    ConnectionFailed: _connection,
    TlsFailed: _tls,
    ForeignOrigin: _foreign_origin,
    RedirectNotFollowed: _redirect,
    KlaviyoError: _klaviyo,
    ValueError: _input,
    OSError: _input,
    BaseException: _unexpected,
}


def explain(exc: BaseException) -> Explanation:
    """Plain words for any exception: the explainer of the most specific class in its MRO."""
    for klass in type(exc).__mro__:
        explainer = _EXPLAINERS.get(klass)
        if explainer:
            return explainer(exc)
    return _unexpected(exc)
