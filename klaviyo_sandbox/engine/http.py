"""The request and response objects handlers see: plain data, no sockets."""

from __future__ import annotations

import json
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
        return json.dumps(self.body, separators=(",", ":"), default=str).encode()


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
        try:
            doc = json.loads(self.req.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise invalid(f"Malformed JSON: {exc}", pointer="/data") from None
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
