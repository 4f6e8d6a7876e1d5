"""Notebook writes (issue 21): plan then run over the page's and CLI's pipelines, under DESIGN §1b's rules.

The LIVE account is a loopback sandbox marked LIVE (`KLAVIYO_LIVE=1` for the environment key, `accounts edit
--live` for a saved one), never a real host, as in tests/core/cli/test_live_writes_cli.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from klaviyo_core import Workbench
from klaviyo_core.accounts import ENV_ACCOUNT_NAME
from klaviyo_core.cli import app
from klaviyo_core.notebook import ProfileImportPlan, TagPlan, WorkbenchError
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.memory_keyring import MemoryKeyring, memory_keyring, wb_home

__all__ = ["memory_keyring", "wb_home"]  # fixtures used by name below

PEOPLE = pd.DataFrame(
    {
        "E-mail": ["ann@example.com", "not-an-email", "bob@example.com"],
        "First Name": ["Ann", "<img src=x onerror=alert(1)>", "-Bob"],
        "Points": [10, 20, 30],
    }
)
GROUPS = pd.DataFrame({"tag_group": ["Season", "Season"], "tag": ["Summer", "<Winter>"]})


def writes(server: SandboxServer) -> list[str]:
    """The writes that reached the sandbox (any method but GET)."""
    return [r["path"] for r in server.app.log if r["method"] not in ("GET", "HEAD") and r["path"].startswith("/api")]


def env_workbench(server: SandboxServer, monkeypatch: pytest.MonkeyPatch, *, live: bool) -> Workbench:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", server.url)
    if live:
        monkeypatch.setenv("KLAVIYO_LIVE", "1")
    return Workbench.connect()


@pytest.fixture
def wb(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Workbench:
    return env_workbench(sandbox, monkeypatch, live=False)


def test_plan_shows_counts_and_problems_and_sends_nothing(sandbox: SandboxServer, wb: Workbench) -> None:
    plan = wb.profiles.plan_import(PEOPLE, mapping={"Points": "properties.points:number"})
    assert isinstance(plan, ProfileImportPlan)
    assert plan.counts == {"valid": 2, "rejected": 1}
    assert plan.target.account_id == sandbox.config.account_id and not plan.target.live
    assert writes(sandbox) == []
    assert list(plan.report["status"]) == ["valid", "rejected", "valid"]
    assert list(plan.report["First Name"]) == list(PEOPLE["First Name"])  # the DataFrame's cells, not neutralised
    page = plan._repr_html_()
    assert "<img" not in page and "&lt;img" not in page  # the problem table names the column, never the cell
    assert "not a valid email" in page and "Rows rejected" in page
    job = plan.first_job
    assert job is not None
    sent = job["data"]["attributes"]["profiles"]["data"]  # type: ignore[index]
    assert [p["attributes"]["properties"] for p in sent] == [{"points": 10}, {"points": 30}]
    assert sent[1]["attributes"]["first_name"] == "-Bob"  # what is shown is what is sent: no apostrophe


def test_user_text_in_the_plan_table_is_escaped(wb: Workbench) -> None:
    data = pd.DataFrame({"email": ["a@example.com"], "<script>alert(1)</script>": ["x"]})
    page = wb.profiles.plan_import(data)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_run_imports_reports_every_row_and_runs_once(sandbox: SandboxServer, wb: Workbench) -> None:
    created = wb.client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": "Notebook"}}})
    list_id = created["data"]["id"]
    plan = wb.profiles.plan_import(PEOPLE, list_id=list_id)
    seen: list[tuple[float, str]] = []
    report = plan.run(progress=lambda share, text: seen.append((share, text)))
    assert list(report["status"]) == ["imported", "rejected", "imported"]
    assert list(report.index) == list(PEOPLE.index) and "not a valid email" in report["reason"].iloc[1]
    assert report.attrs["counts"] == {"imported": 2, "rejected": 1}
    assert seen and seen[-1][0] == 1.0 and all(0.0 <= s <= 1.0 for s, _ in seen)
    assert list(wb.profiles.get("bob@example.com")["first_name"]) == ["-Bob"]
    members = wb.audiences.export(list="Notebook")
    assert set(members["email"]) == {"ann@example.com", "bob@example.com"}
    with pytest.raises(WorkbenchError, match="already run"):
        plan.run()


def test_a_frame_with_repeated_index_labels_keeps_one_report_row_per_row(wb: Workbench) -> None:
    data = PEOPLE.set_axis(["x", "x", "y"])
    report = wb.profiles.plan_import(data).run(progress=False)
    assert list(report.index) == ["x", "x", "y"]
    assert list(report["status"]) == ["imported", "rejected", "imported"]


def test_a_bad_mapping_or_input_is_explained(wb: Workbench) -> None:
    with pytest.raises(WorkbenchError, match="does not have"):
        wb.profiles.plan_import(PEOPLE, mapping={"Nope": "email"})
    with pytest.raises(WorkbenchError, match="What to do"):
        wb.profiles.plan_import(PEOPLE, mapping={"E-mail": "ignore"})  # no identifier left
    with pytest.raises(WorkbenchError, match="DataFrame"):
        wb.profiles.plan_import([{"email": "a@example.com"}])  # type: ignore[arg-type]
    with pytest.raises(WorkbenchError, match="email, sms"):
        wb.profiles.plan_import(PEOPLE, subscribe="fax")


def test_live_run_is_refused_without_confirm_account(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    wb = env_workbench(sandbox, monkeypatch, live=True)
    assert wb.live and "LIVE" in repr(wb)
    plan = wb.profiles.plan_import(PEOPLE)
    assert "confirm_account=" in plan._repr_html_()
    with pytest.raises(WorkbenchError, match="Nothing was sent") as refused:
        plan.run()
    assert f"plan.run(confirm_account={ENV_ACCOUNT_NAME!r})" in str(refused.value)
    typed = "pk_test_pasted_by_mistake_0000000009"
    with pytest.raises(WorkbenchError, match="does not match") as wrong:
        plan.run(confirm_account=typed)
    assert typed not in str(wrong.value)
    assert writes(sandbox) == []
    report = plan.run(confirm_account=ENV_ACCOUNT_NAME, progress=False)
    assert list(report["status"]) == ["imported", "rejected", "imported"]
    second = wb.profiles.plan_import(PEOPLE.head(1))
    with pytest.raises(WorkbenchError, match="Nothing was sent"):
        second.run()  # a confirmation covers one run: the next one asks again


def test_a_saved_live_account_is_confirmed_by_its_name(sandbox: SandboxServer, memory_keyring: MemoryKeyring) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["accounts", "add", "Acme", "--base-url", sandbox.url, "--no-test"], input=FULL_KEY)
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["accounts", "edit", "Acme", "--live"]).exit_code == 0
    wb = Workbench.connect(account="Acme")
    plan = wb.tags.plan_apply(GROUPS)
    with pytest.raises(WorkbenchError, match=r"plan.run\(confirm_account='Acme'\)"):
        plan.run()
    assert writes(sandbox) == []
    report = plan.run(confirm_account="Acme", progress=False)
    assert set(report["status"]) == {"done"}


def test_a_plan_runs_only_on_the_account_it_was_made_for(
    sandbox_factory: Callable[..., SandboxServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sandbox_factory(db_path=tmp_path / "a.sqlite3")
    other = sandbox_factory(db_path=tmp_path / "b.sqlite3")
    plan = env_workbench(first, monkeypatch, live=False).profiles.plan_import(PEOPLE)
    elsewhere = env_workbench(other, monkeypatch, live=False)
    moved = replace(plan, connection=elsewhere.connection)  # e.g. a plan object handed to another workbench
    with pytest.raises(WorkbenchError, match="Nothing was sent") as refused:
        moved.run(progress=False)
    assert first.config.account_id in str(refused.value) and other.config.account_id in str(refused.value)
    tag_plan = env_workbench(first, monkeypatch, live=False).tags.plan_apply(GROUPS)
    with pytest.raises(WorkbenchError, match="Nothing was sent"):
        replace(tag_plan, connection=elsewhere.connection).run(progress=False)
    assert writes(other) == []


def test_tags_plan_then_run(sandbox: SandboxServer, wb: Workbench) -> None:
    plan = wb.tags.plan_apply(GROUPS)
    assert isinstance(plan, TagPlan)
    assert plan.counts == {"create": 2}
    page = plan._repr_html_()
    assert "Tags to create" in page
    assert writes(sandbox) == []
    lines: list[str] = []
    report = plan.run(progress=lambda _share, text: lines.append(text))
    assert list(report["status"]) == ["done", "done"] and report.attrs["counts"]["done"] == 2
    assert any("<Winter>" in line for line in lines)
    again = wb.tags.plan_apply(GROUPS)
    assert again.counts == {"unchanged": 2} and "nothing" in repr(again)


def test_tag_tables_that_are_not_tags_are_explained(wb: Workbench) -> None:
    with pytest.raises(WorkbenchError, match="--property"):
        wb.tags.plan_apply(pd.DataFrame({"email": ["a@example.com"], "label": ["vip"]}))
    with pytest.raises(WorkbenchError, match="What to do"):
        wb.tags.plan_apply(pd.DataFrame({"colour": ["red"]}))


def test_an_interrupted_run_resumes_without_losing_rows(sandbox: SandboxServer, wb: Workbench) -> None:
    plan = wb.profiles.plan_import(PEOPLE)

    def interrupt(_share: float, text: str) -> None:
        if text.startswith("Sent"):
            raise KeyboardInterrupt  # what Ctrl-C (Jupyter's "interrupt the kernel") raises mid-run

    with pytest.raises(WorkbenchError, match=r"resume=True"):
        plan.run(progress=interrupt)
    with pytest.raises(WorkbenchError, match=r"resume=True"):
        plan.run(progress=False)  # not silently started over
    report = plan.run(resume=True, progress=False)
    assert list(report["status"]) == ["imported", "rejected", "imported"]


def test_consent_is_per_row_when_the_frame_says_so(wb: Workbench) -> None:
    data = pd.DataFrame({"email": ["a@example.com", "b@example.com"], "Accepts Email Marketing": ["yes", "no"]})
    plan = wb.profiles.plan_import(data, subscribe="email")
    assert "1 of 2 rows will be subscribed to email" in plan._repr_html_()
    report = plan.run(progress=False)
    assert list(report["subscribed"]) == ["email", ""]
