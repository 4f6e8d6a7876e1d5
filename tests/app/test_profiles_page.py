"""The profile upload page end to end in AppTest, against the embedded sandbox."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.accounts import ENV_ACCOUNT_NAME, Target, identify
from klaviyo_core.csvfile.reader import preview
from klaviyo_core.http import ClientConfig, KlaviyoClient
from klaviyo_core.paths import data_dir
from klaviyo_core.profiles import unfinished_imports
from klaviyo_core.profiles.mapping import suggest_mapping
from klaviyo_core.profiles.pipeline import ImportOptions, import_profiles
from klaviyo_core.profiles.sender import ImportStopped
from klaviyo_core.profiles.uploads import MAX_AGE_SECONDS, save_upload
from klaviyo_sandbox import SandboxServer
from tests.app.conftest import APP_PATH
from tests.conftest import FULL_KEY

PAGE = "klaviyo_app/app_pages/profiles_upload.py"
CSV = b"E-mail,First Name,Mobile,Points\nann@example.com,Ann,+1 415 555 0100,3\nbad@,Bob,,x\ncy@example.com,Cy,,4\n"


def page() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def sandbox_target() -> Target:
    """The app's embedded sandbox as the core identifies it (what the page binds imports to)."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    page()  # starts (or reuses) the embedded sandbox
    sandbox = embedded_sandbox()
    return identify(KlaviyoClient(ClientConfig(api_key=sandbox.api_key, base_url=sandbox.url)), "Sandbox")


