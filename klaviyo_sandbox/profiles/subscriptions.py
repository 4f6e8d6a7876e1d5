"""Bulk subscribe: `POST /api/profile-subscription-bulk-create-jobs` (<= 1,000 profiles, consent per channel).

Consent is only ever granted here, per channel the request names: an import or a list membership never
implies it (facts §10, §14). The request is checked whole, as Klaviyo does (one bad profile -> 400 and
nothing happens): sms needs a phone number in E.164, email needs an email, the only consent value is
SUBSCRIBED, `consented_at` needs `historical_import: true` and must be in the past. The job itself runs on
the worker (202, no body; the spec has no status route for it) and survives a restart.

EMULATOR CHOICES: a double opt-in list is confirmed at once (consent SUBSCRIBED with double_optin true),
since nobody can click a confirmation email in the sandbox; `method` is "API" (or "HISTORICAL_IMPORT").

Speed (bench/consent_import.py): the body is parsed with orjson (`engine/fastbody.py`, same answers as the strict
parser) with the cyclic GC paused, and the worker reads the stored body with orjson too.
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine import fastbody, ids, timeutil
from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jobs import JobRunner, job_kind
from klaviyo_sandbox.engine.jsonapi import request_data
from klaviyo_sandbox.engine.routes import route
from klaviyo_sandbox.engine.store import Store
from klaviyo_sandbox.lists import store as liststore
from klaviyo_sandbox.profiles import bulk_upsert as profilebulk
from klaviyo_sandbox.profiles import jobs_store
from klaviyo_sandbox.profiles import store as profilestore

KIND = "profile-subscription-bulk-create"
JOB_TYPE = "profile-subscription-bulk-create-job"
MAX_PROFILES = 1000
CHANNELS: dict[str, tuple[str, ...]] = {"email": ("marketing", "open_tracking"), "sms": ("marketing", "transactional")}
CHANNELS |= {"whatsapp": ("marketing", "transactional"), "push": ("marketing",)}
PROFILES = "/data/attributes/profiles/data"


def _check_channel(i: int, channel: str, params: Any, historical: bool) -> None:
    pointer = f"{PROFILES}/{i}/attributes/subscriptions/{channel}"
    if channel not in CHANNELS or not isinstance(params, dict):
        raise invalid(f"'{channel}' is not a subscription channel; use {', '.join(CHANNELS)}.", pointer=pointer)
    for kind, value in params.items():
        if kind == "tokens" and channel == "push":
            continue
        if kind not in CHANNELS[channel] or not isinstance(value, dict):
            raise invalid(f"'{channel}.{kind}' is not a subscription type.", pointer=f"{pointer}/{kind}")
        if value.get("consent") != "SUBSCRIBED":
            raise invalid("The only consent value accepted here is 'SUBSCRIBED'.", pointer=f"{pointer}/{kind}/consent")
        _check_consented_at(value.get("consented_at"), historical, f"{pointer}/{kind}/consented_at")


def _check_consented_at(value: Any, historical: bool, pointer: str) -> None:
    if value is None:
        return
    if not historical:
        raise invalid("consented_at may only be sent with historical_import: true.", pointer=pointer)
    try:
        moment = timeutil.parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment > timeutil.now():
        raise invalid("consented_at must be a date-time in the past.", pointer=pointer)


def _check_profile(i: int, item: Any, historical: bool) -> None:
    pointer = f"{PROFILES}/{i}"
    if not isinstance(item, dict) or item.get("type") != "profile" or not isinstance(item.get("attributes"), dict):
        raise invalid("Each profile needs type 'profile' and an attributes object.", pointer=pointer)
    attrs = item["attributes"]
    subs = attrs.get("subscriptions")
    if not isinstance(subs, dict) or not subs:
        raise invalid("subscriptions must name at least one channel.", pointer=f"{pointer}/attributes/subscriptions")
    for channel, params in subs.items():
        _check_channel(i, channel, params, historical)
    email, phone = attrs.get("email"), attrs.get("phone_number")
    if ("sms" in subs or "whatsapp" in subs) and not phone:
        raise invalid(
            "'phone_number' must not be empty when the sms channel is included in 'subscriptions'.",
            pointer=f"{pointer}/attributes/phone_number",
        )
    if phone and (not isinstance(phone, str) or not profilestore.valid_phone(phone)):
        raise invalid(f"Invalid phone number '{phone}': use E.164.", pointer=f"{pointer}/attributes/phone_number")
    if "email" in subs and not email:
        raise invalid(
            "'email' must not be empty when the email channel is included in 'subscriptions'.",
            pointer=f"{pointer}/attributes/email",
        )
    if email and (not isinstance(email, str) or not profilestore.valid_email(email)):
        raise invalid(f"Invalid email address: '{email}'.", pointer=f"{pointer}/attributes/email")


def _check(ctx: Ctx) -> None:
    data = request_data(fastbody.json_body(ctx)["data"], JOB_TYPE, attributes=False)
    attrs: dict[str, Any] = data["attributes"] if isinstance(data.get("attributes"), dict) else {}
    profiles = attrs["profiles"].get("data") if isinstance(attrs.get("profiles"), dict) else None
    if not isinstance(profiles, list) or not profiles:
        raise invalid("attributes.profiles.data must be a non-empty array.", pointer=PROFILES)
    if len(profiles) > MAX_PROFILES:
        raise invalid(f"At most {MAX_PROFILES:,} profiles per call; this one has {len(profiles):,}.", pointer=PROFILES)
    historical = attrs.get("historical_import") is True
    for i, item in enumerate(profiles):
        _check_profile(i, item, historical)
    rel = data["relationships"].get("list") if isinstance(data.get("relationships"), dict) else None
    if rel is not None:
        target = rel.get("data") if isinstance(rel, dict) else None
        if not isinstance(target, dict) or target.get("type") != "list":
            raise invalid("relationships.list.data must be {type: 'list', id}.", pointer="/data/relationships/list")
        liststore.list_row(ctx.store, str(target.get("id")))


@route("bulk_subscribe_profiles")
def bulk_subscribe_profiles(ctx: Ctx) -> Response:
    """202 with no body; up to 1,000 profiles, consent SUBSCRIBED per channel, checked whole
    (facts §10). EMULATOR CHOICE: a double opt-in list is confirmed at once (nobody can click the email here)."""
    with profilebulk.gc_paused():  # a 1,000-profile body is thousands of acyclic objects (see gc_paused)
        _check(ctx)
    job_id = ids.ulid()
    jobs_store.insert_subscription_job(ctx.store, job_id, ctx.req.body.decode())
    ctx.jobs.submit(KIND, job_id)
    return Response(202)


# -- the worker --------------------------------------------------------------------------------------------
def _consent(params: dict[str, Any], stamp: str, historical: bool, double_optin: bool) -> dict[str, Any]:
    out = {
        "consent": "SUBSCRIBED",
        "consent_timestamp": params.get("consented_at") or stamp,
        "last_updated": stamp,
        "method": "HISTORICAL_IMPORT" if historical else "API",
        "method_detail": None,
    }
    if double_optin:
        out["double_optin"] = True
    return out


def _merged_subscriptions(old: dict[str, Any], requested: dict[str, Any], **how: Any) -> dict[str, Any]:
    # A copy two levels deep is enough: only a channel's dict is changed, its consent dicts are replaced.
    out: dict[str, Any] = {channel: dict(v) if isinstance(v, dict) else v for channel, v in old.items()}
    for channel, params in requested.items():
        for kind, value in params.items():
            if kind != "tokens":
                out.setdefault(channel, {})[kind] = _consent(value, **how)
    return out


@job_kind(KIND, pending=jobs_store.pending_subscription_jobs)
def process_subscriptions(store: Store, job_id: str, runner: JobRunner) -> None:
    payload = jobs_store.subscription_job_payload(store, job_id)
    if payload is None or not runner.step_pause():
        return
    data = fastbody.decode_checked(payload)["data"]
    historical = (data.get("attributes") or {}).get("historical_import") is True
    profiles = data["attributes"]["profiles"]["data"]
    list_id = (((data.get("relationships") or {}).get("list") or {}).get("data") or {}).get("id")
    rows = [
        profilebulk.UpsertRow(
            i,
            {k: p["attributes"][k] for k in ("email", "phone_number") if p["attributes"].get(k)},
            p.get("id") or None,
        )
        for i, p in enumerate(profiles)
    ]
    # Request threads get the GIL every 1 ms while a job computes: job POSTs keep flowing (see heavy_batch).
    with profilebulk.heavy_batch(), store.write() as conn:
        result = profilebulk.bulk_upsert(conn, rows)  # refused rows (conflicts) are skipped, as Klaviyo does
        double = _is_double_opt_in(conn, list_id) if list_id else False
        stamp = timeutil.iso()
        for pos, pid in result.ids.items():
            subs = _merged_subscriptions(
                profilestore.load_subscriptions(conn, pid),
                profiles[pos]["attributes"]["subscriptions"],
                stamp=stamp,
                historical=historical,
                double_optin=double,
            )
            profilestore.save_subscriptions(conn, pid, subs, stamp)
        if list_id:
            profilestore.add_list_members(conn, list_id, list(dict.fromkeys(result.ids.values())))
        jobs_store.complete_subscription_job(conn, job_id)


def _is_double_opt_in(conn: Any, list_id: str) -> bool:
    return liststore.opt_in_process(conn, list_id) == "double_opt_in"
