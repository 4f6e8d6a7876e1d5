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
from tests.app.conftest import open_page, upload_file
from tests.conftest import ADMIN_HEADERS, FULL_KEY

PAGE = "klaviyo_app/app_pages/profiles_upload.py"
CSV = b"E-mail,First Name,Mobile,Points\nann@example.com,Ann,+1 415 555 0100,3\nbad@,Bob,,x\ncy@example.com,Cy,,4\n"


def page() -> AppTest:
    return open_page(PAGE, timeout=60)


def sandbox_target() -> Target:
    """The app's embedded sandbox as the core identifies it (what the page binds imports to)."""
    from klaviyo_app.ui.sandbox import embedded_sandbox

    page()  # starts (or reuses) the embedded sandbox
    sandbox = embedded_sandbox()
    return identify(KlaviyoClient(ClientConfig(api_key=sandbox.api_key, base_url=sandbox.url)), "Sandbox")


def uploaded(data: bytes = CSV, name: str = "people.csv", at: AppTest | None = None) -> AppTest:
    return upload_file(at or page(), "profiles_file", name, data)


def settle(at: AppTest, timeout: float = 60) -> AppTest:
    """Rerun until the validation or import running beside the page has finished (poll with a deadline)."""
    deadline = time.monotonic() + timeout
    while "profiles_run" in at.session_state:
        assert time.monotonic() < deadline, "the run did not finish in time"
        run = at.session_state["profiles_run"]
        if run.thread is not None:
            run.thread.join(timeout=0.2)
        at.run()
        assert not at.exception, at.exception
    return at


def mapping_box(at: AppTest, column: str, kind: str = "map"):  # type: ignore[no-untyped-def]
    """The mapping widget of a column (keys name the file and the column, not a position)."""
    found = [
        s
        for s in at.selectbox
        if (s.key or "").startswith(f"profiles_{kind}_") and (s.key or "").endswith(f"_{column}")
    ]
    assert len(found) == 1, [s.key for s in at.selectbox]
    return found[0]


def test_page_asks_for_a_file() -> None:
    at = page()
    assert at.file_uploader(key="profiles_file").label == "Customer CSV"
    assert not [b for b in at.button if (b.key or "").startswith("profiles_")]  # nothing to validate yet


def test_preview_and_suggested_mapping() -> None:
    at = uploaded()
    assert any("comma-separated" in c.value for c in at.caption)
    assert mapping_box(at, "E-mail").value == "email"
    assert mapping_box(at, "Mobile").value == "phone_number"
    assert mapping_box(at, "Points").value == "custom property"
    assert mapping_box(at, "Points", "type").value == "text"  # "x" is not a number
    assert at.selectbox(key="profiles_list_pick").value == "(no list)"  # the account's lists are offered
    assert at.button(key="profiles_import").disabled  # validate first


