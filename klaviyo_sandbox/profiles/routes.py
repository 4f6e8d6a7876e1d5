"""Profiles: list/filter/page, create (409 duplicate_profile), read, PATCH, and upsert (`/api/profile-import`).

Writes go through `profilebulk.bulk_upsert` with one row, so a single upsert and a 10,000-row import follow
exactly the same matching and merge rules. Identifier filters and sorts run in SQL (the table may hold
hundreds of thousands of imported profiles).
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine import fastjson
from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.lists import store as liststore
from klaviyo_sandbox.lists.resource import list_resource
from klaviyo_sandbox.profiles import bulk_upsert as profilebulk
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.resource import additional_fields, profile_resource
from klaviyo_spec import allowed_filters

MAX_PROFILE_BYTES = 100 * 1024
SORTS = {"created", "email", "id", "updated"}
SUPPRESSION_SORTS = {
    "subscriptions.email.marketing.list_suppressions.timestamp",
    "subscriptions.email.marketing.suppression.timestamp",
}


# -- reading -------------------------------------------------------------------------------------------------
def _sort(ctx: Ctx) -> tuple[str, bool]:
    """(column, descending) for the `sort` parameter."""
    sort = ctx.req.arg("sort") or "id"
    name = sort.lstrip("-")
    if name not in SORTS | SUPPRESSION_SORTS:
        raise invalid(f"'{sort}' is not a valid sort field; use one of {sorted(SORTS)}.", parameter="sort")
    column = name if name in SORTS else "id"  # no suppressions in the sandbox: every timestamp is equal
    return column, sort.startswith("-")


def _include(ctx: Ctx, allowed: set[str]) -> set[str]:
    wanted = {p.strip() for p in (ctx.req.arg("include") or "").split(",") if p.strip()}
    if wanted - allowed:
        raise invalid(
            f"'{sorted(wanted - allowed)[0]}' is not an allowed include parameter for this resource.",
            parameter="include",
        )
    return wanted


@route("get_profiles")
def get_profiles(ctx: Ctx) -> Response:
    """Profiles, 20/100 a page, identifier and created/updated filters, sorts by created/email/id/updated
    (facts §7, §8). include=conversations,push-tokens is accepted; the sandbox has neither, so nothing is included."""
    offset, size = page_window(ctx, 20, 100)
    extras = additional_fields(ctx)
    _include(ctx, {"conversations", "push-tokens"})  # accepted; the sandbox has neither, so nothing is included
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_profiles"))
    column, descending = _sort(ctx)
    with ctx.store.read() as conn:
        profiles = profilestore.profile_page(conn, conditions, column, descending=descending, offset=offset, size=size)
    items = [profile_resource(ctx, p, extras) for p in profiles]
    return Response(200, collection(ctx, items, offset, size))


def get_profile_or_404(ctx: Ctx, profile_id: str) -> dict[str, Any]:
    with ctx.store.read() as conn:
        found = profilestore.load_profile(conn, profile_id)
    if found is None:
        raise not_found(f"A profile with id {profile_id} does not exist.")
    return found


@route("get_profile")
def get_profile(ctx: Ctx) -> Response:
    """One profile with include=lists (facts §7, §8); 404 names the profile id when it does not exist."""
    profile = get_profile_or_404(ctx, ctx.params["id"])
    include = _include(ctx, {"conversations", "lists", "push-tokens", "segments"})
    extra: dict[str, Any] = {}
    if "lists" in include:
        extra["included"] = [list_resource(ctx, row) for row in liststore.lists_of_profile(ctx.store, profile["id"])]
    return Response(200, document(ctx, profile_resource(ctx, profile), **extra))


@route("get_lists_for_profile")
def get_lists_for_profile(ctx: Ctx) -> Response:
    """The lists the profile is a member of (facts §14), on one page."""
    get_profile_or_404(ctx, ctx.params["id"])
    items = [list_resource(ctx, row) for row in liststore.lists_of_profile(ctx.store, ctx.params["id"])]
    return Response(200, collection(ctx, items, 0, max(len(items), 1)))


@route("get_list_ids_for_profile")
def get_list_ids_for_profile(ctx: Ctx) -> Response:
    """The profile's list ids as {type, id} pairs, on one page (facts §6)."""
    get_profile_or_404(ctx, ctx.params["id"])
    items = [{"type": "list", "id": row["id"]} for row in liststore.lists_of_profile(ctx.store, ctx.params["id"])]
    return Response(200, collection(ctx, items, 0, max(len(items), 1)))


