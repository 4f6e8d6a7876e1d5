"""The Consent page in AppTest, against the embedded sandbox: upload -> plan (counts, rows held apart with why,
warnings) -> apply -> report; a re-upload plans nothing; the global-unsubscribe trap; a bad file explained."""

from __future__ import annotations

import uuid
from typing import Any

from pytest import MonkeyPatch
from streamlit.testing.v1 import AppTest

from klaviyo_core.accounts import ENV_ACCOUNT_NAME
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_sandbox import SandboxServer
from tests.app.conftest import APP_PATH, open_page, upload_file
from tests.conftest import FULL_KEY, READ_ONLY_KEY

PAGE = "klaviyo_app/app_pages/consent.py"


def _sandbox_client() -> KlaviyoClient:
    from klaviyo_app.ui.sandbox import embedded_sandbox

    AppTest.from_file(APP_PATH, default_timeout=60).run()  # starts (and caches) the app's sandbox
    box = embedded_sandbox()
    return KlaviyoClient(ClientConfig(api_key=box.api_key, base_url=box.url))


def page() -> AppTest:
    return open_page(PAGE)


def upload(at: AppTest, text: str) -> AppTest:
    return upload_file(at, "consent_file", "people.csv", text.encode())


def _table(at: AppTest, column: str) -> Any:
    """The table that has this column (AppTest does not expose a dataframe's key): counts have none of the
    others' columns, the rows left out have 'why', the report has 'planned'."""
    for frame in at.dataframe:
        value = frame.value
        if column in value.columns and (column != "status" or "line" not in value.columns):
            return value
    raise AssertionError(f"no table with a column {column!r}")


def _counts(at: AppTest) -> dict[str, int]:
    table = _table(at, "status")
    return {str(s): int(n) for s, n in zip(table["status"], table["email"], strict=True)}


def test_subscribe_plan_apply_then_reupload_plans_nothing() -> None:
    tag = uuid.uuid4().hex[:8]
    text = f"email\nann-{tag}@example.com\n=bad-{tag}\n"
    at = upload(page(), text)
    assert _counts(at) == {"change": 1, "unchanged": 0, "held apart": 0, "invalid": 1}
    assert any("lifts email suppressions" in i.value for i in at.info)
    apart = _table(at, "why")
    assert list(apart["who"]) == [f"=bad-{tag}"] and "not a valid address" in apart["why"][0]
    at.button(key="consent_apply").click().run()
    assert not at.exception, at.exception
    assert list(_table(at, "planned")["status"]) == ["sent", "invalid"]
    again = upload(page(), text)
    assert _counts(again)["unchanged"] == 1 and any("Nothing to change" in s.value for s in again.success)


def test_unsubscribe_from_a_list_holds_apart_people_not_in_it() -> None:
    client = _sandbox_client()
    tag = uuid.uuid4().hex[:8]
    name = f"Consent page {tag}"
    list_id = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})["data"]["id"]
    at = page()
    at.selectbox(key="consent_action").set_value("unsubscribe").run()
    at.selectbox(key="consent_list").set_value(f"{name} ({list_id})").run()
    at = upload(at, f"email\nout-{tag}@example.com\n")
    # no profile yet: nothing to unsubscribe, so nothing is held apart either
    assert _counts(at)["unchanged"] == 1
    client.post(
        "/api/profile-subscription-bulk-create-jobs",
        {"data": {"type": "profile-subscription-bulk-create-job", "attributes": {"profiles": {"data": [
            {"type": "profile", "attributes": {"email": f"held-{tag}@example.com",
             "subscriptions": {"email": {"marketing": {"consent": "SUBSCRIBED"}}}}}]}}}},
    )  # fmt: skip
    from klaviyo_app.ui.sandbox import embedded_sandbox

    assert embedded_sandbox().server.app.jobs.wait_idle(10)
    at = upload(at, f"email\nheld-{tag}@example.com\n")
    assert _counts(at)["held apart"] == 1
    assert "global unsubscribe" in _table(at, "why")["why"][0]
    assert any("left out" in i.value for i in at.info)
    at.checkbox(key="consent_global").check().run()
    assert not at.exception, at.exception
    assert _counts(at)["change"] == 1
    assert "GLOBALLY" in at.button(key="consent_apply").label


