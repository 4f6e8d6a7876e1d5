"""Bulk unsubscribe (`profile-subscription-bulk-delete-jobs`) and bulk suppress / unsuppress jobs with their
reads. The rules are in consent/store.py; this module checks requests whole (one bad item -> 400, nothing
changes) and serialises the jobs."""

from __future__ import annotations

import sqlite3
from typing import Any

from klaviyo_sandbox.consent import store as consentstore
from klaviyo_sandbox.engine import fastbody, timeutil
from klaviyo_sandbox.engine.errors import invalid, not_found
from klaviyo_sandbox.engine.filters import matches, parse_filter
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import collection, document, page_window, request_data, resource, sparse
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.lists import store as liststore
from klaviyo_sandbox.profiles import store as profilestore
from klaviyo_sandbox.segments import store as segmentstore
from klaviyo_spec import allowed_filters

MAX_PROFILES = 100
PROFILES = "/data/attributes/profiles/data"
UNSUBSCRIBE_KINDS = {"email": ("marketing",), "sms": ("marketing", "transactional")}
UNSUBSCRIBE_KINDS |= {"whatsapp": ("marketing", "transactional", "conversational"), "push": ("marketing",)}
JOBS = {"create": "profile-suppression-bulk-create-job", "delete": "profile-suppression-bulk-delete-job"}
PATHS = {"create": "profile-suppression-bulk-create-jobs", "delete": "profile-suppression-bulk-delete-jobs"}


def _profiles(attrs: dict[str, Any], *, required: bool) -> list[Any]:
    profiles = attrs["profiles"].get("data") if isinstance(attrs.get("profiles"), dict) else None
    if profiles is None and not required:
        return []
    if not isinstance(profiles, list) or not profiles:
        raise invalid("attributes.profiles.data must be a non-empty array.", pointer=PROFILES)
    if len(profiles) > MAX_PROFILES:
        raise invalid(f"At most {MAX_PROFILES} profiles per call; this one has {len(profiles)}.", pointer=PROFILES)
    for i, item in enumerate(profiles):
        if not isinstance(item, dict) or item.get("type") != "profile" or not isinstance(item.get("attributes"), dict):
            raise invalid("Each profile needs type 'profile' and an attributes object.", pointer=f"{PROFILES}/{i}")
    return profiles


def _check_unsubscribe(i: int, attrs: dict[str, Any]) -> None:
    pointer = f"{PROFILES}/{i}/attributes"
    subs = attrs.get("subscriptions")
    if not isinstance(subs, dict) or not subs:
        raise invalid("subscriptions must name at least one channel.", pointer=f"{pointer}/subscriptions")
    for channel, kinds in subs.items():
        if channel not in UNSUBSCRIBE_KINDS or not isinstance(kinds, dict):
            raise invalid(f"'{channel}' is not a channel; use {', '.join(UNSUBSCRIBE_KINDS)}.", pointer=pointer)
        for kind, value in kinds.items():
            where = f"{pointer}/subscriptions/{channel}/{kind}"
            if kind == "tokens" and channel == "push":
                continue
            if kind not in UNSUBSCRIBE_KINDS[channel] or not isinstance(value, dict):
                raise invalid(f"'{channel}.{kind}' is not a subscription type.", pointer=where)
            if value.get("consent") != consentstore.UNSUBSCRIBED:
                raise invalid("The only consent value accepted here is 'UNSUBSCRIBED'.", pointer=f"{where}/consent")
    email, phone = attrs.get("email"), attrs.get("phone_number")
    if "email" in subs and not (isinstance(email, str) and profilestore.valid_email(email)):
        raise invalid("A valid 'email' is required to unsubscribe from email.", pointer=f"{pointer}/email")
    if ("sms" in subs or "whatsapp" in subs) and not (isinstance(phone, str) and profilestore.valid_phone(phone)):
        raise invalid("An E.164 'phone_number' is required for sms or whatsapp.", pointer=f"{pointer}/phone_number")


def _related_id(data: dict[str, Any], name: str) -> str | None:
    rel = data["relationships"].get(name) if isinstance(data.get("relationships"), dict) else None
    if rel is None:
        return None
    target = rel.get("data") if isinstance(rel, dict) else None
    if not isinstance(target, dict) or target.get("type") != name or not isinstance(target.get("id"), str):
        raise invalid(
            f"relationships.{name}.data must be {{type: '{name}', id}}.", pointer=f"/data/relationships/{name}"
        )
    return str(target["id"])


@route("bulk_unsubscribe_profiles")
def bulk_unsubscribe_profiles(ctx: Ctx) -> Response:
    """Bulk unsubscribe (at most 100 profiles per job). As Klaviyo does (facts file, consent): a member of the
    given list leaves it with a list suppression and keeps its consent; anyone else is unsubscribed globally.
    EMULATOR CHOICE: the job is applied when accepted and answered complete."""
    data = request_data(fastbody.json_body(ctx)["data"], "profile-subscription-bulk-delete-job")
    profiles = _profiles(data["attributes"], required=True)
    for i, item in enumerate(profiles):
        _check_unsubscribe(i, item["attributes"])
    list_id = _related_id(data, "list")
    if list_id is not None:
        liststore.list_row(ctx.store, list_id)
    stamp = timeutil.iso()
    with ctx.store.write() as conn:
        for item in profiles:
            consentstore.unsubscribe(conn, item, list_id, stamp)
    return Response(202)


