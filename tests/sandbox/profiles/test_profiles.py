from __future__ import annotations

from typing import Any

from klaviyo_sandbox import SandboxServer
from tests.conftest import READ_ONLY_KEY
from tests.sandbox.engine.helpers import call, error_code
from tests.sandbox.profiles.bulk_helpers import all_pages


def _body(attributes: dict, profile_id: str | None = None, **extra: object) -> dict:
    data: dict = {"type": "profile", "attributes": attributes, **extra}
    if profile_id:
        data["id"] = profile_id
    return {"data": data}


def _create(base: str, **attributes: object) -> dict:
    resp = call(base, "POST", "/api/profiles", _body(attributes))
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def test_create_read_patch(sandbox: SandboxServer) -> None:
    created = _create(
        sandbox.url,
        email="Ada@Example.com",
        first_name="Ada",
        location={"city": "London", "zip": None},
        properties={"plan": "pro", "vip": True},
    )
    assert len(created["id"]) == 26 and created["attributes"]["email"] == "ada@example.com"
    assert created["attributes"]["location"] == {"city": "London"}
    pid = created["id"]
    patched = call(
        sandbox.url,
        "PATCH",
        f"/api/profiles/{pid}",
        _body({"last_name": "Lovelace", "first_name": None, "properties": {"vip": None, "score": 3}}, pid),
    )
    assert patched.status_code == 200, patched.text
    attrs = patched.json()["data"]["attributes"]
    assert attrs["last_name"] == "Lovelace" and attrs["first_name"] is None
    assert attrs["properties"] == {"plan": "pro", "score": 3}
    got = call(sandbox.url, "GET", f"/api/profiles/{pid}", params={"additional-fields[profile]": "subscriptions"})
    consent = got.json()["data"]["attributes"]["subscriptions"]["email"]["marketing"]
    assert consent["consent"] == "NEVER_SUBSCRIBED" and consent["can_receive_email_marketing"] is False
    sparse = call(sandbox.url, "GET", f"/api/profiles/{pid}", params={"fields[profile]": "email,location.city"})
    assert sparse.json()["data"]["attributes"] == {"email": "ada@example.com", "location": {"city": "London"}}


def test_patch_properties_meta(sandbox: SandboxServer) -> None:
    pid = _create(sandbox.url, email="tags@example.com", properties={"tags": ["a"], "old": 1})["id"]
    meta = {"patch_properties": {"append": {"tags": "b"}, "unappend": {"tags": "a"}, "unset": "old"}}
    resp = call(sandbox.url, "PATCH", f"/api/profiles/{pid}", _body({}, pid, meta=meta))
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["attributes"]["properties"] == {"tags": ["b"]}


def test_duplicate_profile_conflicts(sandbox: SandboxServer) -> None:
    first = _create(sandbox.url, email="dup@example.com")
    second = _create(sandbox.url, phone_number="+15555550111")
    again = call(sandbox.url, "POST", "/api/profiles", _body({"email": "DUP@example.com"}))
    assert again.status_code == 409 and error_code(again) == "duplicate_profile"
    assert again.json()["errors"][0]["meta"]["duplicate_profile_id"] == first["id"]
    steal = call(
        sandbox.url,
        "PATCH",
        f"/api/profiles/{second['id']}",
        _body({"email": "dup@example.com"}, second["id"]),
    )
    assert steal.status_code == 409 and error_code(steal) == "duplicate_profile"
    assert steal.json()["errors"][0]["meta"]["duplicate_profile_id"] == first["id"]
    both = call(
        sandbox.url, "POST", "/api/profile-import", _body({"email": "dup@example.com", "phone_number": "+15555550111"})
    )
    assert both.status_code == 409 and error_code(both) == "duplicate_profile"


