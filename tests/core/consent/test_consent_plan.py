"""Consent import against a real sandbox: per-row checks, the plan and its traps (issue 20, parts 1-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from klaviyo_core.consent import (
    CHANGE,
    HELD,
    INVALID,
    UNCHANGED,
    ConsentFileError,
    ConsentOptions,
    ConsentPlanError,
    RowRules,
    apply_consent,
    first_request,
    plan_consent,
    read_consent_file,
)
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_sandbox import SandboxServer
from tests.core.consent.helpers import marketing, new_list, subscribe, write


def _statuses(plan: object) -> list[tuple[str, str, str]]:
    return [(c.who, c.channel, c.status) for c in plan.changes]  # type: ignore[attr-defined]


def test_file_checks_per_row_and_channel(tmp_path: Path) -> None:
    text = (
        "Email;Phone;SMS Marketing\n"
        "ann@example.com;+1 415 555 0101;yes\n"
        "bad-email;+44 20 7946 0958;yes\n"
        "ann@example.com;;no\n"
        ";;\n"
        "cy@example.com;12;yes\n"
    )
    rules = RowRules(channels=("email", "sms"))
    rows = read_consent_file(write(tmp_path, text), rules).rows
    assert [r.line for r in rows] == [2, 3, 4, 6]  # the delimiter is sniffed; the blank line is no person
    assert rows[0].email == "ann@example.com" and rows[0].phone == "+14155550101" and rows[0].region == "US"
    assert rows[0].problems == {}
    assert "not a valid address" in rows[1].problems["email"]
    assert "region GB, where this account sends no SMS" in rows[1].problems["sms"]
    assert rows[2].channels == ("email",) and "repeats line 2" in rows[2].problems["email"]
    assert "not a valid phone number" in rows[3].problems["sms"]
    with pytest.raises(ConsentFileError, match="email or a phone_number column"):
        read_consent_file(write(tmp_path, "name\nAnn\n"), rules)


def test_the_identifier_columns_of_exports_people_have_are_found(tmp_path: Path) -> None:
    """Mailchimp's audience export says "Email Address", Shopify's customers export "Phone": both are read as the
    profile import reads them, without renaming a column; of two email columns the first is used."""
    mailchimp = "Email Address,First Name,Last Name,Phone Number\nann@example.com,Ann,Lee,+1 415 555 0101\n"
    rules = RowRules(channels=("email", "sms"))
    (row,) = read_consent_file(write(tmp_path, mailchimp), rules).rows
    assert (row.email, row.phone, row.problems) == ("ann@example.com", "+14155550101", {})
    two = "Email,E-mail Address\nfirst@example.com,second@example.com\n"
    (row,) = read_consent_file(write(tmp_path, two, "two.csv"), RowRules()).rows
    assert row.email == "first@example.com"


def test_subscribe_plan_leaves_out_the_done_and_says_it_lifts_suppressions(
    sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path
) -> None:
    subscribe(sandbox, client, ["done@example.com", "held@example.com"])
    client.post(
        "/api/profile-suppression-bulk-create-jobs",
        {"data": {"type": "profile-suppression-bulk-create-job", "attributes": {"profiles": {"data": [
            {"type": "profile", "attributes": {"email": "held@example.com"}}]}}}},
    )  # fmt: skip
    path = write(tmp_path, "email\nnew@example.com\ndone@example.com\nheld@example.com\nnope\n")
    plan = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("subscribe"))
    assert _statuses(plan) == [
        ("new@example.com", "email", CHANGE),
        ("done@example.com", "email", UNCHANGED),
        ("held@example.com", "email", CHANGE),
        ("nope", "email", INVALID),
    ]
    assert "lifts the suppression (USER_SUPPRESSED)" in plan.changes[2].note
    assert any("Subscribing lifts email suppressions" in w for w in plan.warnings)
    assert plan.counts()[CHANGE] == {"email": 2} and plan.counts()[UNCHANGED] == {"email": 1}
    assert plan.effect() == "subscribe 2 email"
    result = apply_consent(client, plan)
    assert result.ok and result.counts()["sent"] == 2 and result.batches == 1
    assert sandbox.app.jobs.wait_idle(10)
    assert marketing(client, "held@example.com")["can_receive_email_marketing"] is True
    again = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("subscribe"))
    assert again.writes == 0 and again.counts()[UNCHANGED] == {"email": 3}


def test_unsubscribe_from_a_list_holds_apart_the_people_not_in_it(
    sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path
) -> None:
    list_id = new_list(client, "Weekly")
    subscribe(sandbox, client, ["member@example.com"], list_id)
    subscribe(sandbox, client, ["outsider@example.com"])
    path = write(tmp_path, "email\nmember@example.com\noutsider@example.com\n")
    options = ConsentOptions("unsubscribe", list_id=list_id, list_name="Weekly")
    plan = plan_consent(client, read_consent_file(path, RowRules()), options)
    assert _statuses(plan) == [("member@example.com", "email", CHANGE), ("outsider@example.com", "email", HELD)]
    assert "global unsubscribe" in plan.changes[1].note and plan.shown_apart() == [plan.changes[1]]
    assert plan.effect() == "unsubscribe 1 email from list 'Weekly', none of them globally"
    apply_consent(client, plan)
    assert marketing(client, "outsider@example.com")["consent"] == "SUBSCRIBED"  # held apart: untouched
    assert marketing(client, "member@example.com")["consent"] == "SUBSCRIBED"  # left the list only

    chosen = ConsentOptions("unsubscribe", list_id=list_id, list_name="Weekly", global_unsubscribe=True)
    plan = plan_consent(client, read_consent_file(path, RowRules()), chosen)
    assert [c.status for c in plan.changes] == [CHANGE, CHANGE]  # the member has left: global now too
    assert plan.global_count == 2 and "of which 2 GLOBALLY" in plan.effect()
    assert apply_consent(client, plan).ok
    assert marketing(client, "outsider@example.com")["consent"] == "UNSUBSCRIBED"


def test_unsubscribe_without_a_list_must_say_global(client: KlaviyoClient, tmp_path: Path) -> None:
    consent_file = read_consent_file(write(tmp_path, "email\na@example.com\n"), RowRules())
    with pytest.raises(ConsentPlanError, match="--global"):
        plan_consent(client, consent_file, ConsentOptions("unsubscribe"))
    with pytest.raises(ConsentPlanError, match="email only"):
        plan_consent(client, consent_file, ConsentOptions("suppress", channels=("sms",)))
    with pytest.raises(ConsentPlanError, match="subscribe only"):
        plan_consent(client, consent_file, ConsentOptions("unsubscribe", global_unsubscribe=True, historical=True))


def test_sms_needs_e164_and_a_sending_region(sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path) -> None:
    text = "phone_number\n(415) 555-0102\n+33 6 12 34 56 78\nnot a phone\n"
    rules = RowRules(channels=("sms",))
    plan = plan_consent(client, read_consent_file(write(tmp_path, text), rules), ConsentOptions("subscribe", ("sms",)))
    assert [c.status for c in plan.changes] == [CHANGE, INVALID, INVALID]
    assert "region FR" in plan.changes[1].note and "E.164" in plan.changes[2].note
    _, _, body = first_request(plan) or ("", "", {})
    profile = body["data"]["attributes"]["profiles"]["data"][0]["attributes"]
    assert profile == {
        "phone_number": "+14155550102",
        "subscriptions": {"sms": {"marketing": {"consent": "SUBSCRIBED"}}},
    }
    assert apply_consent(client, plan).ok and sandbox.app.jobs.wait_idle(10)
    widened = RowRules(channels=("sms",), sms_regions=("US", "FR"))
    plan = plan_consent(
        client, read_consent_file(write(tmp_path, text), widened), ConsentOptions("subscribe", ("sms",))
    )
    assert [c.status for c in plan.changes] == [UNCHANGED, CHANGE, INVALID]


def test_historical_subscribe_needs_a_past_zoned_time_and_skips_double_opt_in(
    client: KlaviyoClient, tmp_path: Path
) -> None:
    list_id = new_list(client, "Confirmed", "double_opt_in")
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    text = (
        "email,consented_at\n"
        "a@example.com,2024-03-01T14:30:00+01:00\n"
        "b@example.com,2024-03-01 14:30\n"
        f"c@example.com,{future}\n"
        "d@example.com,\n"
    )
    path = write(tmp_path, text)
    plain = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("subscribe", list_id=list_id))
    assert plain.double_opt_in and any("double opt-in" in w for w in plain.warnings)
    assert "double opt-in list" in plain.effect()
    options = ConsentOptions("subscribe", list_id=list_id, historical=True)
    plan = plan_consent(client, read_consent_file(path, RowRules(historical=True)), options)
    assert [c.status for c in plan.changes] == [CHANGE, INVALID, INVALID, INVALID]
    assert "no time zone" in plan.changes[1].note and "future" in plan.changes[2].note
    assert "needs when each person consented" in plan.changes[3].note
    assert not plan.double_opt_in and any("no double opt-in" in w for w in plan.warnings)
    _, _, body = first_request(plan) or ("", "", {})
    assert body["data"]["attributes"]["historical_import"] is True
    entry = body["data"]["attributes"]["profiles"]["data"][0]["attributes"]["subscriptions"]["email"]["marketing"]
    assert entry == {"consent": "SUBSCRIBED", "consented_at": "2024-03-01T13:30:00Z"}
    assert apply_consent(client, plan).ok


def test_suppress_and_unsuppress_poll_their_jobs(client: KlaviyoClient, tmp_path: Path) -> None:
    path = write(tmp_path, "email\nsupp@example.com\nother@example.com\n")
    plan = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("suppress"))
    assert [c.status for c in plan.changes] == [CHANGE, CHANGE] and "creates one" in plan.changes[0].note
    result = apply_consent(client, plan)
    assert result.ok and len(result.job_ids) == 1
    assert [s["reason"] for s in marketing(client, "supp@example.com")["suppression"]] == ["USER_SUPPRESSED"]
    assert plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("suppress")).writes == 0
    lift = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("unsuppress"))
    assert lift.writes == 2 and any("USER_SUPPRESSED only" in w for w in lift.warnings)
    assert apply_consent(client, lift).ok
    assert marketing(client, "supp@example.com")["suppression"] == []