def _emails(profiles: list[Any]) -> list[str]:
    out = []
    for i, item in enumerate(profiles):
        email = item["attributes"].get("email")
        if not isinstance(email, str) or not profilestore.valid_email(email):
            raise invalid(f"Invalid email address: '{email}'.", pointer=f"{PROFILES}/{i}/attributes/email")
        out.append(email)
    return out


def _suppression_job(ctx: Ctx, kind: str) -> Response:
    data = request_data(fastbody.json_body(ctx)["data"], JOBS[kind], attributes=False)
    attrs = data["attributes"] if isinstance(data.get("attributes"), dict) else {}
    list_id, segment_id = _related_id(data, "list"), _related_id(data, "segment")
    emails = _emails(_profiles(attrs, required=list_id is None and segment_id is None))
    if sum(bool(x) for x in (emails, list_id, segment_id)) != 1:
        raise invalid("Give either profiles (emails) or one list or one segment, not several.", pointer="/data")
    segment_members: list[str] = []
    if list_id is not None:
        liststore.list_row(ctx.store, list_id)
    if segment_id is not None:
        ctx.store.row_or_404("segments", segment_id, "segment")
        rows = segmentstore.member_page(ctx.store, segment_id, [], descending=False, offset=0, size=1_000_000)
        segment_members = [r[0] for r in rows]
    stamp = timeutil.iso()
    with ctx.store.write() as conn:
        if emails:
            pids = consentstore.profiles_by_email(conn, emails, create=kind == "create")
        else:
            pids = consentstore.group_members(conn, list_id, segment_members)
        (consentstore.suppress if kind == "create" else consentstore.unsuppress)(conn, pids, stamp)
        total = len(emails) if emails else len(pids)
        job_id = consentstore.record_job(conn, kind, total, len(pids), list_id=list_id, segment_id=segment_id)
    return Response(202, document(ctx, _job_resource(ctx, kind, _job_row(ctx, kind, job_id))))


def _job_row(ctx: Ctx, kind: str, job_id: str) -> sqlite3.Row:
    with ctx.store.read() as conn:
        row = consentstore.suppression_job(conn, job_id, kind)
    if row is None:
        raise not_found(f"A {JOBS[kind].replace('-', ' ')} with id {job_id} does not exist.")
    return row


def _job_resource(ctx: Ctx, kind: str, row: sqlite3.Row) -> dict[str, Any]:
    attrs = {
        "status": row["status"],
        "created_at": row["created_at"],
        "total_count": row["total"],
        "completed_count": row["completed"],
        "completed_at": row["completed_at"],
        "skipped_count": row["skipped"],
    }
    path = f"/api/{PATHS[kind]}/{row['id']}"
    return resource(ctx, JOBS[kind], row["id"], sparse(ctx, JOBS[kind], attrs), None, path)


def _job_list(ctx: Ctx, kind: str) -> Response:
    offset, size = page_window(ctx, 50, 50)
    conditions = parse_filter(ctx.req.arg("filter"), allowed_filters(ctx.operation.operation_id))
    sort = ctx.req.arg("sort") or "created"
    if sort not in ("created", "-created"):
        raise invalid(f"'{sort}' is not a valid sort; use created or -created.", parameter="sort")
    with ctx.store.read() as conn:
        rows = consentstore.suppression_jobs(conn, kind)
    rows = [r for r in rows if all(matches(c, r[c.field]) for c in conditions)]
    if sort.startswith("-"):
        rows.reverse()
    items = [_job_resource(ctx, kind, r) for r in rows[offset : offset + size]]
    return Response(200, collection(ctx, items, offset, size, total=len(rows)))


@route("bulk_suppress_profiles")
def bulk_suppress_profiles(ctx: Ctx) -> Response:
    """Suppress profiles by email (unknown emails are created, as Klaviyo does) or a list/segment's members:
    they are marked USER_SUPPRESSED and get no email. Applied when accepted."""
    return _suppression_job(ctx, "create")


@route("bulk_unsuppress_profiles")
def bulk_unsuppress_profiles(ctx: Ctx) -> Response:
    """Lift USER_SUPPRESSED suppressions only (bounces and spam complaints stay, as in Klaviyo); unknown emails
    are ignored. Applied when accepted."""
    return _suppression_job(ctx, "delete")


@route("get_bulk_suppress_profiles_jobs")
def get_bulk_suppress_profiles_jobs(ctx: Ctx) -> Response:
    """The suppress jobs, filterable and sortable by creation time."""
    return _job_list(ctx, "create")


@route("get_bulk_unsuppress_profiles_jobs")
def get_bulk_unsuppress_profiles_jobs(ctx: Ctx) -> Response:
    """The unsuppress jobs, filterable and sortable by creation time."""
    return _job_list(ctx, "delete")


@route("get_bulk_suppress_profiles_job")
def get_bulk_suppress_profiles_job(ctx: Ctx) -> Response:
    """One suppress job (always complete: the sandbox applies it when it is accepted)."""
    return Response(200, document(ctx, _job_resource(ctx, "create", _job_row(ctx, "create", ctx.params["job_id"]))))


@route("get_bulk_unsuppress_profiles_job")
def get_bulk_unsuppress_profiles_job(ctx: Ctx) -> Response:
    """One unsuppress job (always complete: the sandbox applies it when it is accepted)."""
    return Response(200, document(ctx, _job_resource(ctx, "delete", _job_row(ctx, "delete", ctx.params["job_id"]))))
