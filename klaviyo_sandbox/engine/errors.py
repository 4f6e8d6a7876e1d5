"""JSON:API error objects, serialised in one place, with Klaviyo's codes and wording."""

from __future__ import annotations

import uuid
from typing import Any


class ApiError(Exception):
    """Raise from any handler; the server turns it into a Klaviyo-shaped error response."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.pointer = pointer
        self.parameter = parameter
        self.meta = meta or {}
        self.headers = headers or {}

    def to_object(self) -> dict[str, Any]:
        source: dict[str, str] = {}
        if self.parameter is not None:
            source["parameter"] = self.parameter
        else:
            source["pointer"] = self.pointer if self.pointer is not None else "/data"
        return {
            "id": str(uuid.uuid4()),
            "status": self.status,
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
            "source": source,
            "links": {},
            "meta": self.meta,
        }


def error_body(*errors: ApiError) -> dict[str, Any]:
    return {"errors": [e.to_object() for e in errors]}


def invalid(detail: str, *, pointer: str | None = None, parameter: str | None = None) -> ApiError:
    return ApiError(400, "invalid", "Invalid input.", detail, pointer=pointer, parameter=parameter)


def not_found(detail: str = "Not found.", *, pointer: str | None = None) -> ApiError:
    return ApiError(404, "not_found", "Not found.", detail, pointer=pointer)


def conflict(
    code: str, detail: str, *, pointer: str = "/data/attributes", meta: dict[str, Any] | None = None
) -> ApiError:
    return ApiError(409, code, "Conflict.", detail, pointer=pointer, meta=meta)


def not_authenticated() -> ApiError:
    return ApiError(
        401,
        "not_authenticated",
        "Authentication credentials were not provided.",
        "Missing or invalid authorization scheme. Please use Klaviyo-API-Key.",
        pointer="/data/",
    )


def authentication_failed() -> ApiError:
    return ApiError(
        401,
        "authentication_failed",
        "Incorrect authentication credentials.",
        "Incorrect authentication credentials.",
        pointer="/data/",
    )


def permission_denied(missing: list[str]) -> ApiError:
    return ApiError(
        403,
        "permission_denied",
        "You do not have permission to perform this action.",
        "You do not have permission to perform this action.",
        pointer="/data/",
        meta={"missing_scopes": missing},
    )


def throttled(retry_after: int) -> ApiError:
    unit = "second" if retry_after == 1 else "seconds"
    return ApiError(
        429,
        "throttled",
        "Request was throttled.",
        f"Request was throttled. Expected available in {retry_after} {unit}.",
        headers={"Retry-After": str(retry_after)},
    )
