"""Klaviyo's filter grammar: `equals(email,"a@b.c"),greater-than(datetime,2026-01-01T00:00:00Z)`.

Several expressions joined by commas, or wrapped in `and(...)`, are ANDed. Strings are quoted (single or
double), datetimes are bare ISO 8601 (a quoted datetime is a 400, as on Klaviyo), lists are `["a","b"]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from klaviyo_sandbox.engine.errors import ApiError, invalid

MAX_NESTING = 16  # and(and(...)) deeper than this is refused with a 400, not a RecursionError
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass(frozen=True)
class Condition:
    op: str
    field: str
    value: Any


def _split_args(text: str) -> list[str]:
    """Split on top-level commas, respecting quotes, brackets and parentheses."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if quote or depth:
        raise invalid(f"Invalid filter: unbalanced quotes or brackets in '{text}'.", parameter="filter")
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _literal(raw: str) -> Any:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise invalid(f"Invalid filter value {raw}.", parameter="filter")
        return [_literal(p) for p in _split_args(raw[1:-1])]
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    if _DATETIME.match(raw):
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise invalid(f"Invalid datetime {raw} in filter.", parameter="filter") from None
    try:
        return int(raw) if re.fullmatch(r"-?\d+", raw) else float(raw)
    except ValueError:
        raise invalid(
            f"Invalid filter value {raw}: quote strings, leave datetimes unquoted.", parameter="filter"
        ) from None


def parse_filter(text: str | None, allowed: dict[str, set[str]] | None = None, _depth: int = 0) -> list[Condition]:
    """Parse a filter string; `allowed` maps field -> operators the endpoint accepts."""
    if not text:
        return []
    if _depth > MAX_NESTING:
        raise invalid(f"Invalid filter: and(...) is nested more than {MAX_NESTING} levels deep.", parameter="filter")
    out: list[Condition] = []
    for expr in _split_args(text):
        m = re.fullmatch(r"([a-z-]+)\((.*)\)", expr, re.S)
        if not m:
            raise invalid(f"Invalid filter expression '{expr}'.", parameter="filter")
        op, inner = m.group(1), m.group(2)
        if op == "and":
            out.extend(parse_filter(inner, allowed, _depth + 1))
            continue
        args = _split_args(inner)
        if op == "has" and len(args) == 1:
            out.append(Condition(op, args[0], True))
            continue
        if len(args) != 2:
            raise invalid(f"Invalid filter expression '{expr}': expected operator(field,value).", parameter="filter")
        field, value = args[0], _literal(args[1])
        if allowed is not None:
            if field not in allowed:
                raise invalid(f"'{field}' is not a valid field for this filter.", parameter="filter")
            if op not in allowed[field]:
                raise invalid(f"'{op}' is not a valid operator for the field '{field}'.", parameter="filter")
        out.append(Condition(op, field, value))
    return out


def matches(cond: Condition, actual: Any) -> bool:
    """Evaluate one condition against a value (for handlers that filter in Python)."""
    v = cond.value
    if isinstance(actual, datetime) or isinstance(v, datetime):
        actual = _as_dt(actual)
        v = _as_dt(v)
        if actual is None or v is None:
            return False
    ops: dict[str, Callable[[], bool]] = {
        "equals": lambda: (actual in v) if isinstance(v, list) else actual == v,
        "any": lambda: actual in (v if isinstance(v, list) else [v]),
        "greater-than": lambda: actual is not None and actual > v,
        "greater-or-equal": lambda: actual is not None and actual >= v,
        "less-than": lambda: actual is not None and actual < v,
        "less-or-equal": lambda: actual is not None and actual <= v,
        "contains": lambda: isinstance(actual, (str, list)) and v in actual,
        "starts-with": lambda: isinstance(actual, str) and actual.startswith(v),
        "ends-with": lambda: isinstance(actual, str) and actual.endswith(v),
        "has": lambda: actual is not None,
    }
    if cond.op not in ops:
        raise ApiError(
            400, "invalid", "Invalid input.", f"Unsupported filter operator '{cond.op}'.", parameter="filter"
        )
    return bool(ops[cond.op]())


def _as_dt(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
