"""Derive klaviyo_spec/operations.py from Klaviyo's official OpenAPI spec.

The spec (3 MB, MIT) is never copied into the project; this script reads it from ../shared/ and writes
only the small per-operation table both the client and the sandbox need: method, path template,
operationId, success status, rate limits (burst per second, steady per minute, daily) and scopes, plus the
stricter limits some operations state in their description for one `additional-fields[...]` value (e.g.
get_list with `additional-fields[list]=profile_count`: 1/s, 15/m; not in `x-klaviyo-ratelimit`).

Run: python scripts/derive_spec_tables.py [PATH_TO_stable.json]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "klaviyo-openapi" / "stable.json"
OUT = ROOT / "klaviyo_spec" / "operations.py"
METHODS = ("get", "post", "patch", "put", "delete")


def _count(value: str | None) -> int | None:
    """'75/s' -> 75; absent -> None."""
    return int(value.split("/")[0]) if value else None


def _success(op: dict) -> int:
    codes = sorted(int(c) for c in op.get("responses", {}) if c.isdigit() and c.startswith("2"))
    return codes[0] if codes else 200


def rows(spec: dict) -> list[tuple]:
    out = []
    for path, item in sorted(spec["paths"].items()):
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            rl = op.get("x-klaviyo-ratelimit") or {}
            out.append(
                (
                    method.upper(),
                    path,
                    op["operationId"],
                    _success(op),
                    _count(rl.get("burst")),
                    _count(rl.get("steady")),
                    _count(rl.get("daily")),
                    tuple(op.get("x-klaviyo-scopes", [])),
                )
            )
    return out


def filters(spec: dict) -> dict[str, dict[str, list[str]]]:
    """operationId -> {field: sorted operators} from `x-klaviyo-filters`."""
    out: dict[str, dict[str, list[str]]] = {}
    for item in spec["paths"].values():
        for method in METHODS:
            op = item.get(method)
            if op and op.get("x-klaviyo-filters"):
                out[op["operationId"]] = {
                    name: sorted({o for ops in rule.get("operators", {}).values() for o in ops})
                    for name, rule in sorted(op["x-klaviyo-filters"].items())
                }
    return out


_EXTRA_LIMIT = re.compile(
    r"Rate limits when using the `(additional-fields\[[a-z_-]+\])=([a-z_]+)` parameter in your API request:"
    r"<br>Burst: `(\d+)/s`<br>Steady: `(\d+)/m`"
)


def extra_limits(spec: dict) -> dict[str, dict[str, tuple[int, int]]]:
    """operationId -> {"additional-fields[x]=value": (burst/s, steady/min)} from the operation's description."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for _, item in sorted(spec["paths"].items()):
        for method in METHODS:
            op = item.get(method)
            for param, value, burst, steady in _EXTRA_LIMIT.findall((op or {}).get("description", "")):
                out.setdefault(op["operationId"], {})[f"{param}={value}"] = (int(burst), int(steady))
    return out


def _dict_table(comment: str, opening: str, table: dict[str, Any]) -> list[str]:
    """One generated dict literal keyed by operationId, after a blank line and its comment."""
    return ["", comment, opening, *(f"    {key!r}: {value!r}," for key, value in table.items()), "}"]


def render(spec: dict) -> str:
    lines = [
        '"""Per-operation table derived from Klaviyo\'s OpenAPI spec. Generated: do not edit.',
        "",
        "Regenerate with `python scripts/derive_spec_tables.py`.",
        '"""',
        "",
        f'SPEC_REVISION = "{spec["info"]["version"]}"',
        "",
        "# (method, path template, operationId, success status, burst/s, steady/min, daily, scopes)",
        "OPERATIONS: tuple[tuple[str, str, str, int, int | None, int | None, int | None, tuple[str, ...]], ...] = (",
    ]
    for row in rows(spec):
        lines.append(f"    {row!r},")
    lines.append(")")
    lines += _dict_table(
        "# operationId -> {filter field: operators} (x-klaviyo-filters)",
        "FILTERS: dict[str, dict[str, list[str]]] = {",
        filters(spec),
    )
    lines += _dict_table(
        "# operationId -> {'additional-fields[x]=value': (burst/s, steady/min)}: stricter limits for that value",
        "EXTRA_FIELD_LIMITS: dict[str, dict[str, tuple[int, int]]] = {",
        extra_limits(spec),
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    spec_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPEC
    spec = json.loads(spec_path.read_text())
    OUT.write_text(render(spec))
    print(f"wrote {OUT} ({len(rows(spec))} operations, revision {spec['info']['version']})")


if __name__ == "__main__":
    main()
