"""How a stored profile looks on the wire: one builder for every route that returns profiles.

Profile routes, list members, bulk-import job profiles and events all answer with the same object, so it is
built here once. `subscriptions` and `predictive_analytics` appear only when asked for with
`additional-fields[profile]=...`, as on Klaviyo.
"""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine.errors import invalid
from klaviyo_sandbox.engine.http import Ctx
from klaviyo_sandbox.engine.jsonapi import resource, sparse

PLAIN_FIELDS: tuple[str, ...] = ("email", "phone_number", "external_id", "first_name", "last_name", "organization")
PLAIN_FIELDS += ("locale", "title", "image", "created", "updated", "last_event_date")
ADDITIONAL = {"subscriptions", "predictive_analytics"}
NEVER = "NEVER_SUBSCRIBED"  # EMULATOR CHOICE (facts §10): the consent string for "never subscribed"


def additional_fields(ctx: Ctx) -> set[str]:
    raw = ctx.req.arg("additional-fields[profile]")
    wanted = {part.strip() for part in (raw or "").split(",") if part.strip()}
    unknown = wanted - ADDITIONAL
    if unknown:
        raise invalid(
            f"'{sorted(unknown)[0]}' is not a valid additional field; use subscriptions or predictive_analytics.",
            parameter="additional-fields[profile]",
        )
    return wanted


def _channel(stored: dict[str, Any], can_receive_key: str, **extra: Any) -> dict[str, Any]:
    consent = stored.get("consent") or NEVER
    out = {
        can_receive_key: consent == "SUBSCRIBED" and not stored.get("suppression"),
        "consent": consent,
        "consent_timestamp": stored.get("consent_timestamp"),
        "method": stored.get("method"),
        "method_detail": stored.get("method_detail"),
        "last_updated": stored.get("last_updated"),
    }
    out.update(extra)
    return out


def render_subscriptions(stored: dict[str, Any]) -> dict[str, Any]:
    """The spec's Subscriptions object from what bulk subscribe stored (email and sms channels)."""
    email = (stored.get("email") or {}).get("marketing") or {}
    sms = stored.get("sms") or {}
    return {
        "email": {
            "marketing": _channel(
                email,
                "can_receive_email_marketing",
                custom_method_detail=email.get("custom_method_detail"),
                double_optin=email.get("double_optin"),
                suppression=email.get("suppression") or [],  # consent/store.py writes both
                list_suppressions=email.get("list_suppressions") or [],
            )
        },
        "sms": {
            "marketing": _channel(sms.get("marketing") or {}, "can_receive_sms_marketing"),
            "transactional": _channel(sms.get("transactional") or {}, "can_receive_sms_transactional"),
        },
    }


def profile_attributes(profile: dict[str, Any], extras: set[str]) -> dict[str, Any]:
    attrs: dict[str, Any] = {name: profile.get(name) for name in PLAIN_FIELDS}
    # ProfileLocation's latitude/longitude are not nullable in the spec: send only the fields that are set.
    attrs["location"] = {k: v for k, v in (profile.get("location") or {}).items() if v is not None}
    attrs["properties"] = profile.get("properties") or {}
    if "subscriptions" in extras:
        attrs["subscriptions"] = render_subscriptions(profile.get("subscriptions") or {})
    if "predictive_analytics" in extras:
        attrs["predictive_analytics"] = {"historic_clv": None, "predicted_clv": None, "total_clv": None}
    return attrs


def profile_resource(ctx: Ctx, profile: dict[str, Any], extras: set[str] | None = None, **more: Any) -> dict[str, Any]:
    """A profile resource object; `more` adds attributes a route defines (e.g. joined_group_at)."""
    pid = profile["id"]
    wanted = extras if extras is not None else additional_fields(ctx)
    attrs = profile_attributes(profile, wanted)
    attrs.update(more)
    relationships = {
        name: {
            "links": {
                "self": ctx.url(f"/api/profiles/{pid}/relationships/{name}"),
                "related": ctx.url(f"/api/profiles/{pid}/{name}"),
            }
        }
        for name in ("lists", "segments")
    }
    return resource(ctx, "profile", pid, sparse(ctx, "profile", attrs), relationships, f"/api/profiles/{pid}")
