"""Templates (read-only): GET /api/templates (filter, sort, cursor pages) and GET /api/templates/{id}."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.templates import store as templatestore
from klaviyo_spec import allowed_filters

SORTS = {"created", "id", "name", "updated"}


def template_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "editor_type": row["editor_type"],
        "html": row["html"],
        "text": row["text"],
        "amp": None,
        "created": row["created"],
        "updated": row["updated"],
    }
    return resource(
        ctx, "template", row["id"], sparse(ctx, "template", attributes), None, f"/api/templates/{row['id']}"
    )


@route("get_templates")
def get_templates(ctx: Ctx) -> Response:
    """Email templates. EMULATOR CHOICE: three read-only demo templates, so connectors that read templates by
    default get a real answer instead of a 501."""
    offset, size = page_window(ctx, 10, 10)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_templates"))
    sort = ctx.req.arg("sort") or "id"
    if sort.lstrip("-") not in SORTS:
        raise invalid(f"'{sort}' is not a valid sort field; use one of {sorted(SORTS)}.", parameter="sort")
    rows = [r for r in templatestore.all_templates(ctx.store) if all(matches(c, r[c.field]) for c in conditions)]
    rows.sort(key=lambda r: (r[sort.lstrip("-")], r["id"]), reverse=sort.startswith("-"))
    items = [template_resource(ctx, r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))


@route("get_template")
def get_template(ctx: Ctx) -> Response:
    """One demo template, with its HTML and text."""
    return Response(
        200, document(ctx, template_resource(ctx, ctx.store.row_or_404("templates", ctx.params["id"], "template")))
    )


seeder("templates")(templatestore.seed_templates)
