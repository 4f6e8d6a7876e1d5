"""Applying consent plans: batch sizes, resume after a stop, target binding, LIVE confirmation, the report."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from klaviyo_core.accounts import LiveWriteNotConfirmed, Target, TargetMismatch, confirm_live, identify
from klaviyo_core.consent import (
    BATCH,
    HELD,
    ConsentOptions,
    RowRules,
    apply_consent,
    batches,
    discard_run,
    incomplete,
    plan_consent,
    read_consent_file,
    report_rows,
    unfinished_run,
    write_report,
)
from klaviyo_core.history import CONSENT_CHANGE, load_runs, report_path
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.paths import data_dir
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.core.consent.helpers import marketing, new_list, subscribe, write


def _emails(n: int, prefix: str = "p") -> str:
    return "email\n" + "".join(f"{prefix}{i}@example.com\n" for i in range(n))


def test_batches_follow_klaviyo_limits(sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path) -> None:
    assert BATCH == {"subscribe": 1000, "unsubscribe": 100, "suppress": 100, "unsuppress": 100}
    path = write(tmp_path, _emails(1500))
    plan = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("subscribe"))
    assert [len(b["items"]) for b in batches(plan)] == [1000, 500]
    assert apply_consent(client, plan).ok and sandbox.app.jobs.wait_idle(20)
    plan = plan_consent(
        client, read_consent_file(path, RowRules()), ConsentOptions("unsubscribe", global_unsubscribe=True)
    )
    assert [len(b["body"]["data"]["attributes"]["profiles"]["data"]) for b in batches(plan)] == [100] * 15
    suppress = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("suppress"))
    assert len(batches(suppress)) == 15


def test_a_stopped_run_resumes_where_it_stopped(sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path) -> None:
    subscribe(sandbox, client, [f"p{i}@example.com" for i in range(250)])
    path = write(tmp_path, _emails(250))
    options = ConsentOptions("unsubscribe", global_unsubscribe=True)
    plan = plan_consent(client, read_consent_file(path, RowRules()), options)
    stop = threading.Event()
    first = apply_consent(client, plan, on_progress=lambda done, total: stop.set(), stop=stop)  # as a kill would
    assert first.batches == 1 and first.counts()["sent"] == 100
    files = [p for p in (data_dir() / "consent").rglob("*") if p.is_file()]
    assert {p.name for p in files} == {"checkpoint.json", "batches.jsonl"}
    for p in files:  # customer data: private, and never the key
        assert stat.S_IMODE(p.stat().st_mode) == 0o600 and FULL_KEY not in p.read_text(encoding="utf-8")
    assert marketing(client, "p0@example.com")["consent"] == "UNSUBSCRIBED"
    assert marketing(client, "p249@example.com")["consent"] == "SUBSCRIBED"
    again = plan_consent(client, read_consent_file(path, RowRules()), options)
    assert again.writes == 150  # the first 100 are done
    second = apply_consent(client, again)
    assert (second.resumed, second.batches, second.counts()["sent"]) == (1, 2, 250)
    assert marketing(client, "p249@example.com")["consent"] == "UNSUBSCRIBED"
    statuses = {r["status"] for r in report_rows(again, second)}
    assert statuses == {"sent"}  # the rows done by the first run are reported as sent, not 'unchanged'


def test_a_list_unsubscribe_resumes_without_holding_apart_the_people_it_already_took_off(
    sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path
) -> None:
    list_id = new_list(client, "Weekly")
    subscribe(sandbox, client, [f"p{i}@example.com" for i in range(150)], list_id)
    path = write(tmp_path, _emails(150))
    options = ConsentOptions("unsubscribe", list_id=list_id)
    plan = plan_consent(client, read_consent_file(path, RowRules()), options)
    assert plan.writes == 150 and unfinished_run(plan) is None
    stop = threading.Event()
    apply_consent(client, plan, on_progress=lambda done, total: stop.set(), stop=stop)
    again = plan_consent(client, read_consent_file(path, RowRules()), options)
    assert again.counts()[HELD] == {"email": 100}  # off the list now: re-planned alone they would look global
    assert unfinished_run(again) == (1, 2)
    result = apply_consent(client, again)
    assert (result.resumed, result.batches) == (1, 1)
    assert {r["status"] for r in report_rows(again, result)} == {"sent"} and not incomplete(again, result)
    assert marketing(client, "p0@example.com")["consent"] == "SUBSCRIBED"  # never unsubscribed globally
    assert unfinished_run(again) is None


def test_plans_and_checkpoints_are_bound_to_their_target(
    sandbox_factory: object, client: KlaviyoClient, tmp_path: Path
) -> None:
    other = sandbox_factory()  # type: ignore[operator]
    elsewhere = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=other.url))
    path = write(tmp_path, _emails(3))
    plan = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("subscribe"))
    with pytest.raises(TargetMismatch, match="Nothing was sent"):
        apply_consent(elsewhere, plan)
    stop = threading.Event()
    stop.set()  # killed before its first batch: the checkpoint is written, nothing is sent
    apply_consent(client, plan, stop=stop)
    there = plan_consent(elsewhere, read_consent_file(path, RowRules()), ConsentOptions("subscribe"))
    with pytest.raises(TargetMismatch, match="consent checkpoint belongs to"):
        apply_consent(elsewhere, there)
    assert discard_run(there) and apply_consent(elsewhere, there).counts()["sent"] == 3


def test_live_needs_a_fresh_confirmation_that_says_the_counts(
    sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path
) -> None:
    subscribe(sandbox, client, [f"p{i}@example.com" for i in range(3)])
    path = write(tmp_path, _emails(3))
    mine = identify(client, "Shop")
    live = Target(mine.name, mine.base_url, mine.account_id, mine.key_fingerprint, True)
    options = ConsentOptions("unsubscribe", global_unsubscribe=True)
    plan = plan_consent(client, read_consent_file(path, RowRules()), options, target=live)
    assert plan.effect() == "unsubscribe 3 email, of which 3 GLOBALLY (from all marketing)"
    with pytest.raises(LiveWriteNotConfirmed):
        apply_consent(client, plan, target=live)
    token = confirm_live(live, plan.effect(), "Shop")
    assert apply_consent(client, plan, target=live, confirmation=token).ok
    with pytest.raises(LiveWriteNotConfirmed, match="earlier write"):
        apply_consent(client, plan, target=live, confirmation=token)


def test_report_is_private_and_neutralises_formulas(client: KlaviyoClient, tmp_path: Path) -> None:
    path = write(tmp_path, "email\nok@example.com\n=cmd|' /C calc'!A0\n")
    plan = plan_consent(client, read_consent_file(path, RowRules()), ConsentOptions("subscribe"))
    out = write_report(tmp_path / "report.csv", plan, apply_consent(client, plan))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,who,channel,action,before,planned,status,message"
    assert lines[1].startswith("2,ok@example.com,email,subscribe,no profile,change,sent,")
    assert lines[2].startswith("3,'=cmd|' /C calc'!A0,email,subscribe,,invalid,invalid,email '=cmd")


def test_a_row_klaviyo_refuses_by_name_fails_alone(
    sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path
) -> None:
    subscribe(sandbox, client, [f"p{i}@example.com" for i in range(3)])
    path = write(tmp_path, _emails(3))
    plan = plan_consent(
        client, read_consent_file(path, RowRules()), ConsentOptions("unsubscribe", global_unsubscribe=True)
    )
    plan.rows[1].email = "p1@@example.com"  # a rule of Klaviyo's this tool does not check (here: the sandbox's)
    result = apply_consent(client, plan)
    assert [result.status[(line, "email")] for line in (2, 3, 4)] == ["sent", "failed", "sent"]
    assert "email" in result.message[(3, "email")]
    assert marketing(client, "p2@example.com")["consent"] == "UNSUBSCRIBED"
    assert marketing(client, "p1@example.com")["consent"] == "SUBSCRIBED"
    assert incomplete(plan, result)


def test_each_run_goes_to_the_write_history_a_stopped_one_as_interrupted(
    sandbox: SandboxServer, client: KlaviyoClient, tmp_path: Path
) -> None:
    subscribe(sandbox, client, [f"h{i}@example.com" for i in range(150)])
    path = write(tmp_path, _emails(150, "h") + "not-an-email\n")
    options = ConsentOptions("unsubscribe", global_unsubscribe=True)
    plan = plan_consent(client, read_consent_file(path, RowRules()), options)
    stop = threading.Event()
    apply_consent(client, plan, on_progress=lambda done, total: stop.set(), stop=stop, file_name=path.name)
    again = plan_consent(client, read_consent_file(path, RowRules()), options)
    apply_consent(client, again, file_name=path.name)
    done, stopped = load_runs(identify(client, "Sandbox").account_id)
    assert (stopped.kind, stopped.status, stopped.file_name) == (CONSENT_CHANGE, "interrupted", path.name)
    assert stopped.counts["ok"] == 100
    assert done.status == "done" and done.counts == {"sent": 150, "ok": 150, "failed": 0, "skipped": 1}
    stored = report_path(done)
    assert stored is not None and "h149@example.com" in stored.read_text(encoding="utf-8")
