"""The Audience export page in AppTest, against the embedded sandbox: pick a list, export it hashed for Meta."""

from __future__ import annotations

import csv
import hashlib
import uuid

from pytest import MonkeyPatch
from streamlit.testing.v1 import AppTest

from klaviyo_core.accounts import ENV_ACCOUNT_NAME
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_sandbox import SandboxServer
from tests.app.conftest import APP_PATH, open_page
from tests.conftest import FULL_KEY

PAGE = "klaviyo_app/app_pages/audience_export.py"


def _list_of_two() -> tuple[str, str, list[str]]:
    """A list of its own with two members (the embedded sandbox's file is shared by the session's tests)."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    AppTest.from_file(APP_PATH, default_timeout=60).run()  # starts (and caches) the app's sandbox
    box = embedded_sandbox()
    client = KlaviyoClient(ClientConfig(api_key=box.api_key, base_url=box.url))
    tag = uuid.uuid4().hex[:8]
    emails = [f"a.{tag}@example.com", f"b.{tag}@example.com"]
    ids = [client.post("/api/profile-import", {"data": {"type": "profile", "attributes": {"email": e}}})["data"]["id"]
           for e in emails]  # fmt: skip
    name = f"Export {tag}"
    list_id = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})["data"]["id"]
    client.post(f"/api/lists/{list_id}/relationships/profiles", {"data": [{"type": "profile", "id": i} for i in ids]})
    return list_id, name, emails


def test_export_a_list_hashed_for_meta() -> None:
    list_id, name, emails = _list_of_two()
    at = open_page(PAGE, timeout=60)
    picker = at.selectbox(key="ae_audience")
    at = picker.select_index(picker.options.index(f"{name} ({list_id})")).run()
    at = at.multiselect(key="ae_fields").select("sms_consent").run()
    at = at.selectbox(key="ae_hashed").select("Meta (email and phone SHA-256)").run()
    at = at.button(key="ae_export").click().run()
    assert not at.exception, at.exception
    assert any("Exported **2** members of Export" in s.value for s in at.success)
    assert not at.get("progress"), "the finished export's bar (with 'about 0 s left') is gone"
    assert any(getattr(b, "label", None) == "Download CSV" for b in at.get("download_button"))
    from klaviyo_core.paths import data_dir

    rows = list(csv.DictReader(data_dir("exports", f"list-{list_id}-meta.csv").open(encoding="utf-8")))
    assert sorted(r["email"] for r in rows) == emails
    assert list(rows[0]) == ["email", "sms_consent", "email_sha256", "phone_sha256"]
    assert all(r["email_sha256"] == hashlib.sha256(r["email"].encode()).hexdigest() for r in rows)


def test_an_empty_audience_is_said_not_celebrated() -> None:
    """A segment nobody is in exported 'Exported 0 members' in green and offered a header-only file."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    AppTest.from_file(APP_PATH, default_timeout=60).run()
    box = embedded_sandbox()
    client = KlaviyoClient(ClientConfig(api_key=box.api_key, base_url=box.url))
    name = f"Empty {uuid.uuid4().hex[:8]}"
    list_id = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})["data"]["id"]
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    picker = at.selectbox(key="ae_audience")
    at = picker.select_index(picker.options.index(f"{name} ({list_id})")).run()
    at = at.button(key="ae_export").click().run()
    assert not at.exception, at.exception
    assert not any("Exported" in s.value for s in at.success)
    assert any("has no members" in w.value and name in w.value for w in at.warning), [w.value for w in at.warning]


def test_an_account_without_lists_says_where_to_make_one(sandbox: SandboxServer, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    assert any("no lists yet" in i.value and "Lists & segments" in i.value for i in at.info), [i.value for i in at.info]
    at.radio(key="ae_kind").set_value("segment").run()
    assert any("no segments yet" in i.value and "Klaviyo" in i.value for i in at.info), [i.value for i in at.info]
