"""Bulk unsubscribe and suppression jobs with Klaviyo's rules (issue 16 gap 7)."""

from __future__ import annotations

from typing import Any

from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import call, error_code

SUBS = "additional-fields[profile]"


def _subscribe(sandbox: SandboxServer, email: str, list_id: str | None = None) -> str:
    consent = {"email": {"marketing": {"consent": "SUBSCRIBED"}}}
    profile = {"type": "profile", "attributes": {"email": email, "subscriptions": consent}}
    data: dict[str, Any] = {
        "type": "profile-subscription-bulk-create-job",
        "attributes": {"profiles": {"data": [profile]}},
    }
    if list_id:
        data["relationships"] = {"list": {"data": {"type": "list", "id": list_id}}}
    assert call(sandbox.url, "POST", "/api/profile-subscription-bulk-create-jobs", {"data": data}).status_code == 202
    return _profile(sandbox, email, wait=True)["id"]


def _profile(sandbox: SandboxServer, email: str, wait: bool = False) -> dict[str, Any]:
    """The profile with its subscriptions; with `wait`, after the worker has run the subscribe job."""
    if wait:
        assert sandbox.app.jobs.wait_idle(10)
    params = {"filter": f"equals(email,'{email}')", SUBS: "subscriptions"}
    return call(sandbox.url, "GET", "/api/profiles", params=params).json()["data"][0]  # type: ignore[no-any-return]


def _marketing(sandbox: SandboxServer, email: str) -> dict[str, Any]:
    return _profile(sandbox, email)["attributes"]["subscriptions"]["email"]["marketing"]  # type: ignore[no-any-return]


