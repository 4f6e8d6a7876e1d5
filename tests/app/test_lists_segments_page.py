"""The Lists & segments page in AppTest, against the embedded sandbox: a count with its age, members searched,
a new list, and the sandbox's own URL and key for a terminal (issue 18 items 3 and 4)."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.accounts import ENV_ACCOUNT_NAME
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_sandbox import SandboxServer
from tests.app.conftest import APP_PATH
from tests.conftest import FULL_KEY

PAGE = "klaviyo_app/app_pages/lists_segments.py"


@pytest.fixture
def list_name() -> str:
    """A list of its own with three profiles (the embedded sandbox's file is shared by the session's tests)."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    AppTest.from_file(APP_PATH, default_timeout=60).run()  # starts (and caches) the app's sandbox
    box = embedded_sandbox()
    client = KlaviyoClient(ClientConfig(api_key=box.api_key, base_url=box.url))
    tag = uuid.uuid4().hex[:8]
    ids = []
    for i in range(3):
        attrs = {"email": f"ada{i}.{tag}@example.com"}
        ids.append(client.post("/api/profile-import", {"data": {"type": "profile", "attributes": attrs}})["data"]["id"])
    name = f"Members {tag}"
    made = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})["data"]
    client.post(
        f"/api/lists/{made['id']}/relationships/profiles", {"data": [{"type": "profile", "id": i} for i in ids]}
    )
    return name


@pytest.fixture
def page(list_name: str) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _pick(at: AppTest, name: str) -> AppTest:
    box = at.selectbox(key="ls_pick")
    box.select_index(next(i for i, label in enumerate(box.options) if label.startswith(name))).run()
    assert not at.exception, at.exception
    return at


def _members(at: AppTest) -> list[str]:
    return next(list(d.value["email"]) for d in at.dataframe if "joined_group_at" in d.value.columns)


def test_count_with_its_age_and_members_searched(page: AppTest, list_name: str) -> None:
    at = _pick(page, list_name)
    texts = " ".join(m.value for m in at.markdown)
    assert "**3** members · counted just now" in texts
    emails = _members(at)
    assert len(emails) == 3
    at.text_input(key="ls_search").input(emails[1].upper()).run()
    assert _members(at) == [emails[1]]
    assert any(f"{emails[1]}** is a member" in s.value for s in at.success)
    at.text_input(key="ls_search").input("ada").run()
    assert any("whole email" in e.value for e in at.error)
    table = next(d.value for d in at.dataframe if "Members" in d.value.columns)
    assert table.set_index("Name").loc[list_name, "Counted"] == "counted just now"


def test_the_table_agrees_with_the_count_below_it(page: AppTest, list_name: str) -> None:
    """The list just counted shows its count in the table on the same run (it said 'None' while the line
    below said '3 members'); a list never counted shows an empty cell, not 'None'; headers are words."""
    at = _pick(page, list_name)
    table = next(d.value for d in at.dataframe if "Members" in d.value.columns).set_index("Name")
    assert table.loc[list_name, "Members"] == "3"
    assert table.loc[list_name, "Counted"] == "counted just now"
    assert list(table.columns) == ["Members", "Counted", "Opt-in", "Created", "Updated", "Id"]
    assert not table.isna().any().any() and "None" not in table.to_numpy()
    assert set(table["Opt-in"]) <= {"Single opt-in", "Double opt-in"}


def test_create_a_list_and_see_it(page: AppTest) -> None:
    name = f"Spring {uuid.uuid4().hex[:6]}"
    page.text_input(key="ls_new_name").input(name)
    page.radio(key="ls_new_opt_in").set_value("double_opt_in").run()
    page.button(key="ls_create").click().run()
    assert not page.exception, page.exception
    assert any("Created the list" in s.value and name in s.value for s in page.success)
    at = _pick(page, name)
    assert any("Double opt-in" in c.value for c in at.caption)


def test_the_sandbox_is_reachable_from_a_terminal(page: AppTest) -> None:
    from klaviyo_app.ui.sandbox import embedded_sandbox

    box = embedded_sandbox()
    assert page.text_input(key="sandbox_access_url").value == box.url
    assert page.text_input(key="sandbox_access_key").value == box.api_key
    lines = page.code[0].value
    assert f"KLAVIYO_BASE_URL={box.url}" in lines and "sandbox.key" in lines and box.api_key not in lines


