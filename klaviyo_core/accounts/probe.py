"""Check a key with real calls, and find out what it may do by probing the endpoints the pages use.

Why probe: Klaviyo has no "what are my scopes" endpoint. A key made with "Custom" access fails only when a
page first needs a missing scope, usually halfway through an upload. So the Keys page asks up front: one
cheap call per capability, a 403 means "this key cannot", and the scope names come from the spec table
(`klaviyo_spec`), never from a hand-written list.

Reads are probed with a one-item GET. Writes are probed with a deliberately invalid body (a resource type
that does not exist): Klaviyo checks permissions before it reads a body, so 403 means "denied" and a 400
means the permission check passed; the invalid body guarantees nothing is ever created. A sandbox route
that is not modelled yet answers 501: that is "unknown", never "denied".
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from klaviyo_core.accounts.store import KlaviyoAccountInfo, TestResult
from klaviyo_core.clock import now_iso
from klaviyo_core.http.client import CHECK_DEADLINE_SECONDS, KlaviyoClient
from klaviyo_core.http.errors import (
    ApiError,
    AuthenticationError,
    KlaviyoError,
    NotImplementedBySandbox,
    PermissionDenied,
)
from klaviyo_core.http.explain import explain
from klaviyo_spec import Operation, operation_by_id

ALLOWED, DENIED, UNKNOWN = "allowed", "denied", "unknown"
PROBE_BODY = {"data": {"type": "workbench-scope-probe", "attributes": {}}}
#: Answers that can only come after the permission check passed (the invalid probe body was refused).
_PAST_PERMISSION_CHECK = {400, 409, 413, 415, 422}


@dataclass(frozen=True)
class Capability:
    """Something a page needs, in the words a marketer would use, tied to one spec operation."""

    label: str
    operation_id: str
    params: dict[str, Any] | None = None

    @property
    def operation(self) -> Operation:
        return operation_by_id(self.operation_id)

    @property
    def scopes(self) -> tuple[str, ...]:
        return self.operation.scopes

    @property
    def is_write(self) -> bool:
        return self.operation.method != "GET"

    def describe(self, scopes: tuple[str, ...] | None = None) -> str:
        return f"{self.label} ({', '.join(scopes or self.scopes)})"


#: What the pages need (keys, profiles upload, tags upload, test events, metrics), cheapest first.
CAPABILITIES: tuple[Capability, ...] = (
    Capability("read account details", "get_accounts"),
    Capability("read profiles", "get_profiles", {"page[size]": 1}),
    Capability("upload profiles", "bulk_import_profiles"),
    Capability("subscribe profiles to lists", "bulk_subscribe_profiles"),
    Capability("read lists", "get_lists"),
    Capability("read segments", "get_segments"),
    Capability("read tags", "get_tags"),
    Capability("create tags", "create_tag"),
    Capability("read events", "get_events", {"page[size]": 1}),
    Capability("send test events", "create_event"),
    Capability("read metrics", "get_metrics"),
    Capability("chart metrics", "query_metric_aggregates"),
)


@dataclass(frozen=True)
class ProbeOutcome:
    capability: Capability
    verdict: str  # ALLOWED | DENIED | UNKNOWN
    note: str = ""
    scopes: tuple[str, ...] = ()  # the scopes reported missing (falls back to the operation's scopes)

    def describe(self) -> str:
        return self.capability.describe(self.scopes or None)


@dataclass(frozen=True)
class KeyReport:
    """The answer to "Test": does the key work, whose store is it, and what can it not do."""

    ok: bool
    summary: str
    account: KlaviyoAccountInfo | None = None
    outcomes: tuple[ProbeOutcome, ...] = ()
    todo: str = ""
    when: str = field(default_factory=now_iso)

    @property
    def cannot(self) -> tuple[str, ...]:
        return tuple(o.describe() for o in self.outcomes if o.verdict == DENIED)

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(o.capability.label for o in self.outcomes if o.verdict == UNKNOWN)

    @property
    def cannot_text(self) -> str:
        return "this key cannot: " + ", ".join(self.cannot) if self.cannot else ""

    def to_result(self) -> TestResult:
        summary = self.summary if not self.cannot else f"{self.summary} {self.cannot_text.capitalize()}."
        return TestResult(self.ok, self.when, summary, self.cannot, self.unknown)


def account_info(document: Any) -> KlaviyoAccountInfo:
    """Name, id, timezone and currency from a `GET /api/accounts` document."""
    items = (document or {}).get("data") or [{}]
    first = items[0] if isinstance(items, list) else items
    attrs = first.get("attributes") or {}
    contact = attrs.get("contact_information") or {}
    return KlaviyoAccountInfo(
        id=str(first.get("id") or ""),
        name=str(contact.get("organization_name") or contact.get("default_sender_name") or ""),
        timezone=str(attrs.get("timezone") or ""),
        currency=str(attrs.get("preferred_currency") or ""),
    )


def _denied_scopes(exc: PermissionDenied, capability: Capability) -> tuple[str, ...]:
    """The sandbox names the missing scopes in meta; Klaviyo does not, so fall back to the spec's list."""
    missing = exc.meta.get("missing_scopes")
    if isinstance(missing, list) and missing and all(s in capability.scopes for s in missing):
        return tuple(missing)
    return capability.scopes


