"""`guard()`, the CLI's one catch-all: failures are explained with an exit code, exits pass through untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.cli.common import ExitCode, guard
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY


def test_a_bug_becomes_an_explained_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited, guard():
        raise KeyError("data")
    assert exited.value.exit_code == ExitCode.BAD_INPUT
    assert "Error: Unexpected problem: KeyError: 'data'" in capsys.readouterr().err


def test_an_exit_inside_passes_through_unexplained(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited, guard():
        raise typer.Exit(ExitCode.PARTIAL)
    assert exited.value.exit_code == ExitCode.PARTIAL
    assert capsys.readouterr().err == ""


def test_unknown_metric_is_a_usage_error_said_once(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """fail_usage() inside the guarded block exits 2 with its own message (it used to be re-explained as an
    'Unexpected problem: Exit')."""
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    args = ["--base-url", sandbox.url, "metrics", "query", "--metric", "Nope", "--from", "2026-06-01"]
    result = CliRunner().invoke(app, [*args, "--to", "2026-06-02"])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "No metric named or with id 'Nope'" in result.output
    assert "Unexpected problem" not in result.output


def test_a_bug_while_applying_tags_is_explained_not_per_row(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setattr(KlaviyoClient, "post", lambda self, path, body: {})  # an answer without `data`: a bug
    path = tmp_path / "tags.csv"
    path.write_text("tag_group,tag,exclusive\nBug hunt,Found,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--base-url", sandbox.url, "tags", "import", str(path)])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "Unexpected problem: KeyError: 'data'" in result.output
    assert "could not be created" not in result.output and "Traceback" not in result.output
