"""Bulk profile import jobs: `POST /api/profile-bulk-import-jobs` and its read routes.

Why it is shaped this way: an importer sends 100 jobs of 10,000 profiles within seconds. The POST handler
therefore only checks the envelope and the limits (<= 10,000 profiles -> 400, <= 100 KB per profile -> 413,
the 5 MB body cap is the server's), stores the raw body and answers 202. The job worker then parses it,
validates each row as Klaviyo would, matches the rows to stored profiles outside the store lock, and writes
everything with set-based SQL in ONE transaction (`profilebulk`), so a crash leaves the job resumable
('processing' jobs are picked up again on restart) and never half-applied. The job tables and their queries
live in `profiles/jobs_store.py`; this module only parses, calls the stores and serialises.

Rows Klaviyo would refuse (bad email syntax, a phone number not in E.164, no identifier, wrong types,
identifiers owned by two profiles) become import errors carrying the row's `original_payload` and a
`source.pointer` to `/data/attributes/profiles/data/<index>/...`; the other rows import.

EMULATOR CHOICES (facts §9): `completed_count` counts imported rows and `failed_count` refused rows, so
`completed_count + failed_count == total_count` once complete; `expires_at` is completed_at + 30 days;
several lists may be named; a row repeated in one job updates the same profile (later rows win).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from klaviyo_sandbox.engine import fastjson, ids
from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jobs import JobRunner, job_kind
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.lists import store as liststore
from klaviyo_sandbox.lists.resource import list_resource
from klaviyo_sandbox.profiles import bulk_upsert as profilebulk
from klaviyo_sandbox.profiles import jobs_store
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.profiles.resource import additional_fields, profile_resource
from klaviyo_spec import allowed_filters, field_rules

KIND = "profile-bulk-import"
JOB_TYPE = "profile-bulk-import-job"
MAX_PROFILES = field_rules.JOB_MAX_PROFILES  # the limits the client plans jobs by, too (klaviyo_spec/field_rules.py)
MAX_PROFILE_BYTES = field_rules.PROFILE_MAX_BYTES
PROFILES_POINTER = "/data/attributes/profiles/data"
JOB_FIELDS: tuple[str, ...] = ("status", "created_at", "total_count", "completed_count", "failed_count", "completed_at")
JOB_FIELDS += ("expires_at", "started_at")
KEEP_FOR = timedelta(days=30)


# -- submit ------------------------------------------------------------------------------------------------
def _json_body(ctx: Ctx) -> dict[str, Any]:
    """`ctx.json_body()` with orjson: the body is up to 5 MB and parsing it is most of a submit's cost."""
    try:
        doc = fastjson.decode(ctx.req.body) if ctx.req.body else None
    except ValueError as exc:
        raise invalid(f"Malformed JSON: {exc}", pointer="/data") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), (dict, list)):
        raise invalid("The body must be a JSON:API document with a 'data' member.", pointer="/data")
    return doc


def _check_envelope(ctx: Ctx) -> tuple[list[Any], list[str]]:
    data = request_data(_json_body(ctx)["data"], JOB_TYPE, attributes=False)
    profiles = ((data.get("attributes") or {}).get("profiles") or {}).get("data")
    if not isinstance(profiles, list) or not profiles:
        raise invalid("attributes.profiles.data must be a non-empty array of profiles.", pointer=PROFILES_POINTER)
    if len(profiles) > MAX_PROFILES:
        raise invalid(
            f"A bulk import job takes at most {MAX_PROFILES:,} profiles; this one has {len(profiles):,}.",
            pointer=PROFILES_POINTER,
        )
    for i, item in enumerate(profiles):
        if not isinstance(item, dict) or item.get("type") != "profile" or not isinstance(item.get("attributes"), dict):
            raise invalid(
                "Each profile needs type 'profile' and an attributes object.", pointer=f"{PROFILES_POINTER}/{i}"
            )
    return profiles, _list_ids(ctx, data)


