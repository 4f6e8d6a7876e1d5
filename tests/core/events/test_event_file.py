"""Events files as people have them (a European semicolon export with decimal commas, Excel's Windows-1252),
property columns typed as a profile import types them, a bad cell that drops only its property, and a resume
after a kill that sends only what the account has not accepted yet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from klaviyo_core.accounts import identify
from klaviyo_core.events import (
    EventFileError,
    ImportColumns,
    checkpoint_for,
    decode_upload,
    import_bodies,
    import_events,
    parse_type_option,
    plan_import,
    report_rows,
)
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import ADMIN_HEADERS, FULL_KEY
from tests.spec_validation import request_errors, require_spec

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
#: What a German shop system's order export looks like after Excel: semicolons, decimal commas, "ja"/"nein" would
#: be text, so the flags here are the yes/no a spreadsheet writes.
EUROPEAN = (
    "Bestellnummer;email;time;value;value_currency;Gesamt;Geschenk;Bestellt am;Artikel\n"
    "B-1001;anna@example.de;2025-03-01T14:30:00+01:00;1.234,50;EUR;1.234,50;yes;2025-03-01;Tasche\n"
    "B-1002;ben@example.de;2025-03-02T09:00:00+01:00;49,90;EUR;49,90;no;2025-03-02;Becher\n"
)
BY_ORDER = ImportColumns(metric="Placed Order", unique_id_column="Bestellnummer")


def test_a_semicolon_file_with_decimal_commas_gives_numbers_and_typed_properties() -> None:
    require_spec()
    plan = plan_import(EUROPEAN, BY_ORDER, now=NOW)
    assert plan.errors == [] and plan.dropped == []
    assert plan.property_types == {
        "Bestellnummer": "text",
        "Gesamt": "number",
        "Geschenk": "boolean",
        "Bestellt am": "date",
        "Artikel": "text",
    }
    first, second = plan.events
    assert first.value == 1234.5 and second.value == 49.9
    assert first.properties["Gesamt"] == 1234.5 and first.properties["Geschenk"] is True
    assert first.properties["Bestellt am"] == "2025-03-01" and second.properties["Geschenk"] is False
    assert request_errors("POST", "/api/event-bulk-create-jobs", import_bodies(plan)[0]) == []


def test_excel_windows_1252_and_its_sep_line_are_read() -> None:
    data = "sep=;\nemail;time;Größe\nzoë@example.com;2025-01-05T10:00:00Z;Maß\n".encode("cp1252")
    plan = plan_import(decode_upload(data), ImportColumns(metric="Viewed Product"), now=NOW)
    assert plan.errors == [] and plan.events[0].properties == {"Größe": "Maß"}
    assert plan.events[0].email == "zoë@example.com"


def test_a_cell_that_is_not_its_columns_type_drops_the_property_not_the_event() -> None:
    text = "email,time,Points,Joined\na@example.com,2025-01-05T10:00:00Z,12,2024-01-01\n"
    text += "b@example.com,2025-01-05T10:00:00Z,lots,someday\n"
    given = ImportColumns(metric="Reward", types={"Points": "number", "Joined": "date"})
    plan = plan_import(text, given, now=NOW)
    assert plan.errors == [] and plan.rows == [1, 2]
    assert plan.events[0].properties == {"Points": 12, "Joined": "2024-01-01"}
    assert plan.events[1].properties == {}
    assert [(d.row, d.column, d.value) for d in plan.dropped] == [(2, "Points", "lots"), (2, "Joined", "someday")]
    rows = report_rows({1: "sent", 2: "sent"}, plan)
    assert rows[2][2] == (
        "Points: 'lots' is not a number: the event is sent without 'Points'; "
        "Joined: 'someday' is not a date: the event is sent without 'Joined'"
    )


def test_a_type_given_by_the_user_wins_over_the_guess() -> None:
    text = "email,time,Quantity\na@example.com,2025-01-05T10:00:00Z,42\n"
    guessed = plan_import(text, ImportColumns(metric="X"), now=NOW)
    forced = plan_import(text, ImportColumns(metric="X", types={"Quantity": "text"}), now=NOW)
    assert guessed.events[0].properties == {"Quantity": 42} and forced.events[0].properties == {"Quantity": "42"}
    assert plan_import(text, ImportColumns(metric="X", types={"Quantity": "money"})).errors[0].field == "types"
    assert parse_type_option("Bestellt am=date") == ("Bestellt am", "date")
    with pytest.raises(EventFileError, match="Column=number"):
        parse_type_option("Code:number")


def _many(n: int) -> str:
    lines = ["order,email,time,value"]
    lines += [f"o-{i},p{i % 700}@example.com,2025-02-01T10:00:00Z,{i % 90 + 1}" for i in range(n)]
    return "\n".join(lines) + "\n"


def _stored(sandbox: SandboxServer, client: KlaviyoClient) -> int:
    requests.post(f"{sandbox.url}/__sandbox/jobs/wait", json={"timeout": 60}, headers=ADMIN_HEADERS, timeout=90)
    return sum(1 for _ in client.iter_resources("/api/events", {"page[size]": "1000"}))


def test_a_rerun_after_a_kill_sends_only_the_jobs_the_account_has_not_accepted(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    target = identify(client, "Sandbox")
    columns = ImportColumns(metric="Placed Order", unique_id_column="order")
    plan = plan_import(_many(3000), columns, now=NOW)
    checkpoint = checkpoint_for(plan, target, home=tmp_path)

    def kill_after_first_job(done: int, total: int) -> None:
        # the user's Ctrl-C after one job was accepted (jobs go 4 at a time: any one of them)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_events(client, plan, target=target, progress=kill_after_first_job, checkpoint=checkpoint)
    assert len(checkpoint.accepted()) == 1 and checkpoint.path.stat().st_mode & 0o777 == 0o600

    again = plan_import(_many(3000), columns, now=NOW)
    resumed = checkpoint_for(again, target, home=tmp_path)
    assert resumed == checkpoint  # the same file on the same account finds its checkpoint
    result = import_events(client, again, target=target, checkpoint=resumed)
    assert result.ok and result.batches == 2 and result.resumed_events == 1000 and result.accepted_events == 3000
    statuses = list(result.row_status.values())
    assert statuses.count("sent (in an earlier run)") == 1000 and statuses.count("sent") == 2000
    assert not checkpoint.path.exists() and _stored(sandbox, client) == 3000


def test_a_checkpoint_belongs_to_one_account(tmp_path: Path) -> None:
    plan = plan_import(_many(3), ImportColumns(metric="X", unique_id_column="order"), now=NOW)
    a, b = (checkpoint_for(plan, t, home=tmp_path) for t in (_target("acct-A"), _target("acct-B")))
    assert a.path != b.path


def _target(account_id: str) -> Any:
    from klaviyo_core.accounts.target import Target

    return Target("Shop", "http://127.0.0.1:1", account_id, "pk_t...0001", live=False)
