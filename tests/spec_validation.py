"""Validate sandbox responses (and client request bodies) against Klaviyo's official OpenAPI spec.

The spec is read from ../shared/klaviyo-openapi/stable.json (or $KLAVIYO_OPENAPI_SPEC); it is never copied
into the project. OpenAPI 3.0 `nullable` is turned into JSON Schema type unions, then jsonschema checks the
document against the operation's schema with `$ref`s resolved inside the spec.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from klaviyo_spec import match_operation

SPEC_PATH = Path(
    os.environ.get(
        "KLAVIYO_OPENAPI_SPEC", Path(__file__).resolve().parents[2] / "shared" / "klaviyo-openapi" / "stable.json"
    )
)
MEDIA = "application/vnd.api+json"
URN = "urn:klaviyo-spec"


def spec_available() -> bool:
    return SPEC_PATH.is_file()


def require_spec() -> None:
    if not spec_available():
        pytest.skip(f"Klaviyo's OpenAPI spec is not at {SPEC_PATH}; contract checks need it")


def _nullable_to_union(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _nullable_to_union(v) for k, v in node.items()}
        if out.pop("nullable", False):
            if "type" in out:
                out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
            elif "$ref" in out:
                out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
            elif "oneOf" in out or "anyOf" in out:  # e.g. a campaign message's `definition`: null or one variant
                kind = "oneOf" if "oneOf" in out else "anyOf"
                out[kind] = [*out[kind], {"type": "null"}]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out
    if isinstance(node, list):
        return [_nullable_to_union(v) for v in node]
    return node


def _oneof_duplicates_to_anyof(node: Any, schemas: dict[str, Any]) -> Any:
    """A `oneOf` whose alternatives include two identical schemas can never be met (e.g. campaign
    `send_options`: Email/SMS/PushSendOptions are the same object), so it is read as the `anyOf` it means."""
    if isinstance(node, dict):
        out = {k: _oneof_duplicates_to_anyof(v, schemas) for k, v in node.items()}
        alternatives = out.get("oneOf")
        if isinstance(alternatives, list):

            def body(alt: Any) -> str:
                target = schemas.get(alt["$ref"].rsplit("/", 1)[1], alt) if "$ref" in alt else alt
                return json.dumps(
                    {k: v for k, v in target.items() if k not in ("description", "example")}, sort_keys=True
                )

            bodies = [body(a) for a in alternatives if isinstance(a, dict)]
            if len(set(bodies)) < len(bodies):
                out["anyOf"] = out.pop("oneOf")
        return out
    if isinstance(node, list):
        return [_oneof_duplicates_to_anyof(v, schemas) for v in node]
    return node


def _documented_deviations(spec: dict[str, Any]) -> dict[str, Any]:
    """Where the sandbox answers on purpose outside the spec's letter, each with its reason.

    `CollectionLinks.next/prev` may be null: the spec types them as plain strings, but the sandbox always sends
    both keys, null where there is no page (facts §6 EMULATOR CHOICE; both official SDKs type them Optional).
    """
    links = spec["components"]["schemas"]["CollectionLinks"]["properties"]
    for name in ("next", "prev"):
        links[name] = {**links[name], "nullable": True}
    return spec


@lru_cache(maxsize=1)
def _spec() -> tuple[dict[str, Any], Registry]:
    spec = _nullable_to_union(_documented_deviations(json.loads(SPEC_PATH.read_text())))
    spec = _oneof_duplicates_to_anyof(spec, spec["components"]["schemas"])
    registry = Registry().with_resource(URN, DRAFT7.create_resource(spec))
    return spec, registry


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _validator(pointer: str) -> Draft7Validator:
    _, registry = _spec()
    return Draft7Validator({"$ref": f"{URN}#{pointer}"}, registry=registry)


def response_errors(method: str, path: str, status: int, body: Any) -> list[str]:
    """Problems with one response; [] when it matches the spec."""
    found = match_operation(method, path)
    if found is None:
        return []  # not a spec route (404 for unknown paths is checked by its own tests)
    operation = found[0]
    spec, _ = _spec()
    responses = spec["paths"][operation.path][method.lower()]["responses"]
    key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
    if key not in responses:
        return [f"{method} {path}: status {status} is not declared in the spec ({sorted(responses)})"]
    declared = responses[key]
    if "$ref" in declared:
        declared = spec["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    content = declared.get("content")
    if not content:
        return [] if body in (None, b"", "") else [f"{method} {path}: {status} must have an empty body"]
    if key.endswith("XX"):
        pointer = (
            f"/components/responses/{_escape(responses[key]['$ref'].rsplit('/', 1)[1])}/content/{_escape(MEDIA)}/schema"
        )
    else:
        pointer = f"/paths/{_escape(operation.path)}/{method.lower()}/responses/{key}/content/{_escape(MEDIA)}/schema"
    return [f"{method} {path} {status}: {e.json_path}: {e.message}" for e in _validator(pointer).iter_errors(body)]


def request_errors(method: str, path: str, body: Any) -> list[str]:
    """Problems with a request body the client would send."""
    found = match_operation(method, path)
    if found is None:
        return [f"{method} {path} is not a spec operation"]
    operation = found[0]
    pointer = f"/paths/{_escape(operation.path)}/{method.lower()}/requestBody/content/{_escape(MEDIA)}/schema"
    return [f"{method} {path} request: {e.json_path}: {e.message}" for e in _validator(pointer).iter_errors(body)]


def assert_response_matches_spec(method: str, path: str, status: int, body: Any) -> None:
    problems = response_errors(method, path, status, body)
    assert not problems, "\n".join(problems)