def _check_sizes(body_size: int, profiles: list[Any]) -> None:
    if body_size <= MAX_PROFILE_BYTES:
        return  # no single profile can be larger than the whole body
    found = profilebulk.oversized(profiles, MAX_PROFILE_BYTES, body_size)
    if found is not None:
        i, size = found
        raise ApiError(
            413,
            "request_too_large",
            "Request entity too large.",
            f"Profile {i} is {size / 1024:.0f} KB; a profile may be at most 100 KB.",
            pointer=f"{PROFILES_POINTER}/{i}",
        )


def _checked_body(ctx: Ctx) -> tuple[int, list[str]]:
    """(profile count, list ids) of a valid body, or the 400/413 it deserves.

    The parsed document (10,000 profiles, ~100,000 objects) is built and freed while the cyclic GC is paused,
    so the collector never walks it: `del` drops it before the pause ends (measured: -10 ms per POST).
    """
    with profilebulk.gc_paused():
        profiles, list_ids = _check_envelope(ctx)
        _check_sizes(len(ctx.req.body), profiles)
        count = len(profiles)
        del profiles
    return count, list_ids


def _list_ids(ctx: Ctx, data: dict[str, Any]) -> list[str]:
    rel = ((data.get("relationships") or {}).get("lists") or {}).get("data")
    if rel is None:
        return []
    if not isinstance(rel, list):
        raise invalid("relationships.lists.data must be an array.", pointer="/data/relationships/lists/data")
    out = []
    for i, item in enumerate(rel):
        pointer = f"/data/relationships/lists/data/{i}"
        if not isinstance(item, dict) or item.get("type") != "list" or not isinstance(item.get("id"), str):
            raise invalid("Each list is {type: 'list', id}.", pointer=pointer)
        try:
            liststore.list_row(ctx.store, item["id"])
        except ApiError:
            raise invalid(f"A list with id {item['id']} does not exist.", pointer=f"{pointer}/id") from None
        out.append(item["id"])
    return out


@route("bulk_import_profiles")
def bulk_import_profiles(ctx: Ctx) -> Response:
    """202 with the job (facts §9): up to 10,000 profiles, 100 KB each. The sandbox checks the
    envelope and limits only, stores the raw body and lets the job worker validate and upsert each row."""
    count, list_ids = _checked_body(ctx)
    job_id = ids.ulid()
    jobs_store.insert_import_job(ctx.store, job_id, count, list_ids, ctx.req.body)
    body = document(ctx, _job_resource(ctx, _job_row(ctx, job_id)), links={"self": _self(ctx, job_id)})
    ctx.jobs.submit(KIND, job_id)  # after the answer is built, so it always shows the job as queued
    return Response(202, body)


# -- the worker --------------------------------------------------------------------------------------------
def _import_error(pos: int, item: Any, err: ApiError, field: str = "") -> tuple[Any, ...]:
    pointer = f"{PROFILES_POINTER}/{pos}/attributes" + (f"/{field}" if field else "")
    if err.status == 404:
        pointer = f"{PROFILES_POINTER}/{pos}/id"
    return (pos, ids.new_uuid(), err.code, err.title, err.detail, pointer, json.dumps(item))


def _rows(profiles: list[Any]) -> tuple[list[profilebulk.UpsertRow], list[tuple[Any, ...]]]:
    """Split a job's profiles into rows to upsert and import errors (Klaviyo's per-profile checks).

    Runs 10,000 times per job, so the lookups are hoisted and each item's members are read once.
    """
    rows, errors = [], []
    problem_of, row_of = profilestore.profile_problem, profilebulk.UpsertRow
    for pos, item in enumerate(profiles):
        attrs = item.get("attributes") or {}
        pid = item.get("id")
        if not isinstance(pid, str) or not pid:
            pid = None
        problem = problem_of(attrs, pid is not None)
        if problem is not None:
            field, detail = problem
            errors.append(_import_error(pos, item, invalid(detail), field))
            continue
        meta = item.get("meta")
        patch = meta.get("patch_properties") if isinstance(meta, dict) else None
        rows.append(row_of(pos, attrs, pid, patch if isinstance(patch, dict) else None))
    return rows, errors


