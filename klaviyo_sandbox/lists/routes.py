"""Lists: create, read, rename, delete, and membership (tables and queries in lists/store.py and, for
list_members, profiles/store.py)."""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.lists import store as liststore
from klaviyo_sandbox.lists.resource import list_resource
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.resource import additional_fields, profile_resource
from klaviyo_sandbox.tags.taggable import get_taggable, list_taggable
from klaviyo_spec import allowed_filters

OPT_IN = ("double_opt_in", "single_opt_in")
SORTS = {"created", "id", "name", "updated"}


def _attributes(ctx: Ctx, *, creating: bool) -> dict[str, Any]:
    data = request_data(ctx.json_body()["data"], "list", url_id=None if creating else ctx.params["id"])
    attrs: dict[str, Any] = data["attributes"]
    name = attrs.get("name")
    if (creating or "name" in attrs) and (not isinstance(name, str) or not name.strip()):
        raise invalid("A list needs a non-empty name.", pointer="/data/attributes/name")
    if attrs.get("opt_in_process") is not None and attrs["opt_in_process"] not in OPT_IN:
        raise invalid(f"opt_in_process must be one of {', '.join(OPT_IN)}.", pointer="/data/attributes/opt_in_process")
    return attrs


@route("get_lists")
def get_lists(ctx: Ctx) -> Response:
    """Lists, 10 a page at most, with name/id/created/updated filters and include=tags (facts §6, §14).
    Lists are taggable like segments, campaigns and flows: one shared read path (tags/taggable.py) gives
    filter, sort, cursor pages and include=tags."""
    return list_taggable(ctx, "list", list_resource, sorts=SORTS, page=(10, 10), includes={"tags"})


@route("get_list")
def get_list(ctx: Ctx) -> Response:
    """One list, with include=tags (facts §14); 404 names the list id when it does not exist."""
    return get_taggable(ctx, "list", list_resource, {"tags"})


@route("create_list")
def create_list(ctx: Ctx) -> Response:
    """201 with the list; `opt_in_process` defaults to the account's (facts §14). EMULATOR CHOICE: the
    sandbox account's default is single_opt_in, and a blank name is 400 at /data/attributes/name."""
    attrs = _attributes(ctx, creating=True)
    list_id = liststore.insert_list(ctx.store, attrs["name"].strip(), attrs.get("opt_in_process") or "single_opt_in")
    return Response(201, document(ctx, list_resource(ctx, liststore.list_row(ctx.store, list_id))))


@route("update_list")
def update_list(ctx: Ctx) -> Response:
    """PATCH name and opt-in, 200 with the list (facts §14); an omitted attribute keeps its value."""
    row = liststore.list_row(ctx.store, ctx.params["id"])
    attrs = _attributes(ctx, creating=False)
    name = (attrs.get("name") or row["name"]).strip()
    liststore.update_list(ctx.store, row["id"], name, attrs.get("opt_in_process") or row["opt_in_process"])
    return Response(200, document(ctx, list_resource(ctx, liststore.list_row(ctx.store, row["id"]))))


@route("delete_list")
def delete_list(ctx: Ctx) -> Response:
    """204; the sandbox drops the list's memberships with it (the profiles stay)."""
    liststore.delete_list(ctx.store, liststore.list_row(ctx.store, ctx.params["id"])["id"])
    return Response(204)


# -- membership: ids only, at most 1,000 per call, never a change of consent (facts §14) ---------------------
MAX_MEMBERS_PER_CALL = 1000


def _member_ids(ctx: Ctx) -> list[str]:
    data = ctx.json_body()["data"]
    if not isinstance(data, list) or not data:
        raise invalid("data must be a non-empty array of {type: 'profile', id}.", pointer="/data")
    if len(data) > MAX_MEMBERS_PER_CALL:
        raise invalid(f"At most {MAX_MEMBERS_PER_CALL} profiles per call; this one has {len(data)}.", pointer="/data")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or item.get("type") != "profile" or not isinstance(item.get("id"), str):
            raise invalid("Each item must be {type: 'profile', id}.", pointer=f"/data/{i}")
        out.append(item["id"])
    return list(dict.fromkeys(out))


@route("add_profiles_to_list")
def add_profiles_to_list(ctx: Ctx) -> Response:
    """204; profile ids only, at most 1,000 a call, and never a change of consent (facts §14).
    EMULATOR CHOICE: an unknown profile id refuses the whole call, nothing is added."""
    list_id = liststore.list_row(ctx.store, ctx.params["id"])["id"]
    liststore.add_members(ctx.store, list_id, _member_ids(ctx))
    return Response(204)


@route("remove_profiles_from_list")
def remove_profiles_from_list(ctx: Ctx) -> Response:
    """204; the same body and limits as adding (facts §14); consent is unchanged."""
    list_id = liststore.list_row(ctx.store, ctx.params["id"])["id"]
    liststore.remove_members(ctx.store, list_id, _member_ids(ctx))
    return Response(204)


def _member_page(ctx: Ctx, operation_id: str, offset: int, size: int) -> list[Any]:
    list_id = liststore.list_row(ctx.store, ctx.params["id"])["id"]
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(operation_id))
    sort = ctx.req.arg("sort") or "joined_group_at"
    if sort not in ("joined_group_at", "-joined_group_at"):
        raise invalid(f"'{sort}' is not a valid sort; use joined_group_at or -joined_group_at.", parameter="sort")
    return liststore.member_page(
        ctx.store, list_id, conditions, descending=sort.startswith("-"), offset=offset, size=size
    )


@route("get_profiles_for_list")
def get_profiles_for_list(ctx: Ctx) -> Response:
    """Members as profiles, 20/100 a page, sorted by ±joined_group_at (facts §14), with
    `additional-fields[profile]` for subscriptions (facts §7)."""
    offset, size = page_window(ctx, 20, 100)
    extras = additional_fields(ctx)
    members = _member_page(ctx, "get_profiles_for_list", offset, size)
    with ctx.store.read() as conn:
        loaded = [(profilestore.load_profile(conn, r[0]), r[1]) for r in members]
    items = [profile_resource(ctx, p, extras, joined_group_at=joined) for p, joined in loaded if p is not None]
    return Response(200, collection(ctx, items, offset, size))


@route("get_profile_ids_for_list")
def get_profile_ids_for_list(ctx: Ctx) -> Response:
    """The same page of members as `get_profiles_for_list`, as {type, id} pairs only (facts §6)."""
    offset, size = page_window(ctx, 20, 100)
    items = [{"type": "profile", "id": r[0]} for r in _member_page(ctx, "get_profile_ids_for_list", offset, size)]
    return Response(200, collection(ctx, items, offset, size))
