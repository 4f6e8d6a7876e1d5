"""GET /api/accounts and GET /api/accounts/{id}: what "Test connection" calls."""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox.engine.errors import not_found
from klaviyo_sandbox.engine.http import Ctx, Response
from klaviyo_sandbox.engine.jsonapi import document, resource, sparse
from klaviyo_sandbox.engine.routes import route


def _account(ctx: Ctx) -> dict[str, Any]:
    cfg = ctx.config
    attributes = {
        "test_account": True,
        "contact_information": {
            "default_sender_name": cfg.account_name,
            "default_sender_email": "hello@sandbox.example",
            "website_url": "https://sandbox.example",
            "organization_name": cfg.account_name,
            "street_address": {
                "address1": "1 Sandbox Way",
                "address2": None,
                "city": "Boston",
                "region": "MA",
                "country": "US",
                "zip": "02110",
            },
        },
        "industry": "Apparel & Accessories",
        "timezone": cfg.account_timezone,
        "preferred_currency": cfg.account_currency,
        "public_api_key": cfg.account_id,
        "locale": "en-US",
    }
    return resource(ctx, "account", cfg.account_id, sparse(ctx, "account", attributes))


@route("get_accounts")
def get_accounts(ctx: Ctx) -> Response:
    """Klaviyo answers the key's one account (facts §1: what a key check calls). The sandbox answers its
    configured account (`SandboxConfig.account_id`, name, timezone, currency), marked `test_account`."""
    return Response(200, document(ctx, [_account(ctx)]))


@route("get_account")
def get_account(ctx: Ctx) -> Response:
    """One account by id; the sandbox knows only its own and answers 404 for any other id."""
    if ctx.params["id"] != ctx.config.account_id:
        raise not_found(f"No account with id {ctx.params['id']}.")
    return Response(200, document(ctx, _account(ctx)))
