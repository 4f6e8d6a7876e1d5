from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import call, error_code
from tests.sandbox.profiles.bulk_helpers import create_list, profile, submit, wait_job

JOBS = "/api/profile-subscription-bulk-create-jobs"


def _body(profiles: list[dict], list_id: str | None = None, **attributes: object) -> dict:
    data: dict = {"type": "profile-subscription-bulk-create-job", "attributes": {"profiles": {"data": profiles}}}
    data["attributes"].update(attributes)
    if list_id:
        data["relationships"] = {"list": {"data": {"type": "list", "id": list_id}}}
    return {"data": data}


def _sub(address: str | None = None, phone: str | None = None, /, **channels: dict) -> dict:
    attributes: dict = {"subscriptions": channels}
    if address:
        attributes["email"] = address
    if phone:
        attributes["phone_number"] = phone
    return {"type": "profile", "attributes": attributes}


SUBSCRIBED = {"consent": "SUBSCRIBED"}


def _consent(base: str, email: str) -> dict:
    found = call(
        base,
        "GET",
        "/api/profiles",
        params={"filter": f'equals(email,"{email}")', "additional-fields[profile]": "subscriptions"},
    ).json()["data"]
    assert len(found) == 1
    return found[0]["attributes"]["subscriptions"]


def _wait(base: str) -> None:
    assert call(base, "POST", "/__sandbox/jobs/wait", {"timeout": 10}).json()["idle"]


def test_subscribe_per_channel_and_into_list(sandbox: SandboxServer) -> None:
    list_id = create_list(sandbox.url, "Subscribers")
    body = _body(
        [
            _sub("e@example.com", email={"marketing": SUBSCRIBED}),
            _sub("s@example.com", "+15555550123", sms={"marketing": SUBSCRIBED, "transactional": SUBSCRIBED}),
        ],
        list_id,
        custom_source="Spreadsheet import",
    )
    resp = call(sandbox.url, "POST", JOBS, body)
    assert resp.status_code == 202 and resp.content == b""
    _wait(sandbox.url)
    email_only = _consent(sandbox.url, "e@example.com")
    assert email_only["email"]["marketing"]["consent"] == "SUBSCRIBED"
    assert email_only["email"]["marketing"]["can_receive_email_marketing"] is True
    assert email_only["sms"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"
    sms = _consent(sandbox.url, "s@example.com")
    assert sms["sms"]["marketing"]["consent"] == "SUBSCRIBED" and sms["sms"]["transactional"]["consent"] == "SUBSCRIBED"
    assert sms["email"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"
    members = call(sandbox.url, "GET", f"/api/lists/{list_id}/relationships/profiles").json()["data"]
    assert len(members) == 2


def test_historical_import_keeps_consent_time(sandbox: SandboxServer) -> None:
    params = {"consent": "SUBSCRIBED", "consented_at": "2024-03-01T12:00:00+00:00"}
    resp = call(
        sandbox.url, "POST", JOBS, _body([_sub("h@example.com", email={"marketing": params})], historical_import=True)
    )
    assert resp.status_code == 202, resp.text
    _wait(sandbox.url)
    marketing = _consent(sandbox.url, "h@example.com")["email"]["marketing"]
    assert marketing["consent_timestamp"].startswith("2024-03-01") and marketing["method"] == "HISTORICAL_IMPORT"


def test_import_never_implies_consent(sandbox: SandboxServer) -> None:
    list_id = create_list(sandbox.url, "Imported")
    job = submit(sandbox.url, [profile(email="i@example.com", phone_number="+15555550999")], (list_id,))
    wait_job(sandbox.url, job["id"])
    subs = _consent(sandbox.url, "i@example.com")
    assert subs["email"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"
    assert subs["sms"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"


def test_subscribe_validation(sandbox: SandboxServer) -> None:
    def refused(body: dict, pointer: str) -> None:
        resp = call(sandbox.url, "POST", JOBS, body)
        assert resp.status_code == 400 and error_code(resp) == "invalid", resp.text
        assert resp.json()["errors"][0]["source"]["pointer"] == pointer

    first = "/data/attributes/profiles/data/0/attributes"
    refused(_body([_sub("a@example.com", sms={"marketing": SUBSCRIBED})]), f"{first}/phone_number")
    refused(_body([_sub(None, "+15555550123", email={"marketing": SUBSCRIBED})]), f"{first}/email")
    refused(_body([_sub("a@example.com", "555-0123", sms={"marketing": SUBSCRIBED})]), f"{first}/phone_number")
    refused(
        _body([_sub("a@example.com", email={"marketing": {"consent": "UNSUBSCRIBED"}})]),
        f"{first}/subscriptions/email/marketing/consent",
    )
    dated = {"consent": "SUBSCRIBED", "consented_at": "2024-01-01T00:00:00Z"}
    refused(
        _body([_sub("a@example.com", email={"marketing": dated})]),
        f"{first}/subscriptions/email/marketing/consented_at",
    )
    refused(_body([_sub("a@example.com")]), f"{first}/subscriptions")
    many = [_sub(f"m{i}@example.com", email={"marketing": SUBSCRIBED}) for i in range(1001)]
    refused(_body(many), "/data/attributes/profiles/data")
    no_list = call(sandbox.url, "POST", JOBS, _body([_sub("a@example.com", email={"marketing": SUBSCRIBED})], "nope00"))
    assert no_list.status_code == 404 and error_code(no_list) == "not_found"
    _wait(sandbox.url)
    assert call(sandbox.url, "GET", "/api/profiles").json()["data"] == []  # a refused call changes nothing
