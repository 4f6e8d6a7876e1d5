"""The request and response objects handlers see: plain data, no sockets."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from klaviyo_sandbox.engine.errors import invalid

if TYPE_CHECKING:
    from klaviyo_sandbox.config import KeySpec, SandboxConfig
    from klaviyo_sandbox.engine.jobs import JobRunner
    from klaviyo_sandbox.engine.store import Store
    from klaviyo_spec import Operation

JSONAPI = "application/vnd.api+json"
MAX_DEPTH = 64  # deeper request documents are refused (Klaviyo's own documents nest a handful of levels)
INT64_MAX = 2**63 - 1  # what SQLite (and Klaviyo's backend) can hold


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (RFC 8259 has no NaN or Infinity)")


def _pointer(parts: tuple[str | int, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _check_values(doc: Any) -> None:
    """Refuse what parses but cannot be kept: nesting past MAX_DEPTH, non-finite floats, ints past 64 bits."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(doc, ())]
    while stack:
        value, where = stack.pop()
        if len(where) > MAX_DEPTH:
            raise invalid(f"The document is nested more than {MAX_DEPTH} levels deep.", pointer=_pointer(where))
        if isinstance(value, dict):
            stack.extend((v, (*where, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            raise invalid("This number is too large to be represented.", pointer=_pointer(where))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
            raise invalid(f"This integer is outside the 64-bit range (at most {INT64_MAX}).", pointer=_pointer(where))


def loads_strict(raw: bytes | str) -> Any:
    """Parse a request body as standard JSON only; every problem is a 400 with a pointer, never a 500."""
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise invalid(f"Malformed JSON: nested more than {MAX_DEPTH} levels deep.", pointer="/data") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(f"Malformed JSON: {exc}", pointer="/data") from None
    _check_values(doc)
    return doc


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    @classmethod
    def from_raw(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
        path, _, qs = target.partition("?")
        return cls(method.upper(), path, parse_qs(qs, keep_blank_values=True), headers, body)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        # allow_nan=False: never emit NaN/Infinity, which no standard JSON parser reads back
        return json.dumps(self.body, separators=(",", ":"), default=str, allow_nan=False).encode()


@dataclass
class Ctx:
    """Everything a handler needs for one request."""

    req: Request
    params: dict[str, str]
    operation: Operation
    store: Store
    config: SandboxConfig
    jobs: JobRunner
    base_url: str
    key: KeySpec | None = None

    def json_body(self) -> dict[str, Any]:
        if not self.req.body:
            raise invalid("A request body is required.", pointer="/data")
        doc = loads_strict(self.req.body)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), (dict, list)):
            raise invalid("The body must be a JSON:API document with a 'data' member.", pointer="/data")
        return doc

    def url(self, path: str, query: dict[str, str] | None = None) -> str:
        url = f"{self.base_url}{path}"
        if query:
            url += "?" + urlencode(query)
        return url

    def self_link(self) -> str:
        flat = {k: v[-1] for k, v in self.req.query.items()}
        return self.url(self.req.path, flat or None)
