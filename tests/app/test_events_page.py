"""The test-events page in AppTest: live preview, JSON errors, sandbox send + history, the LIVE guard."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.app.conftest import APP_PATH
from tests.conftest import FULL_KEY

PAGE = str(Path(__file__).resolve().parents[2] / "klaviyo_app" / "app_pages" / "test_events.py")


@dataclass(frozen=True)
class FakeTarget:
    name: str
    live: bool


@pytest.fixture
def wired(sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """Point the page's target and client at the test sandbox; history goes to tmp_path."""
    import klaviyo_app.ui.accounts
    import klaviyo_app.ui.client

    state: dict[str, object] = {"target": FakeTarget("Sandbox Store", False)}
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path))
    monkeypatch.setattr(klaviyo_app.ui.accounts, "active_target", lambda: state["target"])
    monkeypatch.setattr(klaviyo_app.ui.client, "get_client", lambda: client)
    yield state


def event_posts(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [r for r in sandbox.app.log if r["path"] == "/api/events" and r["method"] == "POST"]


def test_preview_follows_the_form_and_masks_the_key(wired: dict[str, object]) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    at.selectbox(key="events_template").set_value("Placed Order").run()
    at.text_input(key="events_identifier").set_value("sarah@example.com").run()
    shown = "\n".join(c.value for c in at.code)
    assert '"name": "Placed Order"' in shown and '"email": "sarah@example.com"' in shown
    assert FULL_KEY not in shown and "pk_...0001" in shown and "$KLAVIYO_API_KEY" in shown


def test_bad_json_gets_a_pointed_message(wired: dict[str, object]) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_area(key="events_properties").set_value('{\n  "a": 1,\n}').run()
    errors = [e.value for e in at.error]
    assert any("line 3, column 1" in e for e in errors), errors
    assert any(c.value == "   3 | }\n     | ^" for c in at.code)
    assert at.button(key="events_send").disabled


def test_sandbox_send_is_one_click_and_lands_in_history(wired: dict[str, object], sandbox: SandboxServer) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_identifier").set_value("sarah@example.com").run()
    at.button(key="events_send").click().run()
    assert not at.exception
    assert len(event_posts(sandbox)) == 1
    assert any("stored as event" in s.value for s in at.success)
    assert at.dataframe[0].value.iloc[0]["metric"] == "Viewed Product"
    at.button(key="events_history_resend").click().run()
    assert len(event_posts(sandbox)) == 2
    saved = list(Path(os.environ["KLAVIYO_WORKBENCH_HOME"]).rglob("*.jsonl"))
    assert len(saved) == 1 and len(saved[0].read_text().splitlines()) == 2
    assert FULL_KEY not in saved[0].read_text()
    later = AppTest.from_file(PAGE, default_timeout=30).run()  # a new browser session: the saved history
    assert list(later.dataframe[0].value["when"]) == ["earlier", "earlier"]


def test_live_send_needs_the_typed_account_name(wired: dict[str, object], sandbox: SandboxServer) -> None:
    wired["target"] = FakeTarget("Acme Store", True)
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_identifier").set_value("customer@acme.com").run()
    assert any("LIVE" in w.value and "customer@acme.com" in w.value for w in at.warning)
    assert any("customer+klaviyo-test@acme.com" in i.value for i in at.info)
    assert at.button(key="events_send").disabled  # AppTest, like a browser, cannot click a disabled button
    at.text_input(key="events_confirm_account").set_value("acme store").run()
    assert at.button(key="events_send").disabled
    at.text_area(key="events_properties").set_value('{"changed": true}').run()
    assert event_posts(sandbox) == []
    at.text_input(key="events_confirm_account").set_value("Acme Store").run()
    assert not at.button(key="events_send").disabled
    at.button(key="events_send").click().run()
    assert len(event_posts(sandbox)) == 1
    assert any("Accepted" in s.value for s in at.success)
    assert at.text_input(key="events_confirm_account").value == ""  # one confirmation, one send
    assert at.button(key="events_send").disabled


def test_load_into_form_and_bulk_to_test_profiles(wired: dict[str, object], sandbox: SandboxServer) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.selectbox(key="events_template").set_value("Refunded Order").run()
    at.text_input(key="events_identifier").set_value("qa@example.com").run()
    at.button(key="events_send").click().run()
    at.selectbox(key="events_template").set_value("Viewed Product").run()
    assert at.text_input(key="events_metric").value == "Viewed Product"
    at.button(key="events_history_load").click().run()
    assert at.text_input(key="events_metric").value == "Refunded Order"
    assert '"Reason": "Damaged in transit"' in (at.text_area(key="events_properties").value or "")
    at.number_input(key="events_bulk_count").set_value(25).run()
    at.button(key="events_bulk_send").click().run()
    assert not at.exception
    assert any("25 events accepted in 1 request(s)" in s.value for s in at.success)


def test_through_the_app_router_on_the_embedded_sandbox() -> None:
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    at.switch_page("klaviyo_app/app_pages/test_events.py").run()
    at.text_input(key="events_identifier").set_value("router@example.com").run()
    at.button(key="events_send").click().run()
    assert not at.exception, at.exception
    assert any("stored as event" in s.value for s in at.success), [e.value for e in at.error]


PROFILE_MISSING = "Say who the event is for"


def test_fresh_form_shows_no_error_and_send_says_what_is_missing(
    wired: dict[str, object], sandbox: SandboxServer
) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    assert [e.value for e in at.error] == []
    assert any("Enter the **Profile**" in i.value for i in at.info)
    assert not at.button(key="events_send").disabled  # pressing it explains instead of a silent grey button
    at.button(key="events_send").click().run()
    assert event_posts(sandbox) == []
    errors = [e.value for e in at.error]
    assert any(PROFILE_MISSING in e for e in errors) and any("Not sent" in e for e in errors), errors
    at.text_input(key="events_identifier").set_value("sarah@example.com").run()
    assert [e.value for e in at.error] == []  # fixed: the refusal goes with the problem
    at.button(key="events_send").click().run()
    assert len(event_posts(sandbox)) == 1


def test_profile_typed_then_cleared_shows_the_error(wired: dict[str, object], sandbox: SandboxServer) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_identifier").set_value("sarah@").run()
    assert any("not a valid email" in e.value for e in at.error)
    at.text_input(key="events_identifier").set_value("").run()
    assert any(PROFILE_MISSING in e.value for e in at.error)
    assert at.button(key="events_send").disabled
    assert event_posts(sandbox) == []


def test_fresh_form_on_live_is_quiet_and_blocked(wired: dict[str, object], sandbox: SandboxServer) -> None:
    wired["target"] = FakeTarget("Acme Store", True)
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert [e.value for e in at.error] == ["LIVE account: Acme Store. Events you send here trigger real flows."]
    send_button = at.button(key="events_send")
    assert send_button.disabled and send_button.help == "Enter the Profile first."
    assert event_posts(sandbox) == []


def bulk_posts(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.app.log if r["path"] == "/api/event-bulk-create-jobs" and r["method"] == "POST")


def test_a_second_live_bulk_send_asks_again(wired: dict[str, object], sandbox: SandboxServer) -> None:
    wired["target"] = FakeTarget("Acme Store", True)
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_identifier").set_value("me@acme.com").run()
    at.number_input(key="events_bulk_count").set_value(2).run()
    assert at.button(key="events_bulk_send").disabled
    assert any("'Acme Store'" in w.value and "send 2 events" in w.value for w in at.warning)
    at.text_input(key="events_bulk_confirm").set_value("Acme Store").run()
    at.button(key="events_bulk_send").click().run()
    assert bulk_posts(sandbox) == 1 and any("2 events accepted" in s.value for s in at.success)
    at.run()  # the next run: the name typed was used by that send
    assert at.text_input(key="events_bulk_confirm").value == ""
    assert at.button(key="events_bulk_send").disabled
    assert bulk_posts(sandbox) == 1


def test_the_unique_id_field_is_sent_and_reserved_properties_warn(
    wired: dict[str, object], sandbox: SandboxServer
) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_identifier").set_value("sarah@example.com").run()
    assert at.text_input(key="events_unique_id").value  # the id shown is the id sent
    at.text_input(key="events_unique_id").set_value("order-1001").run()
    at.text_area(key="events_properties").set_value('{"unique_id": "x", "value": 3}').run()
    warnings = [w.value for w in at.warning]
    assert any("'unique_id'" in w and "Unique id field" in w for w in warnings), warnings
    assert any("'value'" in w and "Value field" in w for w in warnings), warnings
    assert '"unique_id": "order-1001"' in "\n".join(c.value for c in at.code)
    at.button(key="events_send").click().run()
    assert not at.exception, at.exception
    assert len(event_posts(sandbox)) == 1
    saved = next(Path(os.environ["KLAVIYO_WORKBENCH_HOME"]).rglob("*.jsonl")).read_text().splitlines()
    sent = json.loads(saved[-1])["event"]
    assert sent["unique_id"] == "order-1001" and sent["properties"]["unique_id"] == "x"
    assert at.text_input(key="events_unique_id").value not in ("", "order-1001")  # the next send is new


def test_a_json_error_after_a_send_hides_the_old_success(wired: dict[str, object], sandbox: SandboxServer) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_identifier").set_value("sarah@example.com").run()
    at.button(key="events_send").click().run()
    assert any("Accepted" in s.value for s in at.success)
    at.text_area(key="events_properties").set_value('{"a": 1,').run()
    assert at.error and not any("Accepted" in s.value for s in at.success)


ORDERS = (
    b"order_id,email,time,value,value_currency\n"
    b"o-1,a@example.com,2025-03-01T14:30:00+01:00,12.5,EUR\n"
    b"o-2,b@example.com,,9,EUR\n"
)


def test_historical_upload_checks_rows_explains_backfill_and_loads(
    wired: dict[str, object], sandbox: SandboxServer
) -> None:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    bad = ORDERS + b"o-3,,2025-01-01T00:00:00,1,EUR\n"
    at.file_uploader(key="events_hist_file").set_value(("orders.csv", bad, "text/csv")).run()
    errors = [e.value for e in at.error]
    assert any("Row 3, time" in e and "time zone" in e for e in errors), errors
    assert not any(b.key == "events_hist_send" for b in at.button)  # no Load button while rows need fixing
    at.file_uploader(key="events_hist_file").set_value(("orders.csv", ORDERS, "text/csv")).run()
    at.selectbox(key="events_hist_unique_column").set_value("order_id").run()
    assert any("2 events, 1 with backfill" in i.value for i in at.info)
    assert any("flows they trigger may fire" in w.value for w in at.warning)
    at.button(key="events_hist_send").click().run()
    assert not at.exception, at.exception
    assert any("2 events accepted in 1 job(s)" in s.value for s in at.success)
    assert bulk_posts(sandbox) == 1


def test_a_live_historical_load_names_the_account_and_that_flows_may_fire(
    wired: dict[str, object], sandbox: SandboxServer
) -> None:
    wired["target"] = FakeTarget("Acme Store", True)
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.file_uploader(key="events_hist_file").set_value(("orders.csv", ORDERS, "text/csv")).run()
    assert at.button(key="events_hist_send").disabled
    prompt = [w.value for w in at.warning if "'Acme Store'" in w.value]
    assert prompt and "load 2 historical events" in prompt[0] and "flows they trigger may fire" in prompt[0]
    at.text_input(key="events_hist_confirm").set_value("Acme Store").run()
    at.button(key="events_hist_send").click().run()
    assert bulk_posts(sandbox) == 1 and any("2 events accepted" in s.value for s in at.success)


def test_a_semicolon_excel_file_shows_its_property_types_and_what_a_bad_cell_loses(
    wired: dict[str, object], sandbox: SandboxServer
) -> None:
    text = "Bestellnummer;email;time;value;Gesamt;Menge\n"
    text += "B-1;zoë@example.de;2025-03-01T14:30:00+01:00;1.234,50;1.234,50;2\n"
    text += "B-2;ben@example.de;2025-03-02T09:00:00+01:00;49,90;49,90;viele\n"
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.file_uploader(key="events_hist_file").set_value(("orders.csv", text.encode("cp1252"), "text/csv")).run()
    at.selectbox(key="events_hist_unique_column").set_value("Bestellnummer").run()
    assert at.selectbox(key="events_hist_type::Gesamt").value == "number"
    assert at.selectbox(key="events_hist_type::Menge").value == "text"  # "viele" is not a number
    at.selectbox(key="events_hist_type::Menge").set_value("number").run()
    warned = [w.value for w in at.warning]
    assert any("Row 2: Menge 'viele' is not a number" in w for w in warned), warned
    assert any("2 events, 2 with backfill" in i.value for i in at.info)
    at.button(key="events_hist_send").click().run()
    assert not at.exception, at.exception
    sent = [r for r in sandbox.app.log if r["path"] == "/api/event-bulk-create-jobs" and r["method"] == "POST"]
    assert len(sent) == 1


def test_an_unexpected_failure_of_a_send_is_explained_not_a_traceback(
    wired: dict[str, object], sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The single send goes through ui.confirm's sequence: a bug after the POST (here the read-back) is said in
    words on the next run, as every confirmed write's failure is."""
    sending = importlib.import_module("klaviyo_core.events.send")  # the module: the façade's `send` is a function

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("data")  # an answer without `data`: a bug, not an API refusal

    monkeypatch.setattr(sending, "find_stored", broken)
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="events_identifier").set_value("sarah@example.com").run()
    at.button(key="events_send").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Unexpected problem: KeyError: 'data'" in e and "What to do:" in e for e in errors), errors