def _unsubscribe(sandbox: SandboxServer, email: str, list_id: str | None = None) -> Any:
    profile = {
        "type": "profile",
        "attributes": {"email": email, "subscriptions": {"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}},
    }
    data: dict[str, Any] = {
        "type": "profile-subscription-bulk-delete-job",
        "attributes": {"profiles": {"data": [profile]}},
    }
    if list_id:
        data["relationships"] = {"list": {"data": {"type": "list", "id": list_id}}}
    return call(sandbox.url, "POST", "/api/profile-subscription-bulk-delete-jobs", {"data": data})


def _new_list(sandbox: SandboxServer, name: str) -> str:
    doc = {"data": {"type": "list", "attributes": {"name": name}}}
    return str(call(sandbox.url, "POST", "/api/lists", doc).json()["data"]["id"])


def test_unsubscribe_of_a_list_member_leaves_the_list_and_keeps_consent(sandbox: SandboxServer) -> None:
    list_id = _new_list(sandbox, "Weekly")
    pid = _subscribe(sandbox, "member@example.com", list_id)
    assert _unsubscribe(sandbox, "member@example.com", list_id).status_code == 202
    marketing = _marketing(sandbox, "member@example.com")
    assert marketing["consent"] == "SUBSCRIBED" and marketing["can_receive_email_marketing"] is True
    assert [s["list_id"] for s in marketing["list_suppressions"]] == [list_id]
    members = call(sandbox.url, "GET", f"/api/lists/{list_id}/relationships/profiles").json()["data"]
    assert pid not in {m["id"] for m in members}


def test_unsubscribe_of_a_profile_not_in_the_list_is_global(sandbox: SandboxServer) -> None:
    list_id = _new_list(sandbox, "Weekly")
    _subscribe(sandbox, "outsider@example.com")
    assert _unsubscribe(sandbox, "outsider@example.com", list_id).status_code == 202
    marketing = _marketing(sandbox, "outsider@example.com")
    assert marketing["consent"] == "UNSUBSCRIBED" and marketing["can_receive_email_marketing"] is False
    assert [s["reason"] for s in marketing["suppression"]] == ["UNSUBSCRIBE"]


def test_unsubscribe_rules_refuse_the_whole_request(sandbox: SandboxServer) -> None:
    _subscribe(sandbox, "keep@example.com")
    bad = _unsubscribe(sandbox, "not-an-email")
    assert bad.status_code == 400 and error_code(bad) == "invalid"
    too_many = {
        "type": "profile",
        "attributes": {
            "email": "a@example.com",
            "subscriptions": {"email": {"marketing": {"consent": "UNSUBSCRIBED"}}},
        },
    }
    data = {"type": "profile-subscription-bulk-delete-job", "attributes": {"profiles": {"data": [too_many] * 101}}}
    resp = call(sandbox.url, "POST", "/api/profile-subscription-bulk-delete-jobs", {"data": data})
    assert resp.status_code == 400 and "100" in resp.json()["errors"][0]["detail"]
    assert _marketing(sandbox, "keep@example.com")["consent"] == "SUBSCRIBED"


def test_suppress_creates_unknown_emails_and_unsuppress_removes_only_user_suppressed(sandbox: SandboxServer) -> None:
    _subscribe(sandbox, "gone@example.com")
    assert _unsubscribe(sandbox, "gone@example.com").status_code == 202  # an UNSUBSCRIBE suppression
    profiles = [{"type": "profile", "attributes": {"email": e}} for e in ("new@example.com", "gone@example.com")]
    doc = {"data": {"type": "profile-suppression-bulk-create-job", "attributes": {"profiles": {"data": profiles}}}}
    created = call(sandbox.url, "POST", "/api/profile-suppression-bulk-create-jobs", doc)
    assert created.status_code == 202
    job = created.json()["data"]
    assert job["attributes"]["status"] == "complete" and job["attributes"]["total_count"] == 2
    assert [s["reason"] for s in _marketing(sandbox, "new@example.com")["suppression"]] == ["USER_SUPPRESSED"]
    doc["data"]["type"] = "profile-suppression-bulk-delete-job"
    profiles.append({"type": "profile", "attributes": {"email": "unknown@example.com"}})
    removed = call(sandbox.url, "POST", "/api/profile-suppression-bulk-delete-jobs", doc)
    assert removed.status_code == 202 and removed.json()["data"]["attributes"]["skipped_count"] == 1
    assert _marketing(sandbox, "new@example.com")["suppression"] == []
    assert [s["reason"] for s in _marketing(sandbox, "gone@example.com")["suppression"]] == ["UNSUBSCRIBE"]
    jobs = call(sandbox.url, "GET", "/api/profile-suppression-bulk-create-jobs").json()["data"]
    assert [j["id"] for j in jobs] == [job["id"]]
    one = call(sandbox.url, "GET", f"/api/profile-suppression-bulk-create-jobs/{job['id']}")
    assert one.json()["data"]["id"] == job["id"]
    assert call(sandbox.url, "GET", f"/api/profile-suppression-bulk-delete-jobs/{job['id']}").status_code == 404


def test_suppress_a_whole_list(sandbox: SandboxServer) -> None:
    list_id = _new_list(sandbox, "Bounced")
    _subscribe(sandbox, "l1@example.com", list_id)
    rel = {"list": {"data": {"type": "list", "id": list_id}}}
    doc = {"data": {"type": "profile-suppression-bulk-create-job", "attributes": {}, "relationships": rel}}
    resp = call(sandbox.url, "POST", "/api/profile-suppression-bulk-create-jobs", doc)
    assert resp.status_code == 202 and resp.json()["data"]["attributes"]["completed_count"] == 1
    assert _marketing(sandbox, "l1@example.com")["can_receive_email_marketing"] is False


def test_profiles_filter_on_suppression_reason_finds_them(sandbox: SandboxServer) -> None:
    """What a Singer tap's global-exclusions stream asks for."""
    _subscribe(sandbox, "stays@example.com")
    _subscribe(sandbox, "leaves@example.com")
    assert _unsubscribe(sandbox, "leaves@example.com").status_code == 202
    query = {"filter": "equals(subscriptions.email.marketing.suppression.reason,'UNSUBSCRIBE')"}
    found = call(sandbox.url, "GET", "/api/profiles", params=query).json()["data"]
    assert [p["attributes"]["email"] for p in found] == ["leaves@example.com"]
    query = {"filter": "equals(subscriptions.email.marketing.suppression.reason,'HARD_BOUNCE')"}
    assert call(sandbox.url, "GET", "/api/profiles", params=query).json()["data"] == []