@job_kind(KIND, pending=jobs_store.pending_import_jobs)
def process_import(store: Store, job_id: str, runner: JobRunner) -> None:
    with profilebulk.heavy_batch():
        _process(store, job_id, runner)


def _process(store: Store, job_id: str, runner: JobRunner) -> None:
    started = jobs_store.start_import_job(store, job_id)
    if started is None:
        return
    row, backlog = started
    # The pause lets a client watch 'processing'; with jobs queued behind this one it would only slow them all.
    if not backlog and not runner.step_pause():
        return  # stopping: the job stays 'processing' and is picked up again on restart
    profiles = fastjson.decode(row["payload"])["data"]["attributes"]["profiles"]["data"]
    rows, errors = _rows(profiles)  # parsing, validation and matching run outside the store lock
    with store.read() as conn:  # phase 1 only reads (its identifiers go in as JSON arrays)
        plan = profilebulk.UpsertPlan(conn, rows)
    plan.compute()
    with store.write() as conn:
        result = profilebulk.commit_plan(conn, plan)
        errors += [_import_error(pos, profiles[pos], err) for pos, err in result.errors.items()]
        _finish(conn, job_id, json.loads(row["list_ids"]), result, errors)


def _finish(
    conn: Any, job_id: str, list_ids: list[str], result: profilebulk.UpsertResult, errors: list[tuple[Any, ...]]
) -> None:
    """Import errors, list membership and the job's counts, in the same transaction as the upsert."""
    profile_ids = list(dict.fromkeys(result.ids[p] for p in sorted(result.ids)))
    jobs_store.finish_import_job(
        conn,
        job_id,
        list_ids=list_ids,
        profile_ids=profile_ids,
        imported=len(result.ids),
        errors=errors,
        keep_for=KEEP_FOR,
    )


# -- reads -------------------------------------------------------------------------------------------------
def _self(ctx: Ctx, job_id: str) -> str:
    return ctx.url(f"/api/profile-bulk-import-jobs/{job_id}")


def _job_row(ctx: Ctx, job_id: str) -> Any:
    found = jobs_store.import_job_row(ctx.store, job_id, JOB_FIELDS)
    if found is None:
        raise not_found(f"A profile bulk import job with id {job_id} does not exist.")
    return found


def _job_resource(ctx: Ctx, row: Any) -> dict[str, Any]:
    job_id = row["id"]
    base = f"/api/profile-bulk-import-jobs/{job_id}"

    def rel(name: str) -> dict[str, str]:
        return {"self": ctx.url(f"{base}/relationships/{name}"), "related": ctx.url(f"{base}/{name}")}

    relationships = {
        "lists": {"data": [{"type": "list", "id": i} for i in json.loads(row["list_ids"])], "links": rel("lists")},
        "profiles": {"links": rel("profiles")},
        "import-errors": {"links": {"related": ctx.url(f"{base}/import-errors")}},
    }
    attrs = {name: row[name] for name in JOB_FIELDS}
    return resource(ctx, JOB_TYPE, job_id, sparse(ctx, JOB_TYPE, attrs), relationships, base)


@route("get_bulk_import_profiles_job")
def get_job(ctx: Ctx) -> Response:
    """One import job with its counts and include=lists (facts §9); 404 names the job id when it is unknown."""
    row = _job_row(ctx, ctx.params["job_id"])
    extra: dict[str, Any] = {}
    include = {p.strip() for p in (ctx.req.arg("include") or "").split(",") if p.strip()}
    if include - {"lists"}:
        raise invalid(f"'{sorted(include - {'lists'})[0]}' is not an allowed include parameter.", parameter="include")
    if include:
        extra["included"] = [list_resource(ctx, liststore.list_row(ctx.store, i)) for i in json.loads(row["list_ids"])]
    return Response(200, document(ctx, _job_resource(ctx, row), **extra))


