"""Every LIVE write in the CLI refuses without `--confirm-account NAME` (exit 2, nothing sent, the exact option
shown) and runs with it; a resume on another account is refused naming both (exit 2).

The "LIVE" account is a loopback sandbox the user marked LIVE (`accounts edit --live`, or KLAVIYO_LIVE=1 for
the environment key): never a real host."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.profiles import ImportOptions, ImportStopped, Progress, import_profiles
from klaviyo_core.profiles.jobs import Limits
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.contract.test_import_profiles import client_for, mapping_for, write_people
from tests.memory_keyring import MemoryKeyring, memory_keyring, wb_home

__all__ = ["memory_keyring", "wb_home"]  # fixtures used by name below

runner = CliRunner()
GROUPS = "tag_group,tag,exclusive\nChannel,Email,\nChannel,SMS,\n"
LABELS = "email,label\nann@example.com,vip\n"


def writes(server: SandboxServer) -> list[str]:
    """The writes that reached the sandbox (any method but GET)."""
    return [r["path"] for r in server.app.log if r["method"] not in ("GET", "HEAD") and r["path"].startswith("/api")]


@pytest.fixture
def live(sandbox: SandboxServer, memory_keyring: MemoryKeyring) -> SandboxServer:
    """A saved account 'Acme Live' on the sandbox, marked LIVE by the user."""
    added = runner.invoke(app, ["accounts", "add", "Acme Live", "--base-url", sandbox.url, "--no-test"], input=FULL_KEY)
    assert added.exit_code == 0, added.output
    marked = runner.invoke(app, ["accounts", "edit", "Acme Live", "--live"])
    assert marked.exit_code == 0 and "is LIVE" in marked.output, marked.output
    return sandbox


def _file(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


@pytest.mark.parametrize(
    "command",
    [
        ["profiles", "import", "{people}", "-q"],
        ["tags", "import", "{groups}"],
        ["tags", "import", "{labels}", "--property", "segment"],
        ["events", "send", "--metric", "Checked Out", "--email", "me+klaviyo-test@example.com"],
        ["events", "bulk", "--template", "Viewed Product", "--count", "2"],
    ],
)
def test_every_live_write_needs_confirm_account(live: SandboxServer, tmp_path: Path, command: list[str]) -> None:
    files = {
        "{people}": str(write_people(tmp_path / "p.csv", 5)),
        "{groups}": _file(tmp_path, "g.csv", GROUPS),
        "{labels}": _file(tmp_path, "l.csv", LABELS),
    }
    args = ["--account", "Acme Live", *[files.get(a, a) for a in command]]
    if command[0] == "profiles":
        args += ["--data-dir", str(tmp_path / "data")]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2, refused.output
    assert '--confirm-account "Acme Live"' in refused.output and "LIVE" in refused.output
    wrong = runner.invoke(app, [*args, "--confirm-account", "Acme"])
    assert wrong.exit_code == 2 and "does not match" in wrong.output
    assert writes(live) == []  # nothing sent before the right name
    done = runner.invoke(app, [*args, "--confirm-account", "Acme Live"])
    assert done.exit_code == 0, done.output
    assert writes(live)


@pytest.mark.parametrize(
    ("command", "module", "writer"),
    [
        (["profiles", "import", "{people}", "-q"], "klaviyo_core.cli.profiles", "import_profiles"),
        (["tags", "import", "{labels}", "--property", "segment"], "klaviyo_core.cli.tags", "send_labels"),
    ],
)
def test_a_bug_inside_a_confirmed_write_is_explained_not_a_traceback(
    live: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], module: str, writer: str
) -> None:
    """These writers run through common.confirmed_write: past the confirmation, any failure gets words."""

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("data")  # an answer without `data`: a bug, not an API refusal

    monkeypatch.setattr(importlib.import_module(module), writer, broken)
    files = {"{people}": str(write_people(tmp_path / "p.csv", 5)), "{labels}": _file(tmp_path, "l.csv", LABELS)}
    args = ["--account", "Acme Live", *[files.get(a, a) for a in command], "--confirm-account", "Acme Live"]
    if command[0] == "profiles":
        args += ["--data-dir", str(tmp_path / "data")]
    failed = runner.invoke(app, args)
    assert failed.exit_code == 2, failed.output
    assert "Error: Unexpected problem: KeyError: 'data'" in failed.output and "What to do:" in failed.output
    assert failed.exception is None or isinstance(failed.exception, SystemExit)


def test_an_unmarked_loopback_account_needs_no_confirmation(
    sandbox: SandboxServer, memory_keyring: MemoryKeyring
) -> None:
    runner.invoke(app, ["accounts", "add", "Local", "--base-url", sandbox.url, "--no-test"], input=FULL_KEY)
    sent = runner.invoke(app, ["--account", "Local", "events", "send", "--metric", "X", "--email", "a@example.com"])
    assert sent.exit_code == 0, sent.output


def test_resume_on_another_account_exits_2_naming_both(
    sandbox_factory: Callable[..., SandboxServer], tmp_path: Path, wb_home: Path
) -> None:
    first = sandbox_factory(db_path=tmp_path / "x.sqlite3")
    other = sandbox_factory(db_path=tmp_path / "y.sqlite3")
    path, data = write_people(tmp_path / "p.csv", 30), tmp_path / "data"
    stop = threading.Event()

    def stop_after_one(p: Progress) -> None:
        if p.jobs_submitted >= 1:
            stop.set()

    with pytest.raises(ImportStopped):
        import_profiles(
            client_for(first),
            path,
            mapping_for(path),
            ImportOptions(),
            data_dir=data,
            on_progress=stop_after_one,
            stop=stop,
            limits=Limits(profiles_per_job=10),
            poll_interval=0.02,
        )
    before = len(writes(other))
    args = ["--base-url", other.url, "profiles", "import", str(path), "--resume", "--data-dir", str(data), "-q"]
    refused = runner.invoke(app, args, env={"KLAVIYO_API_KEY": FULL_KEY})
    assert refused.exit_code == 2, refused.output
    assert first.config.account_id in refused.output and other.config.account_id in refused.output
    assert "Traceback" not in refused.output and len(writes(other)) == before