# -- writing -------------------------------------------------------------------------------------------------
def _profile_body(ctx: Ctx, *, need_id: bool) -> tuple[dict[str, Any], str | None, dict[str, Any] | None]:
    """(attributes, data.id, meta.patch_properties) after Klaviyo's checks on one profile."""
    data = request_data(ctx.json_body()["data"], "profile")
    attrs: dict[str, Any] = data["attributes"]
    profile_id = data.get("id")
    if need_id and profile_id != ctx.params["id"]:
        raise invalid("data.id must match the profile id in the URL.", pointer="/data/id")
    if profile_id is not None and not isinstance(profile_id, str):
        raise invalid("data.id must be a string.", pointer="/data/id")
    if fastjson.encoded_size(data) > MAX_PROFILE_BYTES:
        raise ApiError(
            413, "request_too_large", "Request entity too large.", "A profile may be at most 100 KB.", pointer="/data"
        )
    problem = profilestore.profile_problem(attrs, has_id=bool(profile_id))
    if problem is not None:
        field, detail = problem
        raise invalid(detail, pointer="/data/attributes" + (f"/{field}" if field else ""))
    meta = data.get("meta")
    patch = meta.get("patch_properties") if isinstance(meta, dict) else None
    if patch is not None and not isinstance(patch, dict):
        raise invalid("meta.patch_properties must be an object.", pointer="/data/meta/patch_properties")
    return attrs, profile_id or None, patch


def _upsert(ctx: Ctx, row: profilebulk.UpsertRow) -> tuple[str, bool]:
    with ctx.store.write() as conn:
        result = profilebulk.bulk_upsert(conn, [row])
    if row.pos in result.errors:
        raise result.errors[row.pos]
    pid = result.ids[row.pos]
    return pid, pid in result.created


def _answer(ctx: Ctx, status: int, profile_id: str) -> Response:
    profile = get_profile_or_404(ctx, profile_id)
    return Response(status, document(ctx, profile_resource(ctx, profile), links={"self": _self(ctx, profile_id)}))


def _self(ctx: Ctx, profile_id: str) -> str:
    return ctx.url(f"/api/profiles/{profile_id}")


@route("create_profile")
def create_profile(ctx: Ctx) -> Response:
    """201 with the profile, or 409 duplicate_profile naming the existing id in `meta` when any
    identifier is taken (facts §8). EMULATOR CHOICE: phone_number and external_id are unique too."""
    attrs, _, patch = _profile_body(ctx, need_id=False)
    with ctx.store.read() as conn:
        existing = profilestore.find_profile_ids(conn, attrs)
    if existing:
        raise profilebulk.duplicate_error(existing[0])
    pid, _ = _upsert(ctx, profilebulk.UpsertRow(0, attrs, None, patch))
    return _answer(ctx, 201, pid)


@route("update_profile")
def update_profile(ctx: Ctx) -> Response:
    """PATCH: null clears a field, an omitted one is unchanged, `properties` merge key by key, and
    `meta.patch_properties` appends/unappends/unsets (facts §8); 409 when identifiers belong to another profile."""
    get_profile_or_404(ctx, ctx.params["id"])
    attrs, pid, patch = _profile_body(ctx, need_id=True)
    _upsert(ctx, profilebulk.UpsertRow(0, attrs, pid, patch))
    return _answer(ctx, 200, ctx.params["id"])


@route("create_or_update_profile")
def create_or_update_profile(ctx: Ctx) -> Response:
    """`/api/profile-import`: 201 when it created a profile, 200 when it updated one,
    409 when the identifiers point at two profiles (facts §8); the same merge rules as a bulk import row."""
    attrs, pid, patch = _profile_body(ctx, need_id=False)
    if pid is not None:
        get_profile_or_404(ctx, pid)
    profile_id, created = _upsert(ctx, profilebulk.UpsertRow(0, attrs, pid, patch))
    return _answer(ctx, 201 if created else 200, profile_id)
