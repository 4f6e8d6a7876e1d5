"""The tag upload page in AppTest: upload -> shape and preview -> plan -> apply -> results; bad files;
profile labels explained; the read-only overview. Runs against the app's embedded sandbox."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.accounts import ENV_ACCOUNT_NAME
from klaviyo_sandbox import SandboxServer
from tests.app.conftest import open_page, upload_file
from tests.conftest import FULL_KEY

PAGE = "klaviyo_app/app_pages/tags_upload.py"


def page() -> AppTest:
    return open_page(PAGE)


@pytest.fixture
def seeded() -> None:
    """Demo campaigns, flows, segments and tags in the embedded sandbox (the app skips them in tests)."""
    from klaviyo_app.ui.sandbox import embedded_sandbox
    from klaviyo_sandbox.seed import seed_demo

    page()  # starts (or reuses) the embedded sandbox
    store = embedded_sandbox().server.app.store
    store.kv_set("seeded_demo", False)
    seed_demo(store)


def upload(at: AppTest, text: str, name: str = "tags.csv") -> AppTest:
    return upload_file(at, "tags_file", name, text.encode())


def test_bad_file_is_explained() -> None:
    at = upload(page(), "\x00\x01binary")
    assert any("cannot be used" in e.value and "not text" in e.value for e in at.error)


def test_an_unknown_header_gets_a_column_mapping(seeded: None) -> None:
    at = upload(page(), "Kind of thing,What,Label it\nflow,Back in Stock,Mapped\n")
    assert any("cannot be used as it is" in w.value and "Unrecognised header" in w.value for w in at.warning)
    for n, field in enumerate(["resource_type", "resource", "tag"]):
        at.selectbox(key=f"tags_map_{n}").set_value(field).run()
    assert not at.exception, at.exception
    assert any("tag assignments" in i.value and "1 rows" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Resources to tag"] == "1"


def test_the_natural_header_type_name_tag_is_read_and_templates_are_offered(seeded: None) -> None:
    at = upload(page(), "Type,Name,Tag\nflow,Back in Stock,Natural\n")
    assert any("tag assignments" in i.value for i in at.info), [e.value for e in at.error]
    labels = [getattr(b, "label", "") for b in at.get("download_button")]
    assert {"Template: tag assignments", "Template: tag groups and tags", "Template: profile labels"} <= set(labels)


def test_plan_apply_and_rerun(seeded: None) -> None:
    text = (
        "resource_type,resource,tag_group,tag\n"
        "campaign,Flash Sale Alert,Page test,Flash\n"
        "flow,Back in Stock,Page test,Flash\n"
        "campaign,No such campaign,Page test,Flash\n"
    )
    at = upload(page(), text)
    assert any("tag assignments" in i.value and "3 rows" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Tag groups to create": "1", "Tags to create": "1", "Resources to tag": "2", "Rows skipped": "1"}
    assert len(at.dataframe) == 1  # one table: the plan...
    assert any("Line 4:" in m.value and "No such campaign" in m.value for m in at.markdown)  # in full
    at.button(key="tags_apply").click().run()
    assert not at.exception, at.exception
    assert any("2 done" in s.value and "1 skipped" in s.value for s in at.success)
    (results,) = (d.value for d in at.dataframe)  # ...then the same table with what happened
    assert list(results["status"]) == ["done", "done", "skipped"]
    assert any(getattr(b, "label", None) == "Download the report (CSV)" for b in at.get("download_button"))
    at.button(key="tags_build_plan").click().run()  # re-read the account: nothing left to do
    assert any("Nothing to change" in s.value for s in at.success)
    # The same file again: nothing to change.
    at = upload(page(), text, name="again.csv")
    assert any("Nothing to change" in s.value for s in at.success)


def test_profile_labels_are_offered_as_a_property() -> None:
    at = upload(page(), "email,label\nana@example.com,vip\n")
    assert any("no profile tags" in w.value and "custom profile property" in w.value for w in at.warning)
    assert at.text_input(key="tags_label_property").value == "labels"
    at.radio(key="tags_label_mode").set_value("replace").run()
    at.button(key="tags_label_submit").click().run()
    assert not at.exception, at.exception
    assert any("Started bulk import job(s)" in s.value for s in at.success)
    at.text_input(key="tags_label_property").set_value("$bad").run()
    assert any("cannot start with '$'" in e.value for e in at.error)


def test_overview_counts_resources(seeded: None) -> None:
    at = page()
    at.button(key="tags_load_overview").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    summer = table[(table["tag"] == "Summer")].iloc[0]
    assert summer["total"] == 2 and summer["group"] == "Season (exclusive)"
    assert len(summer["campaigns"].split("; ")) == 2  # which campaigns, not only how many
    assert any(getattr(b, "label", None) == "Export (CSV)" for b in at.get("download_button"))
    at.run()  # a rerun (a download, any widget) keeps the loaded overview
    assert at.dataframe[-1].value.equals(table)


def test_profile_label_merge_twice_adds_nothing_and_says_so() -> None:
    from klaviyo_app.ui.sandbox import embedded_sandbox
    from klaviyo_core.http.client import KlaviyoClient
    from klaviyo_core.http.config import ClientConfig

    text = "email,label\nmerge-twice@example.com,vip\nmerge-twice@example.com,summer\n"
    at = upload(page(), text, name="labels.csv")
    assert at.radio(key="tags_label_mode").value == "merge"
    assert any("adds nothing twice" in c.value for c in at.caption)
    at.button(key="tags_label_submit").click().run()
    assert not at.exception, at.exception
    assert any("Started bulk import job(s) for 1 profile(s)" in s.value for s in at.success)
    assert any("History" in s.value for s in at.success)  # issue 18: "follow them" points somewhere real
    assert any(link.proto.page == "history" for link in at.get("page_link"))
    at.run()  # any next interaction: the page now says the file ran, before it can run again
    assert any("You already ran this file" in i.value and "nothing is added twice" in i.value for i in at.info)
    at.button(key="tags_label_submit").click().run()  # the same file again, at once
    assert not at.exception, at.exception
    assert any("Nothing to add" in s.value for s in at.success), [s.value for s in at.success]
    assert any("1 profile(s) already have every label" in i.value for i in at.info)
    sandbox = embedded_sandbox()
    client = KlaviyoClient(ClientConfig(api_key=sandbox.api_key, base_url=sandbox.url))
    (profile,) = client.iter_resources("/api/profiles", {"filter": 'equals(email,"merge-twice@example.com")'})
    assert profile["attributes"]["properties"]["labels"] == ["vip", "summer"]


GROUPS = "tag_group,tag\nLive test,One\nLive test,Two\n"


def test_a_sandbox_plan_is_never_applied_to_live_and_live_asks_first(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plan on the sandbox, switch the sidebar to a LIVE-marked account: the plan is read again from that
    account, and applying it waits for the account's name (the LIVE account is the test's own sandbox)."""
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    monkeypatch.setenv("KLAVIYO_LIVE", "1")
    at = upload(page(), GROUPS)
    assert any("Planned on the account 'Sandbox'" in c.value for c in at.caption)
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    assert not at.exception, at.exception
    assert any(f"Planned on the LIVE account '{ENV_ACCOUNT_NAME}'" in c.value for c in at.caption)
    assert any("make 2 tag changes" in w.value and sandbox.config.account_id in w.value for w in at.warning)
    assert at.button(key="tags_apply").disabled
    assert not [r for r in sandbox.app.log if r["method"] == "POST"]
    at.text_input(key="tags_confirm").set_value(ENV_ACCOUNT_NAME).run()
    at.button(key="tags_apply").click().run()
    assert not at.exception, at.exception
    assert any("2 done" in s.value for s in at.success)
    assert [r["path"] for r in sandbox.app.log if r["method"] == "POST"]
