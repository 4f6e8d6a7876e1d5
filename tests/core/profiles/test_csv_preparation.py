"""Pass one (validate, de-duplicate, plan) and the report, without any network."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from klaviyo_core.profiles import scan as prep_scan
from klaviyo_core.profiles.checkpoint import Checkpoint, Workspace
from klaviyo_core.profiles.jobs import Limits, job_body, job_bytes, read_chunk_lines
from klaviyo_core.profiles.mapping import ColumnMapping, suggest_mapping
from klaviyo_core.profiles.prepare import prepare
from klaviyo_core.profiles.report import neutralise, write_report
from klaviyo_core.profiles.validate import ValidationOptions

CSV = (
    "Email,First Name,Phone,Points\n"
    "ann@example.com,Ann,,1\n"  # 2
    "bad@,Bob,,2\n"  # 3
    "ANN@example.com,Ann2,,3\n"  # 4: duplicate of 2
    'cy@example.com,=HYPERLINK("x"),,4\n'  # 5
    "dee@example.com,Dee,,five\n"  # 6: bad number
    "eve@example.com,Eve,+1 415 555 0100,6,extra\n"  # 7: ragged
    ",,,\n"  # 8: empty
    '"fay@example.com","Fay\nMultiline",,7\n'  # 9-10
    "gus@example.com,Gus,,8\n"  # 11
)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _prepare(sample: Path, tmp_path: Path, keep: str = "last", limits: Limits | None = None):  # type: ignore[no-untyped-def]
    mapping = suggest_mapping(["Email", "First Name", "Phone", "Points"])
    mapping = mapping.with_overrides({"Points": ColumnMapping("Points", "properties.points", "number")})
    ws = Workspace(tmp_path / "data", "t1")
    # strict rows (the rows a bad optional cell rejects); the default, leaving the field out, is tested below
    options = ValidationOptions(keep=keep, on_bad_field="reject-row")
    return prepare(sample, mapping, options, ws.dir, limits), ws


def _report(sample: Path, ws: Workspace, prepared, tmp_path: Path, dry_run: bool = True) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    cp = Checkpoint("t1", str(sample), "fp", [], {}, chunks=prepared.chunks)
    out = tmp_path / "report.csv"
    counts = write_report(sample, ws, cp, out, dry_run=dry_run)
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(counts.values()) == len(rows) == prepared.counts["rows"]
    return rows


def test_every_row_accounted_for_once(sample: Path, tmp_path: Path) -> None:
    prepared, ws = _prepare(sample, tmp_path)
    assert prepared.counts == {
        "rows": 9,
        "valid": 5,
        "rejected": 4,
        "skipped_duplicate": 1,
        "to_send": 4,
        "jobs": 1,
        "warned": 0,
        "reachable_email": 4,  # sent rows a file-wide email consent tick would cover
        "reachable_sms": 0,
    }
    rows = _report(sample, ws, prepared, tmp_path)
    by_row = {int(r["row"]): r for r in rows}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert by_row[2]["status"] == "skipped_duplicate" and "same person as line 4" in by_row[2]["reason"]
    assert by_row[4]["status"] == "valid"
    assert by_row[3]["status"] == "rejected" and "column 'Email' value 'bad@'" in by_row[3]["reason"]
    assert "not a number" in by_row[6]["reason"]
    assert "line 7 has 5 cells" in by_row[7]["reason"] and by_row[7]["Email"] == "eve@example.com"
    assert by_row[8]["reason"] == "the row is empty"
    assert by_row[9]["First Name"] == "Fay\nMultiline"
    assert by_row[5]["First Name"].startswith("'=HYPERLINK")  # neutralised


def test_first_wins(sample: Path, tmp_path: Path) -> None:
    prepared, ws = _prepare(sample, tmp_path, keep="first")
    by_row = {int(r["row"]): r for r in _report(sample, ws, prepared, tmp_path)}
    assert by_row[2]["status"] == "valid" and by_row[4]["status"] == "skipped_duplicate"


def test_chunks_by_count_and_bytes(sample: Path, tmp_path: Path) -> None:
    prepared, ws = _prepare(sample, tmp_path, limits=Limits(profiles_per_job=3))
    assert [c.rows for c in prepared.chunks] == [3, 1]
    assert read_chunk_lines(ws.send_path, prepared.chunks[0])[0] == [5, 9, 11]  # people who appear once
    lines, profiles = read_chunk_lines(ws.send_path, prepared.chunks[1])  # repeated people go last
    assert lines == [4] and json.loads(profiles[0])["attributes"]["email"] == "ANN@example.com"
    small, _ = _prepare(sample, tmp_path, limits=Limits(job_bytes=200))
    assert all(c.size <= 200 for c in small.chunks) and sum(c.rows for c in small.chunks) == 4
    body = job_body(profiles, "LIST01")
    assert body["data"]["relationships"] == {"lists": {"data": [{"type": "list", "id": "LIST01"}]}}
    assert body["data"]["attributes"]["profiles"]["data"][0]["type"] == "profile"


def test_job_bytes_is_job_body_encoded(sample: Path, tmp_path: Path) -> None:
    prepared, ws = _prepare(sample, tmp_path)
    _, profiles = read_chunk_lines(ws.send_path, prepared.chunks[0])
    for list_id in ("LIST01", None):
        sent = job_bytes(profiles, list_id)
        assert json.loads(sent) == job_body(profiles, list_id)
        assert sent.isascii()


def test_process_pool_writes_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["Email,First Name,Phone,Points"]
    for i in range(300):
        email = f"p{i % 250}@example.com" if i % 37 else f"broken{i}@"
        phone = "+1 415 555 0100" if i % 5 == 0 else ("12" if i % 41 == 0 else "")
        lines.append(f"{email},N{i},{phone},{'x' if i % 53 == 0 else i}" + (",extra" if i % 61 == 0 else ""))
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n,,,\n", encoding="utf-8")
    monkeypatch.setattr(prep_scan, "SCAN_CHUNK_ROWS", 40)  # 8 chunks
    mapping = suggest_mapping(["Email", "First Name", "Phone", "Points"])
    outputs = []
    for workers in (1, 2):
        ws = Workspace(tmp_path / f"data{workers}", "t1")
        prepared = prepare(path, mapping, ValidationOptions(), ws.dir, Limits(profiles_per_job=30), workers=workers)
        outputs.append((prepared, ws.send_path.read_bytes(), ws.rejected_path.read_bytes()))
    (inline, send1, rejected1), (pooled, send2, rejected2) = outputs
    assert pooled.counts == inline.counts and pooled.chunks == inline.chunks
    assert send2 == send1 and rejected2 == rejected1
    assert inline.counts["rows"] == 301 and inline.counts["rejected"] > 0 and inline.counts["skipped_duplicate"] > 0


def test_oversize_profile_rejected_before_sending(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    # two cells that each fit, a profile that does not (one cell too big for any profile is left out instead)
    cells = "x" * 50_000 + "," + "y" * 50_000
    path.write_text("email,notes,more\na@example.com," + cells + "\nb@example.com,ok,\n", encoding="utf-8")
    ws = Workspace(tmp_path / "data", "big")
    prepared = prepare(path, suggest_mapping(["email", "notes", "more"]), ValidationOptions(), ws.dir)
    assert prepared.counts["to_send"] == 1
    rows = _report(path, ws, prepared, tmp_path)
    assert "100 KB" in rows[0]["reason"]


def test_neutralise() -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": ["=1+1", "+1 415", "-x", "@SUM", "\tx", "ok", "a=b"]})
    assert neutralise(frame)["a"].tolist() == ["'=1+1", "'+1 415", "'-x", "'@SUM", "'\tx", "ok", "a=b"]


def test_problem_summaries(sample: Path, tmp_path: Path) -> None:
    from klaviyo_core.profiles.report import problem_rows, top_problems

    prepared, ws = _prepare(sample, tmp_path)
    _report(sample, ws, prepared, tmp_path)
    rows = problem_rows(tmp_path / "report.csv")
    assert sorted(rows["row"].astype(int)) == [2, 3, 6, 7, 8]
    top = top_problems(tmp_path / "report.csv")
    assert top["rows"].sum() == 5 and "problem" in top.columns


def test_top_problems_group_one_kind_of_problem_whatever_the_values(tmp_path: Path) -> None:
    """Issue 13 item 8: 141 identical Klaviyo refusals showed as ten one-row entries (grouped by text)."""
    from klaviyo_core.profiles.report import top_problems

    lines = ["row,email,status,reason"]
    for i in range(12):
        lines.append(
            f"{i + 2},x{i}@ex.com,rejected_by_klaviyo,\"Klaviyo: Invalid input. Invalid email address: 'x{i}@ex.com'.\""
        )
    lines.append("20,bad@,rejected,column 'Email' value 'bad@' is not a valid email address")
    lines.append("21,b2@,rejected,column 'Email' value 'b2@' is not a valid email address")
    lines.append("22,+1,rejected,column 'Phone' value '+1' is not a valid phone number for US")
    lines.append(
        '23,a@ex.com,skipped_duplicate,"the same person as line 4, which is imported instead (the last row wins)"'
    )
    lines.append("24,c@ex.com,imported,")
    report = tmp_path / "report.csv"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    top = top_problems(report)
    assert top["rows"].tolist() == [12, 2, 1, 1]
    assert top.iloc[0]["outcome"] == "refused by Klaviyo" and top.iloc[0]["example row"] == "2"
    assert "x0@ex.com" not in top.iloc[0]["problem"] and "Invalid email address" in top.iloc[0]["problem"]
    assert top.iloc[1]["problem"] == "column 'Email' is not a valid email address"
    assert "column 'Phone'" in top.iloc[2]["problem"]