def test_bad_file_is_explained() -> None:
    at = upload(page(), "name\nAnn\n")
    assert any("cannot be used" in e.value and "email or a phone_number" in e.value for e in at.error)


def test_a_header_without_rows_is_not_called_nothing_to_change() -> None:
    """A file with its header only has nobody in it: saying "everyone is already in that state" would mislead."""
    at = upload(page(), "email,first_name\n")
    assert any("no rows" in e.value and "header" in e.value for e in at.error), [e.value for e in at.error]
    assert not any("Nothing to change" in s.value for s in at.success)
    assert not any(b.key == "consent_apply" for b in at.button)


def test_a_missing_identifier_column_says_what_to_do() -> None:
    at = upload(page(), "Contact,Name\nann@example.com,Ann\n")  # "Email Address" is read as email (test_consent_plan)
    assert any("Rename" in e.value and "email" in e.value for e in at.error), [e.value for e in at.error]


def test_one_person_not_in_the_list_is_one_row() -> None:
    client = _sandbox_client()
    tag = uuid.uuid4().hex[:8]
    name = f"Consent one {tag}"
    list_id = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})["data"]["id"]
    client.post(
        "/api/profile-subscription-bulk-create-jobs",
        {"data": {"type": "profile-subscription-bulk-create-job", "attributes": {"profiles": {"data": [
            {"type": "profile", "attributes": {"email": f"one-{tag}@example.com",
             "subscriptions": {"email": {"marketing": {"consent": "SUBSCRIBED"}}}}}]}}}},
    )  # fmt: skip
    from klaviyo_app.ui.sandbox import embedded_sandbox

    assert embedded_sandbox().server.app.jobs.wait_idle(10)
    at = page()
    at.selectbox(key="consent_action").set_value("unsubscribe").run()
    at.selectbox(key="consent_list").set_value(f"{name} ({list_id})").run()
    at = upload(at, f"email\none-{tag}@example.com\n")
    notes = [i.value for i in at.info if "not in the list" in i.value]
    assert notes and notes[0].startswith("1 row is not in the list"), notes


def test_sms_regions_are_asked_only_for_sms() -> None:
    """An email-only change showed an SMS regions box the marketer could not know what to do with."""
    at = page()
    assert not any(t.key == "consent_regions" for t in at.text_input)
    at.multiselect(key="consent_channels").select("sms").run()
    assert not at.exception, at.exception
    assert any(t.key == "consent_regions" for t in at.text_input)


def test_live_apply_waits_for_the_account_name(sandbox: SandboxServer, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    monkeypatch.setenv("KLAVIYO_LIVE", "1")
    at = AppTest.from_file(APP_PATH, default_timeout=90)
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    at = upload(at, "email\nlive.one@example.com\n")
    assert at.button(key="consent_apply").disabled
    assert any("LIVE" in w.value and ENV_ACCOUNT_NAME in w.value for w in at.warning)
    assert not [r for r in sandbox.app.log if r["method"] == "POST"]


def test_a_key_without_the_scope_says_why_the_rows_failed(sandbox: SandboxServer, monkeypatch: MonkeyPatch) -> None:
    """A read-only key planned fine and applied to a bare "0 sent, 1 failed"; the reason hid in the table."""
    monkeypatch.setenv("KLAVIYO_API_KEY", READ_ONLY_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    at = AppTest.from_file(APP_PATH, default_timeout=90)
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    at = upload(at, "email\nread.only@example.com\nread.two@example.com\n")
    at.button(key="consent_apply").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "0 sent, 2 failed" in errors and "scope" in errors and "2 rows" in errors, errors


def test_an_unsubscribe_without_a_list_speaks_of_the_page_not_the_cli() -> None:
    """The page repeated the CLI's "give --list ... or --global": no such thing on a page."""
    at = page()
    at.selectbox(key="consent_action").set_value("unsubscribe").run()
    at = upload(at, "email\nnolist@example.com\n")
    errors = " ".join(e.value for e in at.error)
    assert "--" not in errors and "List" in errors and "Global unsubscribe" in errors, errors
