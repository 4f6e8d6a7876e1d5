"""`profiles import` in steps (mapping, options, the run): each step turns its own bad input into exit 2.

Why: `import_command` was one 66-line function; its steps are now functions of their own, tested one by one
here, while tests/contract/test_import_cli.py keeps covering the command end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from klaviyo_core.cli.common import ExitCode
from klaviyo_core.cli.profiles import _chosen_mapping, _import_options, _run, _RunSettings
from klaviyo_core.profiles import MappingStore


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("Email,First\nada@example.com,Ada\nbob@example.com,Bob\n", encoding="utf-8")
    return path


def test_bad_row_options_exit_2_saying_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited:
        _import_options("US", "middle", None, None, True, "skip-field", "auto")
    assert exited.value.exit_code == ExitCode.BAD_INPUT
    assert "keep must be" in capsys.readouterr().err
    with pytest.raises(typer.Exit) as exited:
        _import_options("US", "last", None, "email,fax", True, "skip-field", "auto")
    assert exited.value.exit_code == ExitCode.BAD_INPUT
    assert "fax" in capsys.readouterr().err


def test_good_row_options_are_normalised() -> None:
    options = _import_options("US", "first", "Y6nRLr", "Email, sms,email", False, " Reject-Row ", "comma")
    assert (options.keep, options.list_id, options.subscribe) == ("first", "Y6nRLr", ("email", "sms"))
    assert (options.on_bad_field, options.decimal, options.dry_run) == ("reject-row", "comma", False)


def test_a_map_naming_a_missing_column_exits_2_and_saves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit) as exited:
        _chosen_mapping(_csv(tmp_path), None, ["Mail=email"], "mine", tmp_path / "data")
    assert exited.value.exit_code == ExitCode.BAD_INPUT
    assert "'Mail'" in capsys.readouterr().err
    assert MappingStore(tmp_path / "data").names() == []


def test_the_chosen_mapping_is_saved_under_its_name(tmp_path: Path) -> None:
    chosen = _chosen_mapping(_csv(tmp_path), None, ["First=first_name"], "mine", tmp_path / "data")
    assert MappingStore(tmp_path / "data").names() == ["mine"]
    assert chosen == MappingStore(tmp_path / "data").load("mine")


def test_a_dry_run_needs_no_account(tmp_path: Path) -> None:
    file = _csv(tmp_path)
    chosen = _chosen_mapping(file, None, [], None, tmp_path / "data")
    options = _import_options("US", "last", None, None, True, "skip-field", "auto")
    settings = _RunSettings(tmp_path / "data", tmp_path / "report.csv", False, False, 60.0, True, False)
    result = _run(file, chosen, options, settings, None, "Newsletter")
    assert result.total == 2 and result.counts["valid"] == 2
    assert result.report_path == tmp_path / "report.csv"
