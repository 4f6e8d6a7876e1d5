"""What the catalog routes share: the id from the URL, filtering, the ±created sort, pointers of rule errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from klaviyo_sandbox.catalog import rules
from klaviyo_sandbox.engine.errors import ApiError, invalid
from klaviyo_sandbox.engine.filters import Condition, matches
from klaviyo_sandbox.engine.http import Ctx


def path_id(ctx: Ctx, name: str = "id") -> str:
    """The compound id from the URL, percent-decoded: SDKs send `$` and `:` as %24 and %3A."""
    return unquote(ctx.params[name])


def checked(pointer: str, write: Callable[[], str | None]) -> str | None:
    """Run a write whose rule errors are resource-relative, placing their pointers under `pointer`."""
    try:
        return write()
    except ApiError as err:
        raise rules.at(pointer, err) from None


def sort_created(ctx: Ctx, rows: list[sqlite3.Row]) -> list[sqlite3.Row]:
    sort = ctx.req.arg("sort") or "created"
    if sort.lstrip("-") != "created":
        raise invalid(f"'{sort}' is not a valid sort field; use 'created' or '-created'.", parameter="sort")
    return sorted(rows, key=lambda r: (r["created"], r["id"]), reverse=sort.startswith("-"))


def filtered(
    rows: list[sqlite3.Row], conditions: list[Condition], value: Callable[[sqlite3.Row, str], Any]
) -> list[sqlite3.Row]:
    """Rows that meet every condition (the endpoint's `x-klaviyo-filters` were checked by parse_filter)."""
    return [r for r in rows if all(matches(c, value(r, c.field)) for c in conditions)]
