"""Catalog bulk jobs: create, update and delete jobs for items, variants and categories (nine job types, one
set of handlers), each with its POST, GET one (include=<resources>) and GET list (filter equals(status,...)).

Limits (spec descriptions, facts §16): at most 100 resources per request (400), 5 MB per request (the server's
413 for any body over the cap), at most 500 jobs in progress (EMULATOR CHOICE: counted over all catalog job
types; the 501st is refused with 429 `throttled` and Retry-After, so clients wait as for any throttle).
The POST checks the envelope and the limits, stores the raw request and answers 202 with the queued job; the
one job worker (engine/jobs.py) then writes each resource with the same rules as the single routes
(writes.py). A refused resource becomes an entry of the job's `errors[]` whose `source.pointer` is
`/data/attributes/<items|variants|categories>/data/<index>/...`, and the others go ahead. Jobs are stored, so a
job accepted before a restart is processed after it.
EMULATOR CHOICES: a job's resources are written in one transaction (a crash leaves the job resumable, never
half-applied); `completed_count + failed_count == total_count` once complete; `expires_at` is 30 days after.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from klaviyo_sandbox.catalog import categories_store, jobs_store, rules, variants_store, writes
from klaviyo_sandbox.catalog import store as catalogstore
from klaviyo_sandbox.catalog.resources import category_resource, item_resource, variant_resource
from klaviyo_sandbox.engine import fastjson, ids
from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jobs import JobRunner, job_kind
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.profiles.bulk_upsert import heavy_batch
from klaviyo_spec import allowed_filters

KIND = "catalog-bulk"
MAX_RESOURCES = 100
MAX_IN_PROGRESS = 500
ACTIONS = ("create", "update", "delete")
JOB_FIELDS: tuple[str, ...] = ("status", "created_at", "total_count", "completed_count", "failed_count")
JOB_FIELDS += ("completed_at", "errors", "expires_at")
_PATH = re.compile(r"^/api/catalog-(item|variant|category)-bulk-(create|update|delete)-jobs")


@dataclass(frozen=True)
class Kind:
    """One resource's names and store calls; the job worker and the routes need nothing else."""

    name: str  # item
    group: str  # items: the member of `attributes`, the relationship and the include
    type_: str  # catalog-item
    serialise: Callable[[Ctx, sqlite3.Row], dict[str, Any]]
    row: Callable[[Store, str], sqlite3.Row]
    create: Callable[[Store, dict[str, Any]], str]
    update: Callable[[Store, str, dict[str, Any]], str]
    delete: Callable[[Store, str], None]

    def job_type(self, action: str) -> str:
        return f"catalog-{self.name}-bulk-{action}-job"

    def base(self, action: str) -> str:
        return f"/api/catalog-{self.name}-bulk-{action}-jobs"


KINDS = {
    "item": Kind(
        "item", "items", "catalog-item", item_resource, catalogstore.item_row, writes.create_item,
        writes.update_item, catalogstore.delete_item,
    ),
    "variant": Kind(
        "variant", "variants", "catalog-variant", variant_resource, variants_store.variant_row,
        writes.create_variant, writes.update_variant, variants_store.delete_variant,
    ),
    "category": Kind(
        "category", "categories", "catalog-category", category_resource, categories_store.category_row,
        writes.create_category, writes.update_category, categories_store.delete_category,
    ),
}  # fmt: skip


def _kind(ctx: Ctx) -> tuple[Kind, str]:
    found = _PATH.match(ctx.operation.path)
    if found is None:  # only the nine job routes are registered here
        raise not_found(f"No route for {ctx.req.path}.")
    return KINDS[found.group(1)], found.group(2)


# -- submit ------------------------------------------------------------------------------------------------
def _json_body(ctx: Ctx) -> dict[str, Any]:
    """The body with orjson: a job POST is mostly parsing up to 5 MB, and the job-create rate is the figure
    that matters (bench/catalog_sync.py)."""
    try:
        doc = fastjson.decode(ctx.req.body) if ctx.req.body else None
    except ValueError as exc:
        raise invalid(f"Malformed JSON: {exc}", pointer="/data") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        raise invalid("The body must be a JSON:API document with a 'data' object.", pointer="/data")
    return doc


def _entries_of(doc: dict[str, Any], kind: Kind) -> Any:
    group = doc["data"]["attributes"].get(kind.group)
    return group.get("data") if isinstance(group, dict) else None


