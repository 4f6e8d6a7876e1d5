"""Lists: create, read, rename, delete, and membership (list_members, stored by profiles/store.py).

Table contract, relied on by other resource modules (tags): `lists(id, name, opt_in_process, created, updated)`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.engine import ids, timeutil
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.filters import parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import register_schema
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.resource import additional_fields, profile_resource
from klaviyo_sandbox.tags.links import get_taggable, list_taggable
from klaviyo_spec import allowed_filters

register_schema(
    """
    CREATE TABLE IF NOT EXISTS lists (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        opt_in_process TEXT NOT NULL DEFAULT 'single_opt_in',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS lists_name ON lists(name);
    """,
    ("lists",),
)

OPT_IN = ("double_opt_in", "single_opt_in")
SORTS = {"created", "id", "name", "updated"}


def list_resource(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    attributes = {
        "name": row["name"],
        "created": row["created"],
        "updated": row["updated"],
        "opt_in_process": row["opt_in_process"],
    }
    return resource(ctx, "list", row["id"], sparse(ctx, "list", attributes), self_path=f"/api/lists/{row['id']}")


def get_list_row(ctx: Ctx, list_id: str) -> sqlite3.Row:
    return ctx.store.row_or_404("lists", list_id, "list")


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
    # Lists are taggable like segments, campaigns and flows: one shared read path gives filter, sort,
    # cursor pages and include=tags (tags/links.py owns the tag side).
    return list_taggable(ctx, "list", list_resource, sorts=SORTS, page=(10, 10), includes={"tags"})


@route("get_list")
def get_list(ctx: Ctx) -> Response:
    return get_taggable(ctx, "list", list_resource, {"tags"})


@route("create_list")
def create_list(ctx: Ctx) -> Response:
    attrs = _attributes(ctx, creating=True)
    stamp = timeutil.iso()
    list_id = ids.short_id()
    with ctx.store.write() as conn:
        conn.execute(
            "INSERT INTO lists(id, name, opt_in_process, created, updated) VALUES (?, ?, ?, ?, ?)",
            (list_id, attrs["name"].strip(), attrs.get("opt_in_process") or "single_opt_in", stamp, stamp),
        )
    return Response(201, document(ctx, list_resource(ctx, get_list_row(ctx, list_id))))


@route("update_list")
def update_list(ctx: Ctx) -> Response:
    row = get_list_row(ctx, ctx.params["id"])
    attrs = _attributes(ctx, creating=False)
    with ctx.store.write() as conn:
        conn.execute(
            "UPDATE lists SET name=?, opt_in_process=?, updated=? WHERE id=?",
            (
                (attrs.get("name") or row["name"]).strip(),
                attrs.get("opt_in_process") or row["opt_in_process"],
                timeutil.iso(),
                row["id"],
            ),
        )
    return Response(200, document(ctx, list_resource(ctx, get_list_row(ctx, row["id"]))))


@route("delete_list")
def delete_list(ctx: Ctx) -> Response:
    get_list_row(ctx, ctx.params["id"])
    with ctx.store.write() as conn:
        conn.execute("DELETE FROM lists WHERE id=?", (ctx.params["id"],))
        conn.execute("DELETE FROM list_members WHERE list_id=?", (ctx.params["id"],))
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
    list_id = get_list_row(ctx, ctx.params["id"])["id"]
    wanted = _member_ids(ctx)
    with ctx.store.write() as conn:
        known = {
            r[0] for r in conn.execute(f"SELECT id FROM profiles WHERE id IN ({', '.join('?' * len(wanted))})", wanted)
        }
        for i, pid in enumerate(wanted):
            if pid not in known:  # EMULATOR CHOICE: an unknown id refuses the whole call, nothing is added
                raise invalid(f"A profile with id {pid} does not exist.", pointer=f"/data/{i}/id")
        profilestore.add_list_members(conn, list_id, wanted)
    return Response(204)


@route("remove_profiles_from_list")
def remove_profiles_from_list(ctx: Ctx) -> Response:
    list_id = get_list_row(ctx, ctx.params["id"])["id"]
    wanted = _member_ids(ctx)
    with ctx.store.write() as conn:
        conn.executemany(
            "DELETE FROM list_members WHERE list_id=? AND profile_id=?", [(list_id, pid) for pid in wanted]
        )
    return Response(204)


_MEMBER_COLUMNS = {"email": "p.email", "phone_number": "p.phone_number", "joined_group_at": "m.joined_at"}
_SQL_OPS = {"greater-than": ">", "greater-or-equal": ">=", "less-than": "<", "less-or-equal": "<="}


def _member_query(ctx: Ctx, operation_id: str, offset: int, size: int) -> tuple[str, list[Any]]:
    where, args = ["m.list_id = ?"], [ctx.params["id"]]
    for cond in parse_filter(ctx.req.arg("filter"), allowed_filters(operation_id)):
        column = _MEMBER_COLUMNS.get(cond.field)
        if column is None:
            where.append("0")  # _kx and push_token: the sandbox stores neither, so nothing matches
        elif cond.op in _SQL_OPS:
            where.append(f"{column} {_SQL_OPS[cond.op]} ?")
            args.append(timeutil.iso(cond.value) if hasattr(cond.value, "astimezone") else cond.value)
        else:
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            if cond.field == "email":
                values = [profilestore.normalise_email(v) if isinstance(v, str) else v for v in values]
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            args.extend(values)
    sort = ctx.req.arg("sort") or "joined_group_at"
    if sort not in ("joined_group_at", "-joined_group_at"):
        raise invalid(f"'{sort}' is not a valid sort; use joined_group_at or -joined_group_at.", parameter="sort")
    order = "DESC" if sort.startswith("-") else "ASC"
    sql = (
        "SELECT m.profile_id, m.joined_at FROM list_members m JOIN profiles p ON p.id = m.profile_id"
        f" WHERE {' AND '.join(where)} ORDER BY m.joined_at {order}, m.profile_id {order} LIMIT ? OFFSET ?"
    )
    return sql, [*args, size + 1, offset]


@route("get_profiles_for_list")
def get_profiles_for_list(ctx: Ctx) -> Response:
    get_list_row(ctx, ctx.params["id"])
    offset, size = page_window(ctx, 20, 100)
    extras = additional_fields(ctx)
    sql, args = _member_query(ctx, "get_profiles_for_list", offset, size)
    with ctx.store.read() as conn:
        members = conn.execute(sql, args).fetchall()
        loaded = [(profilestore.load_profile(conn, r[0]), r[1]) for r in members]
    items = [profile_resource(ctx, p, extras, joined_group_at=joined) for p, joined in loaded if p is not None]
    return Response(200, collection(ctx, items, offset, size))


@route("get_profile_ids_for_list")
def get_profile_ids_for_list(ctx: Ctx) -> Response:
    get_list_row(ctx, ctx.params["id"])
    offset, size = page_window(ctx, 20, 100)
    sql, args = _member_query(ctx, "get_profile_ids_for_list", offset, size)
    with ctx.store.read() as conn:
        items = [{"type": "profile", "id": r[0]} for r in conn.execute(sql, args)]
    return Response(200, collection(ctx, items, offset, size))
