"""`python -m klaviyo_core events ...` against a real sandbox (typer's CliRunner, env key)."""

from __future__ import annotations

import importlib
import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.accounts.store import ENV_ACCOUNT_NAME
from klaviyo_core.cli import app
from klaviyo_core.cli.common import confirm_option
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path))


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)


def run(sandbox: SandboxServer, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--base-url", sandbox.url, "events", *args])


def test_dry_run_prints_the_preview_and_sends_nothing(sandbox: SandboxServer, env: None) -> None:
    result = run(sandbox, "send", "--template", "Placed Order", "--email", "a@example.com", "--dry-run")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["method"] == "POST" and shown["url"] == f"{sandbox.url}/api/events"
    assert shown["body"]["data"]["attributes"]["metric"]["data"]["attributes"]["name"] == "Placed Order"
    assert FULL_KEY not in result.output and "$KLAVIYO_API_KEY" in shown["curl"]
    assert [r for r in sandbox.app.log if r["path"] == "/api/events"] == []


def test_send_with_properties_and_value(sandbox: SandboxServer, env: None, tmp_path: Path) -> None:
    props = tmp_path / "props.json"
    props.write_text('{"QuizName": "Scent", "Score": 8}')
    result = run(
        sandbox, "send", "--metric", "Completed Quiz", "--email", "a@example.com",
        "--properties-file", str(props), "--value", "3", "--time", "2026-11-01T10:00:00+01:00", "--unique-id", "q-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "stored as event" in result.stdout and "Completed Quiz" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["send", "--email", "a@example.com"],
        ["send", "--metric", "X"],
        ["send", "--metric", "X", "--email", "a@example.com", "--properties", '{"a": }'],
        ["send", "--metric", "X", "--phone", "555"],
        ["send", "--template", "Bought a Boat", "--email", "a@example.com"],
        ["send", "--metric", "X", "--email", "a@example.com", "--time", "soon"],
    ],
)
def test_bad_input_exits_2(sandbox: SandboxServer, env: None, args: list[str]) -> None:
    result = run(sandbox, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_api_failure_exits_3(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", "pk_test_unknown_key_00000000000")
    result = run(sandbox, "send", "--metric", "X", "--email", "a@example.com")
    assert result.exit_code == 3, result.output
    assert "What to do" in result.output


def test_templates_and_bulk(sandbox: SandboxServer, env: None, tmp_path: Path) -> None:
    listed = run(sandbox, "templates")
    assert listed.exit_code == 0 and "Subscribed to Back in Stock" in listed.stdout
    bulk = run(sandbox, "bulk", "--template", "Viewed Product", "--count", "12", "--base-email", "qa@example.com")
    assert bulk.exit_code == 0, bulk.output
    assert "12 events accepted in 1 request(s)" in bulk.stdout
    csv_file = tmp_path / "events.csv"
    csv_file.write_text("metric,email\nPlaced Order,a@example.com\nPlaced Order,\n")
    bad = run(sandbox, "bulk", "--csv", str(csv_file))
    assert bad.exit_code == 2 and "Row 2" in bad.output


def test_live_send_without_confirmation_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", "pk_test_not_a_real_key_0000000000")
    result = runner.invoke(app, ["events", "send", "--metric", "X", "--email", "a@example.com"])
    assert result.exit_code == 2, result.output
    assert "LIVE" in result.output and "--confirm-account" in result.output
    wrong = ["events", "send", "--metric", "X", "--email", "a@example.com", "--confirm-account", "Acme"]
    assert runner.invoke(app, wrong).exit_code == 2


@pytest.fixture
def live_sandbox(sandbox: SandboxServer, env: None, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    """The test's sandbox, marked LIVE by the user (KLAVIYO_LIVE=1 marks the environment account)."""
    monkeypatch.setenv("KLAVIYO_LIVE", "1")
    return sandbox


def posted(sandbox: SandboxServer, path: str) -> int:
    return sum(1 for r in sandbox.app.log if r["path"] == path and r["method"] == "POST")


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (["send", "--metric", "Checked Out", "--email", "me+klaviyo-test@example.com"], "/api/events"),
        (["bulk", "--template", "Viewed Product", "--count", "2"], "/api/event-bulk-create-jobs"),
    ],
)
def test_env_key_live_send_names_what_to_type_and_accepts_exactly_that(
    live_sandbox: SandboxServer, command: list[str], path: str
) -> None:
    refused = run(live_sandbox, *command)
    assert refused.exit_code == 2, refused.output
    hint = f'--confirm-account "{ENV_ACCOUNT_NAME}"'
    assert hint in refused.output and "KLAVIYO_API_KEY (environment)" in hint
    pasted_key = "pk_live_pasted_by_mistake_000000000"
    for wrong in ("KLAVIYO_API_KEY", "klaviyo_api_key (environment)", "Acme", pasted_key):
        result = run(live_sandbox, *command, "--confirm-account", wrong)
        assert result.exit_code == 2 and "does not match" in result.output and pasted_key not in result.output
    assert posted(live_sandbox, path) == 0  # nothing left before the right name
    pasted = shlex.split(hint)  # what a shell makes of the hint as printed
    accepted = run(live_sandbox, *command, *pasted)
    assert accepted.exit_code == 0, accepted.output
    assert posted(live_sandbox, path) == 1
    assert "read-back: not checked (LIVE account)" in accepted.stdout or "events accepted" in accepted.stdout


def test_proxy_url_is_treated_as_live(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this machine is a sandbox: a key sent through a proxy in front of Klaviyo asks for the name too."""
    monkeypatch.setenv("KLAVIYO_API_KEY", "pk_test_not_a_real_key_0000000000")
    args = ["--base-url", "https://klaviyo-proxy.invalid", "--allow-host", "events", "send"]
    args += ["--metric", "X", "--email", "a@b.co"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "LIVE" in result.output, result.output


@pytest.mark.parametrize("name", [ENV_ACCOUNT_NAME, "Acme Store", 'Bob\'s "best" $hop', "back\\slash!"])
def test_confirm_option_survives_a_shell(name: str) -> None:
    assert shlex.split(confirm_option(name)) == ["--confirm-account", name]


def test_an_unexpected_failure_of_a_send_is_explained_not_a_traceback(
    sandbox: SandboxServer, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`events send` runs through common.confirmed_write: a bug inside the write exits 2 with words."""
    sending = importlib.import_module("klaviyo_core.events.send")  # the module: the façade's `send` is a function

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("data")  # an answer without `data`: a bug, not an API refusal

    monkeypatch.setattr(sending, "find_stored", broken)
    result = run(sandbox, "send", "--template", "Placed Order", "--email", "a@example.com")
    assert result.exit_code == 2, result.output
    assert "Error: Unexpected problem: KeyError: 'data'" in result.output
    assert "What to do:" in result.output and "Traceback" not in result.output
