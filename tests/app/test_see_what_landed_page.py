"""The See what landed page in AppTest, against the embedded sandbox: find a profile, see its lists and events."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.http import ClientConfig, KlaviyoClient
from tests.app.conftest import APP_PATH

PAGE = "klaviyo_app/app_pages/see_what_landed.py"


@pytest.fixture
def email() -> str:
    """A profile of its own in a list of its own (the embedded sandbox's file is shared by the session's tests)."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    AppTest.from_file(APP_PATH, default_timeout=60).run()  # starts (and caches) the app's sandbox
    box = embedded_sandbox()
    client = KlaviyoClient(ClientConfig(api_key=box.api_key, base_url=box.url))
    address = f"grace.{uuid.uuid4().hex[:8]}@example.com"
    attrs = {"email": address, "first_name": "Grace", "properties": {"note": "[click](http://x)"}}
    pid = client.post("/api/profile-import", {"data": {"type": "profile", "attributes": attrs}})["data"]["id"]
    list_id = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": f"Imported {address}"}}})
    rel = {"data": [{"type": "profile", "id": pid}]}
    client.post(f"/api/lists/{list_id['data']['id']}/relationships/profiles", rel)
    return address


@pytest.fixture
def page(email: str) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _column(at: AppTest, name: str) -> list[str]:
    """The values of the table that has this column (AppTest does not expose a dataframe's key)."""
    return next(list(d.value[name]) for d in at.dataframe if name in d.value.columns)


def _lookup(at: AppTest, identifier: str) -> AppTest:
    at.text_input(key="swl_identifier").input(identifier)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_lookup_shows_identifiers_lists_and_consent(page: AppTest, email: str) -> None:
    at = _lookup(page, email)
    heading = " ".join(m.value for m in at.markdown)
    assert "Grace · profile id" in heading
    assert _column(at, "list") == [f"Imported {email}"]
    assert "email" in _column(at, "channel") and _column(at, "value") == [email]
    assert at.json[0].value and "[click](http://x)" in at.json[0].value  # a property, shown as JSON text
    at.run()  # a rerun keeps the result
    assert _column(at, "list") == [f"Imported {email}"]


def test_unknown_and_unusable_identifiers_say_what_to_do(page: AppTest) -> None:
    at = _lookup(page, "nobody@example.com")
    assert any("No profile has" in w.value and "+country code" in w.value for w in at.warning)
    at = _lookup(at, 'x"@example.com')
    assert any("double quote" in e.value for e in at.error)


def test_a_phone_typed_with_spaces_is_found(page: AppTest) -> None:
    """Marketers copy phones as '+1 (415) 555-0123'; Klaviyo stores +14155550123, and the page said "No profile
    has ... phones need +country code" to a phone that had one."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    box = embedded_sandbox()
    client = KlaviyoClient(ClientConfig(api_key=box.api_key, base_url=box.url))
    digits = f"{uuid.uuid4().int % 10_000:04d}"
    attrs = {"phone_number": f"+1415555{digits}", "first_name": "Phoebe"}
    client.post("/api/profile-import", {"data": {"type": "profile", "attributes": attrs}})
    at = _lookup(page, f"+1 (415) 555-{digits}")
    assert "Phoebe · profile id" in " ".join(m.value for m in at.markdown), [w.value for w in at.warning]
    at = _lookup(at, f"415 555 {digits}")
    assert any("country code" in e.value and f"+1415555{digits}" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    at = _lookup(at, f"415555{digits}")  # digits alone: a phone, not a profile id
    assert any("country code" in e.value and f"+1415555{digits}" in e.value for e in at.error), [
        e.value for e in at.error
    ]


def test_consent_reads_as_words(page: AppTest, email: str) -> None:
    at = _lookup(page, email)
    assert set(_column(at, "can receive")) <= {"yes", "no", "-"}


def test_not_found_right_after_an_import_says_to_look_again(page: AppTest) -> None:
    at = _lookup(page, "not.yet@example.com")
    assert any("still" in w.value and "again" in w.value for w in at.warning), [w.value for w in at.warning]