def test_profile_import_upserts(sandbox: SandboxServer) -> None:
    created = call(sandbox.url, "POST", "/api/profile-import", _body({"email": "up@example.com", "title": "CEO"}))
    assert created.status_code == 201, created.text
    updated = call(sandbox.url, "POST", "/api/profile-import", _body({"email": "up@example.com", "locale": "en-US"}))
    assert updated.status_code == 200 and updated.json()["data"]["id"] == created.json()["data"]["id"]
    assert updated.json()["data"]["attributes"]["title"] == "CEO"
    by_id = call(
        sandbox.url,
        "POST",
        "/api/profile-import",
        _body({"external_id": "crm-1"}, created.json()["data"]["id"]),
    )
    assert by_id.status_code == 200 and by_id.json()["data"]["attributes"]["external_id"] == "crm-1"
    unknown = call(sandbox.url, "POST", "/api/profile-import", _body({"email": "x@example.com"}, "01NOPE"))
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"


def test_validation(sandbox: SandboxServer) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"email": "not-an-email"}, "/data/attributes/email"),
        ({"phone_number": "555 0100"}, "/data/attributes/phone_number"),
        ({"first_name": "No identifier"}, "/data/attributes"),
        ({"email": "a@example.com", "first_name": 7}, "/data/attributes/first_name"),
    ]
    for attributes, pointer in cases:
        resp = call(sandbox.url, "POST", "/api/profiles", _body(attributes))
        assert resp.status_code == 400 and error_code(resp) == "invalid", attributes
        assert resp.json()["errors"][0]["source"]["pointer"] == pointer
    huge = call(sandbox.url, "POST", "/api/profiles", _body({"email": "big@example.com", "title": "x" * 110_000}))
    assert huge.status_code == 413 and error_code(huge) == "request_too_large"
    wrong_type = call(sandbox.url, "POST", "/api/profiles", {"data": {"type": "list", "attributes": {}}})
    assert wrong_type.status_code == 400 and error_code(wrong_type) == "invalid"
    missing = call(sandbox.url, "GET", "/api/profiles/01NOSUCHPROFILE000000000000")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    mismatch = call(sandbox.url, "PATCH", "/api/profiles/x", _body({"email": "a@example.com"}, "y"))
    assert mismatch.status_code == 404 and error_code(mismatch) == "not_found"
    read_only = call(sandbox.url, "POST", "/api/profiles", _body({"email": "ro@example.com"}), key=READ_ONLY_KEY)
    assert read_only.status_code == 403 and error_code(read_only) == "permission_denied"


def test_filter_sort_and_pages(sandbox: SandboxServer) -> None:
    for i in range(25):
        _create(sandbox.url, email=f"u{i:02d}@example.com", external_id=f"ext-{i:02d}")
    pages = all_pages(sandbox.url, "/api/profiles", sort="-email")
    assert [p["attributes"]["email"] for p in pages] == [f"u{i:02d}@example.com" for i in reversed(range(25))]
    small = call(sandbox.url, "GET", "/api/profiles", params={"page[size]": "10"}).json()
    assert len(small["data"]) == 10 and small["links"]["next"] and "prev" not in small["links"]
    one = call(sandbox.url, "GET", "/api/profiles", params={"filter": 'equals(email,"U03@example.com")'}).json()
    assert [p["attributes"]["external_id"] for p in one["data"]] == ["ext-03"]
    several = call(
        sandbox.url, "GET", "/api/profiles", params={"filter": 'any(external_id,["ext-01","ext-02","nope"])'}
    ).json()
    assert sorted(p["attributes"]["email"] for p in several["data"]) == ["u01@example.com", "u02@example.com"]
    recent = call(
        sandbox.url, "GET", "/api/profiles", params={"filter": "greater-than(created,2020-01-01T00:00:00Z)"}
    ).json()
    assert len(recent["data"]) == 20
    none = call(sandbox.url, "GET", "/api/profiles", params={"filter": 'equals(phone_number,"+15550000000")'})
    assert none.json()["data"] == []
    bad = call(sandbox.url, "GET", "/api/profiles", params={"filter": 'equals(first_name,"Ada")'})
    assert bad.status_code == 400 and error_code(bad) == "invalid"
    bad_sort = call(sandbox.url, "GET", "/api/profiles", params={"sort": "first_name"})
    assert bad_sort.status_code == 400 and error_code(bad_sort) == "invalid"
    bad_size = call(sandbox.url, "GET", "/api/profiles", params={"page[size]": "101"})
    assert bad_size.status_code == 400 and error_code(bad_size) == "invalid"
