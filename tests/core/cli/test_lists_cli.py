"""`python -m klaviyo_core lists` against a real sandbox (CliRunner, in process): counts kept with their age,
one list with its members and a server-side search, and `lists create` as a confirmed LIVE write."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result

from klaviyo_core.cli import app
from klaviyo_sandbox import SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import FULL_KEY
from tests.core.cli.test_live_writes_cli import live, writes
from tests.memory_keyring import memory_keyring, wb_home

__all__ = ["live", "memory_keyring", "wb_home"]  # fixtures used by name below

runner = CliRunner()


def _run(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    return runner.invoke(app, ["--base-url", sandbox.url, "lists", *args])


def test_lists_counts_then_keeps_them(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_demo(sandbox.app.store, profiles=60)
    plain = _run(sandbox, monkeypatch)
    assert plain.exit_code == 0, plain.output
    assert "members: ?" in plain.output and "add --count" in plain.output
    counted = _run(sandbox, monkeypatch, "--count")
    assert counted.exit_code == 0 and "members: ?" not in counted.output
    assert "counted just now" in counted.output and "single_opt_in" in counted.output
    kept = _run(sandbox, monkeypatch)
    assert "members: ?" not in kept.output
    segments = _run(sandbox, monkeypatch, "--segments", "--count")
    assert segments.exit_code == 0 and "VIP customers" in segments.output and "active" in segments.output
    assert FULL_KEY not in plain.output + counted.output + segments.output


def test_show_members_and_search(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_demo(sandbox.app.store, profiles=60)
    shown = _run(sandbox, monkeypatch, "show", "vip customers", "--segment", "--members")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith("Segment VIP customers") and "members: " in lines[1]
    count = int(lines[1].split("members: ")[1].split(" ")[0].replace(",", ""))
    rows = [line for line in lines[2:] if "\t" in line]
    assert len(rows) == count and count > 0
    email = rows[0].split("\t")[0]
    found = _run(sandbox, monkeypatch, "show", "VIP customers", "--segment", "--search", email)
    assert found.exit_code == 0 and next(line for line in found.output.splitlines() if "\t" in line).startswith(email)
    first_list = _run(sandbox, monkeypatch).output.splitlines()[0].split("\t")[0]
    partial = _run(sandbox, monkeypatch, "show", first_list, "--search", "gmail")
    assert partial.exit_code == 2 and "whole email" in partial.output
    unknown = _run(sandbox, monkeypatch, "show", "No such list")
    assert unknown.exit_code == 2 and "No list named" in unknown.output


def test_create_a_list(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _run(sandbox, monkeypatch, "create", "Spring launch", "--opt-in", "double_opt_in")
    assert made.exit_code == 0 and "Created list Spring launch" in made.output, made.output
    shown = _run(sandbox, monkeypatch, "show", "spring launch")
    assert "opt-in: double_opt_in" in shown.output and "members: 0" in shown.output
    bad = _run(sandbox, monkeypatch, "create", "x", "--opt-in", "triple")
    assert bad.exit_code == 2 and "--opt-in is one of" in bad.output


def test_live_create_needs_confirm_account(live: SandboxServer) -> None:
    args = ["--account", "Acme Live", "lists", "create", "Spring"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and '--confirm-account "Acme Live"' in refused.output, refused.output
    assert writes(live) == []
    done = runner.invoke(app, [*args, "--confirm-account", "Acme Live"])
    assert done.exit_code == 0, done.output
    assert writes(live) == ["/api/lists"]
