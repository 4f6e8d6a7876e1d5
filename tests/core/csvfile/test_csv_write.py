"""The one CSV writer (issue 14 item 4): every file the workbench writes is read back with `csv.reader` with
the same number of rows, and no cell starts with a formula character."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.csvfile import csv_text, frame_csv
from klaviyo_core.csvfile.write import FORMULA_FIRST, neutralise, quote_cells
from klaviyo_core.metrics import to_csv
from klaviyo_core.profiles import problem_rows
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1+1", "\n=2+2", 'say "hi", =x']


def _read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _assert_safe(rows: list[list[str]], expected_rows: int) -> None:
    assert len(rows) == expected_rows
    for row in rows:
        for cell in row:
            assert not (cell and cell[0] in FORMULA_FIRST), (cell, row)


def test_neutralise_and_quote() -> None:
    assert [neutralise(c) for c in HOSTILE[:7]] == ["'" + c for c in HOSTILE[:7]]
    assert neutralise("a=b") == "a=b" and neutralise("") == ""
    assert quote_cells(["a", "'\r=1"]) == 'a,"\'\r=1"'  # csv.writer(lineterminator="\n") leaves the CR bare
    _assert_safe(_read_back(csv_text([["h1", "h2"], *[[c, c] for c in HOSTILE]])), len(HOSTILE) + 1)


@pytest.mark.parametrize("cell", ["+15551234567", "-12.5", "-12.50", "+3,5", "42", "-0"])
def test_a_plain_number_is_left_as_it_is(cell: str) -> None:
    """Issue 18: a phone or a negative amount cannot run as a formula; ad platforms reject `'+1555...`."""
    assert neutralise(cell) == cell
    assert _read_back(csv_text([["phone_number"], [cell]]))[1] == [cell]
    assert _read_back(frame_csv(pd.DataFrame({"p": [cell]})))[1] == [cell]


@pytest.mark.parametrize(
    "cell", ["+1+cmd|' /C calc'!A0", "-2+3", "=1+1", "@SUM(A1)", "+1555 123", "+1.2.3", "-1.", "+.5", "+", "-", "+١٢"]
)
def test_anything_else_starting_with_a_trigger_is_still_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


def test_the_profile_report_keeps_plain_numbers_and_neutralises_the_rest(tmp_path: Path) -> None:
    """The report's vectorised path follows the same rule as the one writer (plain lines and quoted lines)."""
    source = tmp_path / "phones.csv"
    source.write_text(
        "Email,Phone,Note\n"
        "a@example.com,+15551234567,-12.50\n"
        "b@example.com,+1+cmd|x,-2+3\n"
        'c@example.com,+15551234568,"-3,5"\n',
        encoding="utf-8",
    )
    report = tmp_path / "dry.csv"
    args = ["profiles", "import", str(source), "--dry-run", "--report", str(report), "--data-dir", str(tmp_path / "d")]
    result = CliRunner().invoke(app, [*args, "-q"], env={"KLAVIYO_API_KEY": ""})
    assert result.exit_code in (0, 1), result.output
    back = _read_back(report.read_bytes().decode("utf-8-sig"))
    assert [row[2:4] for row in back[1:]] == [
        ["+15551234567", "-12.50"],
        ["'+1+cmd|x", "'-2+3"],
        ["+15551234568", "-3,5"],
    ]


def test_profile_report_and_first_job_read_back(tmp_path: Path) -> None:
    source = tmp_path / "hostile.csv"
    rows = [f'user{i}@example.com,"{c.replace(chr(34), chr(34) * 2)}",{i}' for i, c in enumerate(HOSTILE)]
    source.write_text('Email,"=cmd|x",Points\n' + "\n".join(rows) + "\n", encoding="utf-8", newline="")
    report = tmp_path / "dry.csv"
    args = ["profiles", "import", str(source), "--dry-run", "--report", str(report), "--data-dir", str(tmp_path / "d")]
    result = CliRunner().invoke(app, [*args, "-q"], env={"KLAVIYO_API_KEY": ""})
    assert result.exit_code == 0, result.output
    back = _read_back(report.read_bytes().decode("utf-8-sig"))
    _assert_safe(back, len(HOSTILE) + 1)
    assert back[0][2] == "'=cmd|x" and back[6][2] == "'\r=1+1"  # the CR-then-= cell: neutralised, one row
    problems = frame_csv(problem_rows(report))  # the page's "Download problem rows"
    _assert_safe(_read_back(problems), 1)


def test_tag_report_reads_back(sandbox: SandboxServer, tmp_path: Path) -> None:
    source = tmp_path / "tags.csv"
    source.write_text("tag_group,tag,exclusive\n" + "".join(f'Chan,"{c}",\n' for c in HOSTILE[:5]), encoding="utf-8")
    report = tmp_path / "tags-report.csv"
    args = ["--base-url", sandbox.url, "tags", "import", str(source), "--dry-run", "--report", str(report)]
    result = CliRunner().invoke(app, args, env={"KLAVIYO_API_KEY": FULL_KEY})
    assert result.exit_code in (0, 1), result.output
    _assert_safe(_read_back(report.read_bytes().decode("utf-8")), 6)


def test_metrics_csv_reads_back() -> None:
    frame = pd.DataFrame({"date": [pd.Timestamp("2026-03-08", tz="UTC")] * len(HOSTILE), "by": HOSTILE})
    frame["count"] = [-1.0, *range(len(HOSTILE) - 1)]
    text = to_csv(frame)
    _assert_safe(_read_back(text.replace(",-1.0\n", ",0\n")), len(HOSTILE) + 1)
    assert ",-1.0\n" in text  # a number is not a formula: it stays a number


@pytest.mark.parametrize("cell", HOSTILE)
def test_frame_csv_one_row_per_row(cell: str) -> None:
    _assert_safe(_read_back(frame_csv(pd.DataFrame({cell: [cell, None]}))), 3)
