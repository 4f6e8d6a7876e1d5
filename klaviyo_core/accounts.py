"""'Test connection': who is this key for? One call to GET /api/accounts, summarised."""

from __future__ import annotations

from dataclasses import dataclass

from klaviyo_core.client import KlaviyoClient


@dataclass(frozen=True)
class AccountInfo:
    id: str
    name: str
    timezone: str | None
    currency: str | None
    test_account: bool
    public_api_key: str | None


def fetch_account(client: KlaviyoClient) -> AccountInfo:
    """The account behind the client's key. Raises the client's errors (explain() them)."""
    doc = client.get("/api/accounts") or {}
    items = doc.get("data") or []
    if not items:
        raise ValueError("Klaviyo answered without an account for this key.")
    item = items[0]
    attrs = item.get("attributes") or {}
    contact = attrs.get("contact_information") or {}
    return AccountInfo(
        id=item.get("id", ""),
        name=contact.get("organization_name") or contact.get("default_sender_name") or item.get("id", "?"),
        timezone=attrs.get("timezone"),
        currency=attrs.get("preferred_currency"),
        test_account=bool(attrs.get("test_account")),
        public_api_key=attrs.get("public_api_key"),
    )
