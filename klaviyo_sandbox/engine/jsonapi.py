"""JSON:API document helpers: resources, collections, cursor pagination."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx


def resource(
    ctx: Ctx,
    type_: str,
    id_: str,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
    self_path: str | None = None,
) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": type_, "id": id_, "attributes": attributes}
    if relationships is not None:
        obj["relationships"] = relationships
    obj["links"] = {"self": ctx.url(self_path or f"/api/{type_}s/{id_}")}
    return obj


def document(ctx: Ctx, data: Any, **extra: Any) -> dict[str, Any]:
    doc = {"data": data, "links": {"self": ctx.self_link()}}
    doc.update(extra)
    return doc


_INT64_MAX = 2**63 - 1


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"next::offset::{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, value = base64.urlsafe_b64decode(padded).decode().rpartition("::")
        offset = int(value)
        if kind != "next::offset" or not 0 <= offset <= _INT64_MAX:  # SQLite's OFFSET is a signed 64-bit int
            raise ValueError
        return offset
    except (ValueError, UnicodeDecodeError):
        raise invalid("Invalid cursor provided.", pointer="/data/") from None


def page_window(ctx: Ctx, default: int, maximum: int) -> tuple[int, int]:
    """(offset, size) from page[cursor] and page[size]."""
    raw_size = ctx.req.arg("page[size]")
    size = default
    if raw_size is not None:
        try:
            size = int(raw_size)
        except ValueError:
            size = -1
        if not 1 <= size <= maximum:
            raise invalid(f"page[size] must be an integer between 1 and {maximum}.", parameter="page[size]")
    cursor = ctx.req.arg("page[cursor]")
    return (decode_cursor(cursor) if cursor else 0), size


def collection(
    ctx: Ctx, items: Sequence[dict[str, Any]], offset: int, size: int, total: int | None = None, **extra: Any
) -> dict[str, Any]:
    """A page of items; `items` may hold size+1 entries (the extra one only says a next page exists)."""
    has_next = len(items) > size if total is None else offset + size < total
    query = {k: v[-1] for k, v in ctx.req.query.items() if k != "page[cursor]"}

    def link(off: int) -> str:
        return ctx.url(ctx.req.path, {**query, "page[cursor]": encode_cursor(off)})

    # The spec types next/prev as strings (not nullable), so a missing page is an absent key.
    links = {"self": ctx.self_link()}
    if has_next:
        links["next"] = link(offset + size)
    if offset > 0:
        links["prev"] = link(max(0, offset - size))
    doc: dict[str, Any] = {"data": list(items[:size]), "links": links}
    doc.update(extra)
    return doc


def sparse(ctx: Ctx, type_: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """Apply `fields[type]=a,b.c` (sparse fieldsets, dotted sub-fields allowed) to an attribute dict."""
    wanted = ctx.req.arg(f"fields[{type_}]")
    if not wanted:
        return attributes
    out: dict[str, Any] = {}
    for name in wanted.split(","):
        path = name.strip().split(".")
        src: Any = attributes
        dst = out
        for i, part in enumerate(path):
            if not isinstance(src, dict) or part not in src:
                break
            if i == len(path) - 1:
                dst[part] = src[part]
            else:
                dst = dst.setdefault(part, {})
                src = src[part]
    return out


def request_data(data: Any, type_: str, *, url_id: str | None = None, attributes: bool = True) -> dict[str, Any]:
    """The `data` object of a write request, after the checks every JSON:API write shares.

    `data.type` must be `type_`; with `url_id`, `data.id` must repeat the id in the URL; with `attributes`,
    `data.attributes` must be an object. Each failure is a 400 pointing at the member to fix.
    """
    if not isinstance(data, dict) or data.get("type") != type_:
        raise invalid(f"data.type must be '{type_}'.", pointer="/data/type")
    if url_id is not None and data.get("id") != url_id:
        raise invalid(f"data.id must match the {type_.replace('-', ' ')} id in the URL.", pointer="/data/id")
    if attributes and not isinstance(data.get("attributes"), dict):
        raise invalid("data.attributes is required.", pointer="/data/attributes")
    return data
