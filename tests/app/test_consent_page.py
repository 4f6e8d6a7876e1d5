"""The Consent page in AppTest, against the embedded sandbox: upload -> plan (counts, rows held apart with why,
warnings) -> apply -> report; a re-upload plans nothing; the global-unsubscribe trap; a bad file explained."""

from __future__ import annotations

import uuid
from typing import Any

from streamlit.testing.v1 import AppTest

from klaviyo_core.http import ClientConfig, KlaviyoClient
from tests.app.conftest import APP_PATH, open_page, upload_file

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