def test_validate_then_import() -> None:
    at = uploaded()
    settle(at.button(key="profiles_validate").click().run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["valid"] == "2" and metrics["rejected"] == "1"
    problems = [" ".join(df.value["problem"]) for df in at.dataframe if "problem" in df.value.columns]
    assert problems and "not a valid email" in problems[0]
    settle(at.button(key="profiles_import").click().run())
    assert any("2 of 3 rows imported" in s.value for s in at.success)
    kept = Path(at.session_state["profiles_upload_kept"][1])
    assert not kept.exists()  # the import finished: its copy of the upload is gone, the report stays
    settle(at.button(key="profiles_validate").click().run())  # the file is still in the uploader: kept again
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
    settle(at.button(key="profiles_resume").click().run())
    assert {m.label: m.value for m in at.metric}["imported"] == "1"
    assert not needed.exists()  # resumed to the end: now it may go


def test_broken_file_gets_a_clear_message() -> None:
    at = uploaded(b"PK\x03\x04" + bytes(100), "book.csv")
    assert any("Excel workbook" in e.value for e in at.error)


def test_no_identifier_mapped_stops_with_advice() -> None:
    at = uploaded()
    mapping_box(at, "E-mail").set_value("ignore")
    mapping_box(at, "Mobile").set_value("ignore").run()
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
    settle(at.button(key="profiles_resume").click().run())
    assert {m.label: m.value for m in at.metric}["imported"] == "2"
    assert not any("did not finish" in w.value for w in at.warning)  # finished: the banner is gone


# -- issue 13 item 1: the mapping on screen is the mapping used ------------------------------------------
SHOP_A = b"E-mail,First Name,City\nann@example.com,Ann,Paris\n"
SHOP_B = b"Phone Number,First Name,City,E-mail\n+14155550100,Bo,Lyon,bo@example.com\n"


def first_job_profile(at: AppTest) -> dict:  # type: ignore[type-arg]
    """The attributes of the first profile in the dry run's exact job JSON."""
    import json

    job = json.loads(at.code[0].value)
    return job["data"]["attributes"]["profiles"]["data"][0]["attributes"]  # type: ignore[no-any-return]


def test_a_second_file_starts_from_its_own_suggestion_not_the_first_files_choices() -> None:
    at = uploaded(SHOP_A, "a.csv")
    mapping_box(at, "City").set_value("last_name").run()  # a choice made for the first file
    at = uploaded(SHOP_B, "b.csv", at=at)
    assert mapping_box(at, "Phone Number").value == "phone_number"
    assert mapping_box(at, "City").value != "last_name" and mapping_box(at, "E-mail").value == "email"
    settle(at.button(key="profiles_validate").click().run())
    attrs = first_job_profile(at)
    assert "last_name" not in attrs and attrs["email"] == "bo@example.com" and attrs["phone_number"]


def test_a_saved_mapping_changes_the_widgets_and_the_job() -> None:
    at = uploaded(SHOP_A, "a.csv")
    mapping_box(at, "City").set_value("ignore")
    at.text_input(key="profiles_mapping_name").set_value("no city").run()
    at.button(key="profiles_save_mapping").click().run()
    at = uploaded(SHOP_B, "b.csv", at=at)
    assert mapping_box(at, "City").value != "ignore"  # the new file starts from its suggestion
    settle(at.button(key="profiles_validate").click().run())
    assert "location" in first_job_profile(at)
    [saved] = [s for s in at.selectbox if (s.key or "").startswith("profiles_saved_mapping")]
    saved.set_value("no city").run()
    assert mapping_box(at, "City").value == "ignore"  # the widgets show the saved mapping
    settle(at.button(key="profiles_validate").click().run())
    assert "location" not in first_job_profile(at)  # and the job uses it


# -- issue 13 item 7: results survive reruns; the import is not left armed; Stop --------------------------
def test_results_survive_a_rerun_and_import_locks_after_success() -> None:
    at = uploaded()
    settle(at.button(key="profiles_validate").click().run())
    at.text_input(key="profiles_mapping_name").set_value("anything").run()  # any rerun (a download did this)
    assert {m.label: m.value for m in at.metric}["valid"] == "2"
    settle(at.button(key="profiles_import").click().run())
    assert at.button(key="profiles_import").disabled  # done: not armed for a second import
    at.run()
    assert any("2 of 3 rows imported" in s.value for s in at.success)  # still shown after a rerun
    at.radio(key="profiles_keep").set_value("first").run()  # other options: validate again, then import
    assert at.button(key="profiles_import").disabled and not at.success
    settle(at.button(key="profiles_validate").click().run())
    assert not at.button(key="profiles_import").disabled


def test_downloads_do_not_rerun_the_page() -> None:
    at = uploaded()
    settle(at.button(key="profiles_validate").click().run())
    downloads = [e for e in at.get("download_button")]
    assert len(downloads) == 3  # problem rows, full report, the first job
    assert all(e.proto.ignore_rerun for e in downloads), [e.proto for e in downloads]


def test_stop_leaves_a_resumable_import(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the test's own sandbox (the app's embedded one has no admin routes): its bulk-import route is slowed
    down so Stop lands while a job is in flight."""
    import requests

    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)  # loopback, not marked LIVE
    at = page()
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    rows = b"".join(b"stop%d@example.com\n" % i for i in range(10_001))  # two jobs: Stop lands between them
    at = uploaded(b"email\n" + rows, "stop me.csv", at=at)
    settle(at.button(key="profiles_validate").click().run())
    url = sandbox.url + "/__sandbox/faults"
    fault: dict[str, int | list[str]] = {"latency_ms": 1500, "paths": ["/api/profile-bulk-import-jobs"]}
    requests.put(url, json=fault, headers=ADMIN_HEADERS, timeout=5).raise_for_status()
    try:
        at.button(key="profiles_import").click().run()
        at.button(key="profiles_stop").click().run()
        settle(at)
    finally:
        requests.delete(url, headers=ADMIN_HEADERS, timeout=5)
    shown = [e.value for e in [*at.warning, *at.error, *at.success]]
    assert any("stopped" in w.value for w in at.warning), shown
    banner = [w.value for w in at.warning if "An import of stop me.csv (no list) did not finish" in w.value]
    assert banner and sandbox.config.account_id in banner[0], shown  # the file, its list and its account
    next(b for b in at.button if (b.key or "").startswith("profiles_discard_")).click().run()
    assert not any("did not finish" in w.value for w in at.warning)  # discarded: no banner any more
    assert not unfinished_imports(data_dir("profiles"))


def test_a_validation_with_no_valid_row_is_not_called_done() -> None:
    at = uploaded(b"email\nbad@\nworse@\n", "all bad.csv")
    settle(at.button(key="profiles_validate").click().run())
    assert {m.label: m.value for m in at.metric} == {
        "valid": "0", "rejected": "2", "rejected by klaviyo": "0", "skipped duplicate": "0", "pending": "0"
    }  # fmt: skip
    assert not any("Done" in s.value for s in at.success)


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
    settle(resume.click().run())
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
    settle(at.button(key="profiles_validate").click().run())
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    at.button(key="profiles_import").click().run()
    assert not at.exception, at.exception
    asked = [w.value for w in at.warning if f"'{ENV_ACCOUNT_NAME}'" in w.value]
    assert asked and "import 2 profiles from" in asked[0] and sandbox.config.account_id in asked[0], asked
    assert at.button(key="profiles_import_live").disabled
    assert not [r for r in sandbox.app.log if r["method"] == "POST"]
    at.text_input(key="profiles_confirm").set_value(ENV_ACCOUNT_NAME).run()
    settle(at.button(key="profiles_import_live").click().run())
    assert any("Done: 2 of 3 rows imported" in s.value for s in at.success)
    assert [r for r in sandbox.app.log if r["method"] == "POST"]


def test_shopify_consent_column_says_how_many_rows_will_be_subscribed() -> None:
    """Issue 13 item 2: the consent column is suggested, and the page says what the tick will do per row."""
    shopify = (Path(__file__).parents[1] / "data" / "exports" / "shopify_customers_export.csv").read_bytes()
    at = uploaded(shopify, "customers_export.csv")
    at.multiselect(key="profiles_subscribe").set_value(["email"]).run()
    at.checkbox(key="profiles_consent").check().run()
    assert at.radio(key="profiles_on_bad_field").value == "skip-field"
    settle(at.button(key="profiles_validate").click().run())
    notes = [i.value for i in at.info]
    assert "3 of 6 rows will be subscribed to email (column 'Accepts Email Marketing' says yes)." in notes
    assert {m.label: m.value for m in at.metric}["valid"] == "6"
    assert any("1 row kept with a field left out" in c.value for c in at.caption)
    at.radio(key="profiles_on_bad_field").set_value("reject-row").run()
    settle(at.button(key="profiles_validate").click().run())
    assert {m.label: m.value for m in at.metric}["rejected"] == "1"


def test_an_import_done_on_one_account_does_not_lock_import_on_another(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Import locks after success for these inputs on this account only: the same file may go to another."""
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)  # loopback, not marked LIVE
    at = uploaded()
    settle(at.button(key="profiles_validate").click().run())
    settle(at.button(key="profiles_import").click().run())
    assert at.button(key="profiles_import").disabled  # done on the embedded sandbox
    at.selectbox(key="accounts.switcher").set_value(ENV_ACCOUNT_NAME).run()
    assert not at.button(key="profiles_import").disabled and not at.success  # another account: not imported yet
    settle(at.button(key="profiles_import").click().run())
    assert any("2 of 3 rows imported" in s.value for s in at.success)
    assert [r for r in sandbox.app.log if r["method"] == "POST"]  # it went to the account now chosen