def test_members_are_paged_by_100() -> None:
    from klaviyo_app.ui.sandbox import embedded_sandbox

    AppTest.from_file(APP_PATH, default_timeout=60).run()
    box = embedded_sandbox()
    client = KlaviyoClient(ClientConfig(api_key=box.api_key, base_url=box.url))
    tag = uuid.uuid4().hex[:8]
    ids = [
        client.post(
            "/api/profile-import", {"data": {"type": "profile", "attributes": {"email": f"p{i}.{tag}@example.com"}}}
        )["data"]["id"]
        for i in range(101)
    ]
    made = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": f"Paged {tag}"}}})["data"]
    client.post(
        f"/api/lists/{made['id']}/relationships/profiles", {"data": [{"type": "profile", "id": i} for i in ids]}
    )
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    at = _pick(at, f"Paged {tag}")
    assert len(_members(at)) == 100 and any("members 1 to 100" in c.value for c in at.caption)
    at.button(key="ls_next").click().run()
    assert _members(at) and len(_members(at)) == 1 and any("members 101 to 101" in c.value for c in at.caption)
    assert at.button(key="ls_next").disabled
    at.button(key="ls_prev").click().run()
    assert len(_members(at)) == 100


def test_change_the_opt_in_setting(page: AppTest, list_name: str) -> None:
    at = _pick(page, list_name)
    assert any(c.value == "Opt-in: Single opt-in" for c in at.caption)
    at.radio(key="ls_opt_in").set_value("double_opt_in").run()
    at.button(key="ls_opt_in_save").click().run()
    assert not at.exception, at.exception
    assert any(c.value == "Opt-in: Double opt-in" for c in at.caption)


def test_a_live_list_waits_for_the_account_name(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A LIVE-marked account (the test's own sandbox): the create button waits for the account's name, and the
    name is good for one write (DESIGN §1b)."""
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    monkeypatch.setenv("KLAVIYO_LIVE", "1")
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    assert not at.exception, at.exception
    assert not any(t.key == "sandbox_access_key" for t in at.text_input)  # a real account's key is never shown
    at.text_input(key="ls_new_name").input("Live list").run()
    assert any("create the list 'Live list'" in w.value for w in at.warning)
    assert at.button(key="ls_create").disabled
    at.text_input(key="ls_create_confirm").set_value(ENV_ACCOUNT_NAME).run()
    at.button(key="ls_create").click().run()
    assert not at.exception, at.exception
    assert any("Created the list" in s.value and "Live list" in s.value for s in at.success)
    assert [r["path"] for r in sandbox.app.log if r["method"] == "POST"] == ["/api/lists"]
    assert not at.text_input(key="ls_create_confirm").value  # spent: the next write asks again
    assert at.button(key="ls_create").disabled


def test_segments_table_in_words(page: AppTest) -> None:
    page.radio(key="ls_kind").set_value("segment").run()
    assert not page.exception, page.exception
    tables = [d.value for d in page.dataframe if "Members" in d.value.columns]
    if tables:  # the embedded sandbox may hold no segment
        assert "Active" in tables[0].columns and set(tables[0]["Active"]) <= {"Yes", "No", ""}
        assert not tables[0].isna().any().any()
    else:
        assert any("no segments yet" in i.value for i in page.info)


def test_a_phone_search_as_typed_in_a_spreadsheet(page: AppTest, list_name: str) -> None:
    at = _pick(page, list_name)
    at.text_input(key="ls_search").input("+1 (415) 555-0199").run()
    assert not at.error and any("Not a member" in c.value for c in at.caption)
    at.text_input(key="ls_search").input("415 555 0199").run()
    assert any("country code" in e.value and "+14155550199" in e.value for e in at.error)


def test_no_lists_yet_says_what_to_do(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    assert any("no lists yet" in i.value and "Create a list" in i.value for i in at.info), [i.value for i in at.info]
    at.radio(key="ls_kind").set_value("segment").run()
    assert any("no segments yet" in i.value and "Klaviyo" in i.value for i in at.info), [i.value for i in at.info]