def _entries(ctx: Ctx, kind: Kind, action: str) -> list[Any]:
    doc = _json_body(ctx)
    request_data(doc["data"], kind.job_type(action))
    group = doc["data"]["attributes"].get(kind.group)
    entries = group.get("data") if isinstance(group, dict) else None
    pointer = f"/data/attributes/{kind.group}/data"
    if not isinstance(entries, list) or not entries:
        raise invalid(f"attributes.{kind.group}.data must be a non-empty array.", pointer=pointer)
    if len(entries) > MAX_RESOURCES:
        raise invalid(
            f"A bulk job takes at most {MAX_RESOURCES} {kind.group}; this one has {len(entries)}.", pointer=pointer
        )
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("type") != kind.type_:
            raise invalid(f"Each entry's type must be '{kind.type_}'.", pointer=f"{pointer}/{i}/type")
        if action != "create" and not isinstance(entry.get("id"), str):
            raise invalid(f"Each entry needs the {kind.type_}'s id.", pointer=f"{pointer}/{i}/id")
        if action != "delete" and not isinstance(entry.get("attributes"), dict):
            raise invalid("Each entry needs an attributes object.", pointer=f"{pointer}/{i}/attributes")
    return entries


def _too_many_jobs() -> ApiError:
    return ApiError(
        429,
        "throttled",
        "Request was throttled.",
        f"At most {MAX_IN_PROGRESS} catalog bulk jobs may be in progress at once; "
        "wait for some to complete. Expected available in 1 second.",
        headers={"Retry-After": "1"},
    )


@route("bulk_create_catalog_items")
@route("bulk_update_catalog_items")
@route("bulk_delete_catalog_items")
@route("bulk_create_catalog_variants")
@route("bulk_update_catalog_variants")
@route("bulk_delete_catalog_variants")
@route("bulk_create_catalog_categories")
@route("bulk_update_catalog_categories")
@route("bulk_delete_catalog_categories")
def post_job(ctx: Ctx) -> Response:
    """202 with the queued job: at most 100 resources (400) and 500 jobs in progress (429); each resource is
    checked by the worker, a refused one becomes an entry of the job's `errors[]`."""
    kind, action = _kind(ctx)
    entries = _entries(ctx, kind, action)
    if jobs_store.in_progress(ctx.store) >= MAX_IN_PROGRESS:
        raise _too_many_jobs()
    job_id = ids.ulid()
    # The raw body is kept (checked above); the worker parses it again rather than paying to re-encode it here.
    jobs_store.insert_job(ctx.store, job_id, f"{kind.name}-{action}", len(entries), ctx.req.body.decode())
    body = document(ctx, _job_resource(ctx, kind, action, _job_row(ctx, kind, action, job_id)))
    ctx.jobs.submit(KIND, job_id)  # after the answer is built, so it always shows the job as queued
    return Response(202, body)


# -- the worker --------------------------------------------------------------------------------------------
def _write(store: Store, kind: Kind, action: str, entry: dict[str, Any]) -> str:
    if action == "create":
        return kind.create(store, entry)
    row_id = kind.row(store, entry["id"])["id"]  # 404 names the id
    if action == "update":
        return kind.update(store, row_id, entry)
    kind.delete(store, row_id)
    return str(row_id)


def _job_error(kind: Kind, index: int, err: ApiError) -> dict[str, Any]:
    placed = rules.at(f"/data/attributes/{kind.group}/data/{index}", err)
    return {
        "id": ids.new_uuid(),
        "code": placed.code,
        "title": placed.title,
        "detail": placed.detail,
        "source": {"pointer": placed.pointer},
    }


@job_kind(KIND, pending=jobs_store.pending_jobs)
def process_job(store: Store, job_id: str, runner: JobRunner) -> None:
    # Request threads get the GIL every 1 ms while a job computes: job POSTs keep flowing (see heavy_batch).
    with heavy_batch():
        _process(store, job_id, runner)