def uploaded(data: bytes = CSV, name: str = "people.csv") -> AppTest:
    at = page()
    at.file_uploader(key="profiles_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_page_asks_for_a_file() -> None:
    at = page()
    assert at.file_uploader(key="profiles_file").label == "Customer CSV"
    assert not [b for b in at.button if (b.key or "").startswith("profiles_")]  # nothing to validate yet


def test_preview_and_suggested_mapping() -> None:
    at = uploaded()
    assert any("comma-separated" in c.value for c in at.caption)
    assert at.selectbox(key="profiles_map_0").value == "email"
    assert at.selectbox(key="profiles_map_2").value == "phone_number"
    assert at.selectbox(key="profiles_map_3").value == "custom property"
    assert at.selectbox(key="profiles_type_3").value == "text"  # "x" is not a number
    assert at.selectbox(key="profiles_list_pick").value == "(no list)"  # the account's lists are offered
    assert at.button(key="profiles_import").disabled  # validate first


def test_validate_then_import() -> None:
    at = uploaded()
    at.button(key="profiles_validate").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["valid"] == "2" and metrics["rejected"] == "1"
    assert any("not a number" in str(df.value) or "not a valid email" in str(df.value) for df in at.dataframe)
    at.button(key="profiles_import").click().run()
    assert not at.exception, at.exception
    assert any("2 of 3 rows imported" in s.value for s in at.success)
    kept = Path(at.session_state["profiles_upload_kept"][1])
    assert not kept.exists()  # the import finished: its copy of the upload is gone, the report stays
    at.button(key="profiles_validate").click().run()  # the file is still in the uploader: kept again
    assert not at.exception, at.exception
    assert kept.exists()


def test_page_start_sweeps_week_old_uploads_no_import_needs() -> None:
    week_ago = time.time() - MAX_AGE_SECONDS - 60
    abandoned = save_upload(data_dir("profiles"), "abandoned.csv", b"email\nold@example.com\n")
    needed = save_upload(data_dir("profiles"), "needed.csv", b"email\nneeded@example.com\n")
    _fmt, header, sample = preview(needed)
    stopped = threading.Event()
    stopped.set()
    with pytest.raises(ImportStopped):
        import_profiles(
            None,
            needed,
            suggest_mapping(header.columns, sample),
            ImportOptions(),
            data_dir=data_dir("profiles"),
            stop=stopped,
            target=sandbox_target(),
        )
    for path in (abandoned, needed):
        os.utime(path, (week_ago, week_ago))
    at = page()
    assert not abandoned.exists() and needed.exists()
    assert not at.error and any("needed.csv" in w.value for w in at.warning)  # still resumable, nothing scary
    at.button(key="profiles_resume").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["imported"] == "1"
    assert not needed.exists()  # resumed to the end: now it may go


def test_broken_file_gets_a_clear_message() -> None:
    at = uploaded(b"PK\x03\x04" + bytes(100), "book.csv")
    assert any("Excel workbook" in e.value for e in at.error)


def test_no_identifier_mapped_stops_with_advice() -> None:
    at = uploaded()
    at.selectbox(key="profiles_map_0").set_value("ignore")
    at.selectbox(key="profiles_map_2").set_value("ignore").run()
    assert any("at least one column" in e.value for e in at.error)


def test_subscribe_needs_explicit_consent() -> None:
    at = uploaded()
    at.multiselect(key="profiles_subscribe").set_value(["email"]).run()
    assert any("explicit consent" in i.value for i in at.info)
    assert not any(b.key == "profiles_validate" for b in at.button)


def test_unfinished_import_is_offered_for_resume(tmp_path: Path) -> None:
    path = tmp_path / "halfway.csv"
    path.write_bytes(b"email,first_name\nzed@example.com,Zed\nyan@example.com,Yan\n")
    _fmt, header, sample = preview(path)
    stopped = threading.Event()
    stopped.set()  # stop before the first job: the import is planned but nothing was sent
    with pytest.raises(ImportStopped):
        import_profiles(
            None,
            path,
            suggest_mapping(header.columns, sample),
            ImportOptions(),
            data_dir=data_dir("profiles"),
            stop=stopped,
            target=sandbox_target(),
        )
    at = page()
    assert any("halfway.csv" in w.value for w in at.warning)
    at.button(key="profiles_resume").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["imported"] == "2"


def _stopped(path: Path, target: Target) -> None:
    """An import of `path` for `target`, stopped before its first job (nothing sent): unfinished."""
    _fmt, header, sample = preview(path)
    stopped = threading.Event()
    stopped.set()
    with pytest.raises(ImportStopped):
        import_profiles(
            None,
            path,
            suggest_mapping(header.columns, sample),
            ImportOptions(),
            data_dir=data_dir("profiles"),
            stop=stopped,
            target=target,
        )


def test_an_import_of_another_account_is_not_resumed_here(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.csv"
    path.write_bytes(b"email\nzed@example.com\n")
    _stopped(path, Target("Acme US", "http://127.0.0.1:9", "ACME01", "pk_...a1b2", live=False))
    at = page()
    errors = [e.value for e in at.error]
    assert any("'Acme US'" in e and "ACME01" in e and sandbox_target().account_id in e for e in errors), errors
    assert not any(b.key == "profiles_resume" for b in at.button)
    discard = next(b for b in at.button if (b.key or "").startswith("profiles_discard_"))
    discard.click().run()
    assert not at.exception and not unfinished_imports(data_dir("profiles"))


def test_an_import_from_an_older_version_resumes_only_when_adopted(tmp_path: Path) -> None:
    path = tmp_path / "older.csv"
    path.write_bytes(b"email\nold1@example.com\nold2@example.com\n")
    _stopped(path, sandbox_target())
    (cp_file,) = [f for f in data_dir("profiles").glob("imports/*/checkpoint.json") if "older.csv" in f.read_text()]
    doc = json.loads(cp_file.read_text())
    del doc["target"]  # as written before targets were recorded
    cp_file.write_text(json.dumps(doc))
    at = page()
    assert any("older version" in i.value for i in at.info)
    resume = at.button(key="profiles_resume")
    assert resume.label == "Resume it on 'Sandbox'"
    resume.click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["imported"] == "2"


def test_validated_on_sandbox_then_live_asks_before_importing(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validate on the sandbox, switch the sidebar to a LIVE-marked account, Import now: nothing is sent
    until the account's name is typed (the LIVE account is the test's own loopback sandbox)."""
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    monkeypatch.setenv("KLAVIYO_LIVE", "1")
    at = uploaded()
    at.button(key="profiles_validate").click().run()
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    at.button(key="profiles_import").click().run()
    assert not at.exception, at.exception
    asked = [w.value for w in at.warning if f"'{ENV_ACCOUNT_NAME}'" in w.value]
    assert asked and "import 2 profiles from" in asked[0] and sandbox.config.account_id in asked[0], asked
    assert at.button(key="profiles_import_live").disabled
    assert not [r for r in sandbox.app.log if r["method"] == "POST"]
    at.text_input(key="profiles_confirm").set_value(ENV_ACCOUNT_NAME).run()
    at.button(key="profiles_import_live").click().run()
    assert not at.exception, at.exception
    assert any("Done: 2 of 3 rows imported" in s.value for s in at.success)
    assert [r for r in sandbox.app.log if r["method"] == "POST"]


def test_shopify_consent_column_says_how_many_rows_will_be_subscribed() -> None:
    """Issue 13 item 2: the consent column is suggested, and the page says what the tick will do per row."""
    shopify = (Path(__file__).parents[1] / "data" / "exports" / "shopify_customers_export.csv").read_bytes()
    at = uploaded(shopify, "customers_export.csv")
    at.multiselect(key="profiles_subscribe").set_value(["email"]).run()
    at.checkbox(key="profiles_consent").check().run()
    assert at.radio(key="profiles_on_bad_field").value == "skip-field"
    at.button(key="profiles_validate").click().run()
    assert not at.exception, at.exception
    notes = [i.value for i in at.info]
    assert "3 of 6 rows will be subscribed to email (column 'Accepts Email Marketing' says yes)." in notes
    assert {m.label: m.value for m in at.metric}["valid"] == "6"
    assert any("1 row kept with a field left out" in c.value for c in at.caption)
    at.radio(key="profiles_on_bad_field").set_value("reject-row").run()
    at.button(key="profiles_validate").click().run()
    assert {m.label: m.value for m in at.metric}["rejected"] == "1"