def probe(client: Any, capability: Capability) -> ProbeOutcome:
    """One call; the verdict depends only on the status (never on what a body contains)."""
    op = capability.operation
    try:
        if capability.is_write:
            client.request(op.method, op.path, json=PROBE_BODY, idempotent=False)
        else:
            client.request(op.method, op.path, params=capability.params)
    except PermissionDenied as exc:
        return ProbeOutcome(capability, DENIED, scopes=_denied_scopes(exc, capability))
    except NotImplementedBySandbox:
        return ProbeOutcome(capability, UNKNOWN, "the sandbox does not model this endpoint yet")
    except ApiError as exc:
        if exc.status in _PAST_PERMISSION_CHECK:
            return ProbeOutcome(capability, ALLOWED, "checked with an invalid request; nothing was changed")
        return ProbeOutcome(capability, UNKNOWN, explain(exc).what)
    except KlaviyoError as exc:
        return ProbeOutcome(capability, UNKNOWN, explain(exc).what)
    return ProbeOutcome(capability, ALLOWED)


def check_key(
    client: Any,
    *,
    capabilities: tuple[Capability, ...] = CAPABILITIES,
    on_progress: Callable[[int, int, str], None] | None = None,
    workers: int = 4,
    deadline: float | None = CHECK_DEADLINE_SECONDS,
) -> KeyReport:
    """Call `GET /api/accounts`, then probe each capability. Never raises for API trouble: it is the report.

    Probes run on a few threads (each is one short request, and the client paces per operation), so a
    Test takes about as long as the slowest few calls instead of all of them in a row. `on_progress` is
    called on the caller's thread (Streamlit widgets can only be updated from there). The whole test gives
    up after `deadline` seconds (a silent server used to hold the Keys page for 38 s); probes still waiting
    then come back "unknown" with the reason.
    """
    client.set_deadline(deadline)
    try:
        return _check_key(client, capabilities, on_progress, workers)
    finally:
        client.set_deadline(None)


def _check_key(
    client: Any,
    capabilities: tuple[Capability, ...],
    on_progress: Callable[[int, int, str], None] | None,
    workers: int,
) -> KeyReport:
    try:
        doc = client.get("/api/accounts")
    except AuthenticationError as exc:
        why = explain(exc)
        return KeyReport(False, f"Klaviyo refused the key: {why.what}", todo=why.todo)
    except PermissionDenied:
        doc = None  # the key works but may not read account details; the probes say what else it lacks
    except KlaviyoError as exc:
        why = explain(exc)
        return KeyReport(False, f"The key could not be tested: {why.what}", todo=why.todo)
    known = {"get_accounts": ProbeOutcome(CAPABILITIES[0], ALLOWED if doc else DENIED)}
    todo = [c for c in capabilities if c.operation_id not in known]
    results: dict[str, ProbeOutcome] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo) or 1))) as pool:
        futures = {pool.submit(probe, client, capability): capability for capability in todo}
        for n, future in enumerate(as_completed(futures), start=1):
            results[futures[future].operation_id] = future.result()
            if on_progress:
                on_progress(n, len(todo), futures[future].label)
    outcomes = tuple(known.get(c.operation_id) or results[c.operation_id] for c in capabilities)
    info = account_info(doc) if doc else None
    where = f"{info.name} ({info.id})" if info and info.name else "the account"
    return KeyReport(True, f"The key works: connected to {where}.", info, outcomes)


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