def _process(store: Store, job_id: str, runner: JobRunner) -> None:
    started = jobs_store.start_job(store, job_id)
    if started is None:
        return
    row, backlog = started
    # The pause lets a client watch 'processing'; with jobs queued behind this one it would only slow them all.
    if not backlog and not runner.step_pause():
        return  # stopping: the job stays 'processing' and is picked up again on restart
    name, action = row["kind"].split("-")
    kind = KINDS[name]
    done: list[str] = []
    errors: list[dict[str, Any]] = []
    entries = _entries_of(fastjson.decode(row["payload"]), kind)
    with store.write() as conn:
        if (kind.name, action) == ("item", "create"):  # the bulk path of a catalog sync: one statement
            ids, refused = writes.create_items(store, entries)
            done = [i for i in ids if i is not None]
            errors = [_job_error(kind, index, refused[index]) for index in sorted(refused)]
        else:
            for index, entry in enumerate(entries):
                try:
                    done.append(_write(store, kind, action, entry))
                except ApiError as err:
                    errors.append(_job_error(kind, index, err))
        jobs_store.finish_job(conn, job_id, done, errors)


# -- reads -------------------------------------------------------------------------------------------------
def _job_row(ctx: Ctx, kind: Kind, action: str, job_id: str) -> sqlite3.Row:
    row = jobs_store.job_row(ctx.store, job_id, f"{kind.name}-{action}")
    if row is None:
        raise not_found(f"A {kind.job_type(action).replace('-', ' ')} with id {job_id} does not exist.")
    return row


def _job_resource(ctx: Ctx, kind: Kind, action: str, row: sqlite3.Row) -> dict[str, Any]:
    base = f"{kind.base(action)}/{row['id']}"
    attrs: dict[str, Any] = {name: row[name] for name in JOB_FIELDS}
    attrs["errors"] = json.loads(row["errors"])
    links = {"self": ctx.url(f"{base}/relationships/{kind.group}"), "related": ctx.url(f"{base}/{kind.group}")}
    data = [{"type": kind.type_, "id": i} for i in json.loads(row["resource_ids"])]
    relationships = {kind.group: {"data": data, "links": links}}
    job_type = kind.job_type(action)
    return resource(ctx, job_type, row["id"], sparse(ctx, job_type, attrs), relationships, base)


def _included(ctx: Ctx, kind: Kind, row: sqlite3.Row) -> list[dict[str, Any]]:
    out = []
    for resource_id in json.loads(row["resource_ids"]):
        try:
            out.append(kind.serialise(ctx, kind.row(ctx.store, resource_id)))
        except ApiError:
            continue  # deleted since (or by this very job)
    return out


@route("get_bulk_create_catalog_items_job")
@route("get_bulk_update_catalog_items_job")
@route("get_bulk_delete_catalog_items_job")
@route("get_bulk_create_variants_job")
@route("get_bulk_update_variants_job")
@route("get_bulk_delete_variants_job")
@route("get_bulk_create_categories_job")
@route("get_bulk_update_categories_job")
@route("get_bulk_delete_categories_job")
def get_job(ctx: Ctx) -> Response:
    """One job with its counts and `errors[]`; include=<items|variants|categories> (not on delete jobs, as in
    the spec) adds the resources it wrote that still exist; 404 names an unknown job id."""
    kind, action = _kind(ctx)
    row = _job_row(ctx, kind, action, ctx.params["job_id"])
    include = {p.strip() for p in (ctx.req.arg("include") or "").split(",") if p.strip()}
    allowed = set() if action == "delete" else {kind.group}  # the spec has no include on delete jobs
    if include - allowed:
        raise invalid(f"'{sorted(include - allowed)[0]}' is not an allowed include parameter.", parameter="include")
    extra = {"included": _included(ctx, kind, row)} if include else {}
    return Response(200, document(ctx, _job_resource(ctx, kind, action, row), **extra))


@route("get_bulk_create_catalog_items_jobs")
@route("get_bulk_update_catalog_items_jobs")
@route("get_bulk_delete_catalog_items_jobs")
@route("get_bulk_create_variants_jobs")
@route("get_bulk_update_variants_jobs")
@route("get_bulk_delete_variants_jobs")
@route("get_bulk_create_categories_jobs")
@route("get_bulk_update_categories_jobs")
@route("get_bulk_delete_categories_jobs")
def get_jobs(ctx: Ctx) -> Response:
    """Jobs of this type, oldest first, 100 a page (EMULATOR CHOICE: the spec has a cursor but no page size);
    filter equals(status,...)."""
    kind, action = _kind(ctx)
    offset, size = page_window(ctx, 100, 100)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(ctx.operation.operation_id))
    rows = [
        r
        for r in jobs_store.job_rows(ctx.store, f"{kind.name}-{action}")
        if all(matches(c, r[c.field]) for c in conditions)
    ]
    items = [_job_resource(ctx, kind, action, r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))