@route("get_bulk_import_profiles_jobs")
def get_jobs(ctx: Ctx) -> Response:
    """Import jobs, 20/100 a page, status filter, ±created_at sort (facts §9); oldest first by default."""
    offset, size = page_window(ctx, 20, 100)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters("get_bulk_import_profiles_jobs"))
    sort = ctx.req.arg("sort") or "created_at"
    if sort not in ("created_at", "-created_at"):
        raise invalid(f"'{sort}' is not a valid sort; use created_at or -created_at.", parameter="sort")
    rows = jobs_store.import_job_rows(ctx.store, JOB_FIELDS, newest_first=sort.startswith("-"))
    rows = [r for r in rows if all(matches(c, r[c.field]) for c in conditions)]
    items = [_job_resource(ctx, r) for r in rows[offset : offset + size + 1]]
    return Response(200, collection(ctx, items, offset, size))


@route("get_errors_for_bulk_import_profiles_job")
def get_import_errors(ctx: Ctx) -> Response:
    """The job's import errors in row order, 20/100 a page, each with `source.pointer` into the
    request and the row's `original_payload` (facts §9)."""
    job_id = ctx.params["id"]
    _job_row(ctx, job_id)
    offset, size = page_window(ctx, 20, 100)
    items = []
    for r in jobs_store.import_error_page(ctx.store, job_id, offset, size):
        attrs = {
            "code": r["code"],
            "title": r["title"],
            "detail": r["detail"],
            "source": {"pointer": r["pointer"]},
            "original_payload": json.loads(r["original_payload"]) if r["original_payload"] else None,
        }
        obj = {"type": "import-error", "id": r["id"], "attributes": sparse(ctx, "import-error", attrs)}
        items.append(obj)
    return Response(200, collection(ctx, items, offset, size))


def _job_profile_ids(ctx: Ctx, offset: int, size: int) -> list[str]:
    """The job's created or updated profiles, in row order, one page (+1 to tell whether more follow)."""
    _job_row(ctx, ctx.params["id"])
    return jobs_store.import_job_profile_ids(ctx.store, ctx.params["id"])[offset : offset + size + 1]


@route("get_profiles_for_bulk_import_profiles_job")
def get_job_profiles(ctx: Ctx) -> Response:
    """The profiles the job created or updated, in row order, 20/100 a page (facts §9); empty until
    the job completes."""
    offset, size = page_window(ctx, 20, 100)
    extras = additional_fields(ctx)
    profile_ids = _job_profile_ids(ctx, offset, size)
    with ctx.store.read() as conn:
        profiles = [profilestore.load_profile(conn, pid) for pid in profile_ids]
    items = [profile_resource(ctx, p, extras) for p in profiles if p is not None]
    return Response(200, collection(ctx, items, offset, size))


@route("get_profile_ids_for_bulk_import_profiles_job")
def get_job_profile_ids(ctx: Ctx) -> Response:
    """The same page as `get_job_profiles`, as {type, id} pairs only (facts §6, §9)."""
    offset, size = page_window(ctx, 20, 100)
    items = [{"type": "profile", "id": pid} for pid in _job_profile_ids(ctx, offset, size)]
    return Response(200, collection(ctx, items, offset, size))


@route("get_list_for_bulk_import_profiles_job")
def get_job_lists(ctx: Ctx) -> Response:
    """The lists the job adds its profiles to (facts §9). EMULATOR CHOICE: a list deleted since is left out."""
    row = _job_row(ctx, ctx.params["id"])
    items = []
    for list_id in json.loads(row["list_ids"]):
        try:
            items.append(list_resource(ctx, liststore.list_row(ctx.store, list_id)))
        except ApiError:
            continue  # the list was deleted after the import
    return Response(200, collection(ctx, items, 0, len(items) or 1))


@route("get_list_ids_for_bulk_import_profiles_job")
def get_job_list_ids(ctx: Ctx) -> Response:
    """The job's list ids as {type, id} pairs, as sent (facts §9)."""
    row = _job_row(ctx, ctx.params["id"])
    items = [{"type": "list", "id": i} for i in json.loads(row["list_ids"])]
    return Response(200, collection(ctx, items, 0, len(items) or 1))
