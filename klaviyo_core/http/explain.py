"""Errors in plain words: what happened, and what to do about it.

`explain(exc)` works for every exception the client raises (and any other, as a last resort), so pages and
the CLI never show a traceback. It never includes a key: exceptions only carry masked request headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from klaviyo_core.http.errors import ApiError, ConnectionFailed, KlaviyoError, NotImplementedBySandbox, RequestTimeout
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


def _explain_api(exc: ApiError) -> Explanation:
    detail = exc.detail or exc.title or ""
    status = exc.status
    if not exc.is_json and status not in (429,):
        return _non_json(exc)
    if status == 400:
        if exc.source.get("parameter") == "revision":
            return Explanation(
                f"Klaviyo refused the API revision this app sent: {detail}",
                "Set the revision to a released date such as 2026-07-15 (Keys page or --revision), then retry.",
            )
        return Explanation(
            f"Klaviyo rejected the request as invalid{_where(exc)}: {detail}",
            "Correct the value named above and send again; nothing was changed in Klaviyo.",
        )
    if status == 401:
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
    if status == 403:
        scopes = _scopes_needed(exc)
        needs = f" It needs the scope(s): {', '.join(scopes)}." if scopes else ""
        return Explanation(
            f"This API key is not allowed to do this.{needs}",
            "Create a key with those scopes (or Full Access) in Klaviyo > Settings > API keys, then replace it.",
        )
    if status == 404:
        return Explanation(
            f"Klaviyo could not find what was asked for: {detail}",
            "Check the id or name (it may have been deleted, or belong to another account) and try again.",
        )
    if status == 405:
        return Explanation(
            f"This endpoint does not accept that kind of request: {detail}",
            "This is a bug in the workbench or an outdated revision; please report it with the request shown.",
        )
    if status == 409:
        dup = exc.meta.get("duplicate_profile_id")
        if exc.code == "duplicate_profile" or dup:
            return Explanation(
                f"A profile with this email, phone number or external id already exists (id {dup}).",
                "Update that profile instead (the importer does this for you), or remove the clashing identifier.",
            )
        return Explanation(f"The request conflicts with existing data: {detail}", "Resolve the conflict named above.")
    if status == 410:
        return Explanation(
            "This endpoint or API revision has been retired by Klaviyo.",
            "Choose a current revision (e.g. 2026-07-15) in the settings and retry.",
        )
    if status == 413:
        return Explanation(
            "The request was too large for Klaviyo (5 MB per request, 100 KB per profile).",
            "Send fewer rows per request or trim very long values; the importer splits files for you.",
        )
    if status == 415:
        return Explanation(
            "Klaviyo did not accept the request's content type.",
            "This is a bug in the workbench; requests must use application/vnd.api+json. Please report it.",
        )
    if status == 429:
        wait = f" Klaviyo asks to wait {exc.retry_after:g} s." if exc.retry_after is not None else ""
        return Explanation(
            f"Klaviyo is rate-limiting this key for this endpoint.{wait}",
            "Wait a moment and retry; the workbench already paces and retries calls, so this means the "
            "limit is shared with another tool using the same key right now.",
        )
    if isinstance(exc, NotImplementedBySandbox):
        return Explanation(
            f"The local sandbox does not model this endpoint yet: {detail}",
            "Try this action against a live account, or use another feature in the sandbox.",
        )
    if status >= 500:
        return Explanation(
            f"Klaviyo had a server problem (HTTP {status}) and retries did not get through.",
            "Nothing is lost: wait a minute and retry. If it persists, check status.klaviyo.com.",
        )
    return Explanation(f"Klaviyo answered HTTP {status}: {detail}", "Check the request and retry.")


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


def explain(exc: BaseException) -> Explanation:
    if isinstance(exc, ApiError):
        return _explain_api(exc)
    if isinstance(exc, RequestTimeout):
        return Explanation(
            "Klaviyo did not answer in time.",
            "Retry; for uploads the workbench resumes without sending anything twice.",
        )
    if isinstance(exc, ConnectionFailed):
        target = exc.request.url.split("/api")[0] if exc.request else "the server"
        return Explanation(
            f"Could not connect to {target}.",
            "Check your internet connection (or that the sandbox is running) and retry.",
        )
    if isinstance(exc, KlaviyoError):
        return Explanation(str(exc), "Retry; if it persists, report it with this message.")
    if isinstance(exc, (ValueError, OSError)):
        return Explanation(str(exc), "Correct the input named above and try again.")
    return Explanation(
        f"Unexpected problem: {type(exc).__name__}: {exc}", "Retry; if it persists, report it with this message."
    )
