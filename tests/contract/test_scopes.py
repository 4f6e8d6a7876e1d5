"""The scope report against a real sandbox started with scoped keys."""

from __future__ import annotations

from collections.abc import Callable

from klaviyo_core.accounts.probe import ALLOWED, CAPABILITIES, DENIED, UNKNOWN, Capability, check_key, probe
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import KeySpec, SandboxServer
from klaviyo_sandbox.engine.faults import Faults

FULL = "pk_test_scopes_full_000000000000000001"
PROFILES_ONLY = "pk_test_scopes_profiles_0000000000002"
NO_ACCOUNTS = "pk_test_scopes_no_accounts_0000000003"
SCOPED_KEYS = (
    KeySpec(FULL),
    KeySpec(PROFILES_ONLY, frozenset({"accounts:read", "profiles:read", "lists:read"})),
    KeySpec(NO_ACCOUNTS, frozenset({"profiles:read"})),
)


def _client(server: SandboxServer, key: str) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=key, base_url=server.url, max_retries=0))


def _verdicts(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {o.capability.operation_id: o.verdict for o in report.outcomes}


def test_full_key_is_denied_nothing(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=SCOPED_KEYS)
    progress: list[tuple[int, int, str]] = []
    report = check_key(_client(server, FULL), on_progress=lambda n, total, label: progress.append((n, total, label)))
    assert report.ok and report.cannot == ()
    assert [n for n, _, _ in progress] == list(range(1, len(CAPABILITIES)))  # every probe but the first call
    assert report.account is not None and report.account.id == server.config.public_key
    assert report.account.name == server.config.account_name and report.account.currency == "USD"
    assert len(report.outcomes) == len(CAPABILITIES)
    # routes the sandbox does not model yet answer 501: "unknown", never "denied"
    assert set(_verdicts(report).values()) <= {ALLOWED, UNKNOWN}
    assert _verdicts(report)["get_accounts"] == ALLOWED and _verdicts(report)["get_lists"] == ALLOWED


def test_scoped_key_lists_what_it_cannot_do(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=SCOPED_KEYS)
    report = check_key(_client(server, PROFILES_ONLY))
    verdicts = _verdicts(report)
    assert report.ok
    assert verdicts["get_profiles"] != DENIED and verdicts["get_lists"] == ALLOWED
    for denied in ("bulk_import_profiles", "create_event", "get_metrics", "get_tags", "create_tag", "get_segments"):
        assert verdicts[denied] == DENIED, denied
    text = report.cannot_text
    assert text.startswith("this key cannot: ")
    assert "upload profiles (lists:write, profiles:write)" in text  # scope names from the spec table
    assert "read metrics (metrics:read)" in text and "send test events (events:write)" in text
    result = report.to_result()
    assert result.ok and "upload profiles" in result.cannot[0] and "This key cannot" in result.summary


def test_key_without_account_scope_still_reports(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=SCOPED_KEYS)
    report = check_key(_client(server, NO_ACCOUNTS))
    assert report.ok and report.account is None
    assert "read account details (accounts:read)" in report.cannot


def test_unknown_key_fails_with_explanation(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=SCOPED_KEYS)
    report = check_key(_client(server, "pk_test_scopes_unknown_00000000000009"))
    assert not report.ok and report.outcomes == () and "refused" in report.summary and report.todo
    assert not report.to_result().ok


def test_unreachable_server_is_not_a_scope_problem() -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL, base_url="http://127.0.0.1:9", max_retries=0))
    report = check_key(client)
    assert not report.ok and "could not be tested" in report.summary and report.cannot == ()


def test_unimplemented_route_is_unknown(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=SCOPED_KEYS)
    # a route the sandbox does not model answers 501 (forced here, so the test outlives new handlers)
    server.app.faults.set(Faults(error_rate=1.0, error_statuses=[501], paths=["/api/campaigns"]))
    outcome = probe(_client(server, FULL), Capability("read campaigns", "get_campaigns"))
    assert outcome.verdict == UNKNOWN and "sandbox" in outcome.note
    denied = probe(_client(server, PROFILES_ONLY), Capability("read campaigns", "get_campaigns"))
    assert denied.verdict == DENIED and denied.describe() == "read campaigns (campaigns:read)"


def test_server_errors_are_unknown_not_denied(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=SCOPED_KEYS)
    server.app.faults.set(Faults(error_rate=1.0, error_statuses=[503], paths=["/api/lists"]))
    report = check_key(_client(server, FULL))
    assert report.ok and _verdicts(report)["get_lists"] == UNKNOWN and "read lists" in report.unknown
    assert report.cannot == ()


def test_write_probe_changes_nothing(sandbox_factory: Callable[..., SandboxServer]) -> None:
    import requests

    server = sandbox_factory(keys=SCOPED_KEYS)
    client = _client(server, FULL)
    outcome = probe(client, Capability("create lists", "create_list"))
    assert outcome.verdict == ALLOWED and "nothing was changed" in outcome.note
    lists = requests.get(
        server.url + "/api/lists",
        headers={"Authorization": f"Klaviyo-API-Key {FULL}", "revision": "2026-07-15"},
        timeout=10,
    ).json()
    assert lists["data"] == []
