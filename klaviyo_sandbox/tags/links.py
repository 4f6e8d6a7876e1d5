"""Tag relationships in both directions: tag and untag lists, segments, campaigns and flows (204), read the
ids a tag labels, and read the tags on one resource (`/api/<resources>/{id}/tags` and `.../relationships/tags`).

A POST is all-or-nothing: every id must exist, no resource may pass 100 tags, and a resource may carry only
one tag of an exclusive group (409 `conflict`, EMULATOR CHOICE: Klaviyo's exact answer is unknown). Linking
twice is a no-op; removing a link that does not exist is a no-op.
"""

from __future__ import annotations

import sqlite3

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import document
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.seed import seeder
from klaviyo_sandbox.tags import store as tagstore
from klaviyo_sandbox.tags.resource import tag_resource
from klaviyo_sandbox.tags.taggable import PLURAL


def _body_ids(ctx: Ctx, type_: str) -> list[str]:
    data = ctx.json_body()["data"]
    if not isinstance(data, list) or not data:
        raise invalid(f"data must be a non-empty array of {type_} identifiers.", pointer="/data")
    out: list[str] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or item.get("type") != type_:
            raise invalid(f"data[{i}].type must be '{type_}'.", pointer=f"/data/{i}/type")
        if not isinstance(item.get("id"), str) or not item["id"]:
            raise invalid(f"data[{i}].id is required.", pointer=f"/data/{i}/id")
        if item["id"] not in out:
            out.append(item["id"])
    return out


def _link(ctx: Ctx, type_: str) -> Response:
    tag = tagstore.tag_row(ctx.store, ctx.params["id"])
    tagstore.link(ctx.store, tag, type_, _body_ids(ctx, type_))
    return Response(204)


def _unlink(ctx: Ctx, type_: str) -> Response:
    tag = tagstore.tag_row(ctx.store, ctx.params["id"])
    tagstore.unlink(ctx.store, tag["id"], type_, _body_ids(ctx, type_))
    return Response(204)


def _linked_ids(ctx: Ctx, type_: str) -> Response:
    tag = tagstore.tag_row(ctx.store, ctx.params["id"])
    ids_ = tagstore.linked_ids(ctx.store, tag["id"], type_)
    return Response(200, document(ctx, [{"type": type_, "id": rid} for rid in ids_]))


def _tags_of(ctx: Ctx, type_: str) -> list[sqlite3.Row]:
    return tagstore.tags_of(ctx.store, type_, ctx.params["id"])


def _register(type_: str) -> None:
    plural = PLURAL[type_]
    route(f"tag_{plural}")(lambda ctx: _link(ctx, type_))
    route(f"remove_tag_from_{plural}")(lambda ctx: _unlink(ctx, type_))
    route(f"get_{type_}_ids_for_tag")(lambda ctx: _linked_ids(ctx, type_))
    route(f"get_tags_for_{type_}")(
        lambda ctx: Response(200, document(ctx, [tag_resource(ctx, r) for r in _tags_of(ctx, type_)]))
    )
    route(f"get_tag_ids_for_{type_}")(
        lambda ctx: Response(200, document(ctx, [{"type": "tag", "id": r["id"]} for r in _tags_of(ctx, type_)]))
    )


for _type in PLURAL:
    _register(_type)


#: Two demo groups (one exclusive) and a few links to the demo campaigns, flows and segments.
seed_tags = seeder("tags")(tagstore.seed_demo)
