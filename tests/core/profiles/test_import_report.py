"""The result report, byte for byte: a pinned tricky file, and the fast writer against the first writer."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from klaviyo_core.csvfile.reader import CsvReader
from klaviyo_core.csvfile.sniff import CsvError
from klaviyo_core.profiles import report_rows
from klaviyo_core.profiles.checkpoint import Checkpoint, ChunkState, ChunkStatus, Workspace
from klaviyo_core.profiles.report import PENDING_REASON, STATUSES, write_report
from tests.core.profiles import report_oracle

TRICKY = (
    "\ufeffEmail;Name;row;status;Notes\r\n"  # 1: BOM, semicolons, columns named like the report's own
    "ann@example.com;Ann;1;x;plain\r\n"  # 2: skipped duplicate of 13
    'bob@example.com;=HYPERLINK("http://x");2;y;-5\r\n'  # 3: formula with quotes, a negative number
    '"cy@example.com";"Cy, Jr.";3;z;"multi\r\nline"\r\n'  # 4-5: quoted newline, a comma inside a cell
    "dee@example.com;Dee;4\r\n"  # 6: ragged, too few cells
    "eve@example.com;Eve;5;a;b;extra\r\n"  # 7: ragged, too many
    ";;;;\r\n"  # 8: empty row
    "\r\n"  # 9: blank line, not a row
    " ; ;;;\r\n"  # 10: blank cells, but a first cell: a row
    ";Fay;6;;\r\n"  # 11: no first cell: a row (rejected, no identifier)
    '"gus@example.com";"Gus"x;7;;\r\n'  # 12: malformed (a stray quote)
    "ANN@example.com;Ann2;8;;+33 1 23\r\n"  # 13: same person as 2
    "hal@example.com;@Hal;9;\t tab;\r\n"  # 14: '@' and tab cells
    'ivy@example.com;Ivy;10;"\rcr";Zoë ünïcode\r\n'  # 15-16: refused by Klaviyo; a quoted CR ends a line
    "jo@example.com;Jo;11;;last\n"  # 17: LF only; its job had not finished
    "kim@example.com;Kim;12;-;+\r"  # 18: CR only
    'lee@example.com;Lee;13;"q""uote";no newline at the end'  # 19
)


def _record_sent(ws: Workspace, lines: list[int]) -> None:
    """send_lines.i64 as the importer leaves it: the line of every sent row, job after job."""
    ws.send_lines_path.parent.mkdir(parents=True, exist_ok=True)
    ws.send_lines_path.write_bytes(np.array(lines, dtype=np.int64).tobytes())


def _jsonl(path: Path, items: list[tuple[int, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row, status, reason in items:
            f.write(json.dumps({"row": row, "status": status, "reason": reason}) + "\n")


def tricky_import(tmp_path: Path) -> tuple[Path, Workspace, Checkpoint]:
    """The tricky file and a workspace as an import would leave it: rejected rows, refused rows, 3 jobs."""
    csv_path = tmp_path / "tricky.csv"
    csv_path.write_bytes(TRICKY.encode("utf-8"))
    ws = Workspace(tmp_path / "data", "tricky")
    rejected = [
        (6, "rejected", "line 6 has 3 cells but the header has 5: check for an unquoted delimiter or a missing quote"),
        (7, "rejected", "line 7 has 6 cells but the header has 5: check for an unquoted delimiter or a missing quote"),
        (8, "rejected", "the row is empty"),
        (10, "rejected", "column 'Email' value ' ' is not an email address"),
        (11, "rejected", "the row has no email, phone number or external id"),
        (12, "rejected", "line 12 is malformed ('\"' expected after '\"'): check the quotes on that line"),
        (2, "skipped_duplicate", "the same person as line 13, which is imported instead (the last row wins)"),
    ]
    _jsonl(ws.rejected_path, rejected)
    refused = [
        (15, "rejected_by_klaviyo", "Klaviyo: Invalid input. first"),
        (4, "rejected_by_klaviyo", "@Klaviyo: a reason that starts like a formula"),
        (15, "rejected_by_klaviyo", 'Klaviyo: Invalid input. Email is not valid, "ivy"; last one wins'),
    ]
    _jsonl(ws.klaviyo_path, refused)
    chunks = [
        ChunkState(0, 0, 2, 100, 3, 4, state=ChunkStatus.COMPLETE, job_id="J1"),
        ChunkState(1, 0, 3, 100, 13, 15, state=ChunkStatus.COMPLETE, job_id="J2"),
        ChunkState(2, 0, 3, 100, 17, 19, state=ChunkStatus.SUBMITTED, job_id="J3"),
    ]
    _record_sent(ws, [3, 4, 13, 14, 15, 17, 18, 19])
    return csv_path, ws, Checkpoint("tricky", str(csv_path), "fp", [], {}, chunks=chunks)


EXPECTED = (
    "row,Email,Name,input row,input status,Notes,status,reason\n"
    '2,ann@example.com,Ann,1,x,plain,skipped_duplicate,"the same person as line 13, which is imported instead '
    '(the last row wins)"\n'
    '3,bob@example.com,"\'=HYPERLINK(""http://x"")",2,y,-5,imported,\n'
    '4,cy@example.com,"Cy, Jr.",3,z,"multi\r\nline",rejected_by_klaviyo,'
    "'@Klaviyo: a reason that starts like a formula\n"
    "6,dee@example.com,Dee,4,,,rejected,line 6 has 3 cells but the header has 5: check for an unquoted delimiter or "
    "a missing quote\n"
    "7,eve@example.com,Eve,5,a,b,rejected,line 7 has 6 cells but the header has 5: check for an unquoted delimiter or "
    "a missing quote\n"
    "8,,,,,,rejected,the row is empty\n"
    "10, , ,,,,rejected,column 'Email' value ' ' is not an email address\n"
    '11,,Fay,6,,,rejected,"the row has no email, phone number or external id"\n'
    '12,,,,,,rejected,"line 12 is malformed (\'""\' expected after \'""\'): check the quotes on that line"\n'
    "13,ANN@example.com,Ann2,8,,'+33 1 23,imported,\n"
    "14,hal@example.com,'@Hal,9,'\t tab,,imported,\n"
    '15,ivy@example.com,Ivy,10,"\'\rcr",Zoë ünïcode,rejected_by_klaviyo,"Klaviyo: Invalid input. Email is not valid, '
    '""ivy""; last one wins"\n'
    "17,jo@example.com,Jo,11,,last,pending,its job had not finished; run the import again with resume\n"
    "18,kim@example.com,Kim,12,'-,'+,pending,its job had not finished; run the import again with resume\n"
    '19,lee@example.com,Lee,13,"q""uote",no newline at the end,pending,its job had not finished; run the import '
    "again with resume\n"
)
# issue 13 item 2: the report gains a `subscribed` column (channels consent was sent for), empty here
EXPECTED = re.sub(r"(?<!\r)\n", ",\n", EXPECTED).replace("reason,\n", "reason,subscribed\n", 1)


def test_tricky_file_report_is_pinned(tmp_path: Path) -> None:
    """The exact bytes the first (pandas) writer wrote for this file; the fast writer must not move one."""
    csv_path, ws, cp = tricky_import(tmp_path)
    out = tmp_path / "report.csv"
    counts = write_report(csv_path, ws, cp, out)
    assert out.read_bytes() == EXPECTED.encode("utf-8-sig")
    assert counts == Counter(rejected=6, imported=3, pending=3, rejected_by_klaviyo=2, skipped_duplicate=1)


def test_tricky_file_dry_run_is_pinned(tmp_path: Path) -> None:
    csv_path, ws, cp = tricky_import(tmp_path)
    out = tmp_path / "report.csv"
    counts = write_report(csv_path, ws, cp, out, dry_run=True)
    expected = EXPECTED.replace(",imported,,\n", ",valid,,\n").replace(f",pending,{PENDING_REASON},\n", ",valid,,\n")
    assert out.read_bytes() == expected.encode("utf-8-sig")
    assert counts == Counter(valid=6, rejected=6, rejected_by_klaviyo=2, skipped_duplicate=1)


def _both(tmp_path: Path, csv_path: Path, ws: Workspace, cp: Checkpoint, dry_run: bool = False) -> bytes:
    """The fast writer's report, after checking it is the first writer's byte for byte (and the counts)."""
    fast, first = tmp_path / "fast.csv", tmp_path / "first.csv"
    counts = write_report(csv_path, ws, cp, fast, dry_run=dry_run)
    assert counts == report_oracle.write_report(csv_path, ws, cp, first, dry_run=dry_run)
    assert fast.read_bytes() == first.read_bytes()
    return fast.read_bytes()


@pytest.mark.parametrize(
    ("encoding", "delimiter", "ending"),
    [
        ("utf-8", ",", "\n"),
        ("utf-8-sig", ";", "\r\n"),
        ("cp1252", ";", "\r\n"),
        ("utf-16", "\t", "\r\n"),
        ("utf-8", "|", "\r"),
    ],
)
def test_encodings_delimiters_and_line_endings(tmp_path: Path, encoding: str, delimiter: str, ending: str) -> None:
    rows = [
        ["Email", "Name", "Note"],
        ["ann@example.com", "Zoë", "a,b"],
        ["bob@example.com", "-Bob", "x;y|z"],
        ["", "", ""],
        ["cy@example.com", "=1+1", 'say "hi"'],
        ["dee@example.com", "\tDee"],
    ]
    text = ending.join(delimiter.join(_quote(c, delimiter) for c in row) for row in rows) + ending
    csv_path = tmp_path / "in.csv"
    csv_path.write_bytes(text.encode(encoding))
    ws = Workspace(tmp_path / "data", "enc")
    _jsonl(ws.rejected_path, [(6, "rejected", "line 6 has 2 cells but the header has 3")])
    cp = Checkpoint(
        "enc", str(csv_path), "fp", [], {}, chunks=[ChunkState(0, 0, 3, 10, 2, 5, state=ChunkStatus.COMPLETE)]
    )
    _record_sent(ws, [2, 3, 5])
    report = _both(tmp_path, csv_path, ws, cp).decode("utf-8-sig")
    assert report.count("\n") == 6 and ",'-Bob," in report and '"a,b"' in report


def _quote(cell: str, delimiter: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in (delimiter, '"', "\n", "\r")) else cell


@pytest.mark.parametrize(
    "text",
    [
        "sep=;\nEmail;Name\na@example.com;=A\n",  # Excel's separator hint line
        "\n\n  \nEmail,Name\n\na@example.com,A\n\n",  # blank lines before the header and between rows
        "Email\na@example.com\n-b@example.com\n\n",  # a single column
        "Email,status,reason\n",  # a header alone: columns keep their names
        "Email,status\n,\n",  # only an empty row: the report's own columns are renamed
        'Email,Name\n"a@example.com","A\nB"\nb@example.com,"unclosed\n',  # a quote never closed
    ],
)
def test_odd_shapes_match_the_first_writer(tmp_path: Path, text: str) -> None:
    csv_path = tmp_path / "in.csv"
    csv_path.write_text(text, encoding="utf-8")
    ws = Workspace(tmp_path / "data", "odd")
    _record_sent(ws, [3])
    for cp in (
        Checkpoint("odd", str(csv_path), "fp", [], {}),  # nothing planned: pending without a reason
        Checkpoint(
            "odd", str(csv_path), "fp", [], {}, chunks=[ChunkState(0, 0, 1, 10, 3, 3, state=ChunkStatus.COMPLETE)]
        ),
    ):
        for dry_run in (False, True):
            try:
                report_oracle.write_report(csv_path, ws, cp, tmp_path / "first.csv", dry_run=dry_run)
            except CsvError:
                with pytest.raises(CsvError):
                    write_report(csv_path, ws, cp, tmp_path / "fast.csv", dry_run=dry_run)
                continue
            _both(tmp_path, csv_path, ws, cp, dry_run)


CELLS = ("", " ", "ann@example.com", "Zoë", "=1+1", "+33 1", "-", "-5", "@x", "\tx", "x\t", 'a"b', "a,b", "a;b",
         "x\ny", "x\r\ny", "\rz", "'q", "2024-01-10", "\u2028", "\x85", "\x0c")  # fmt: skip


def _random_file(rnd: random.Random, delimiter: str, width: int, rows: int) -> str:
    """Rows of every kind: plain, quoted, ragged, empty, blank, malformed, with mixed line endings."""
    header = [rnd.choice(("Email", "row", "status", "reason", "Name", "")) + str(i) * (i > 2) for i in range(width)]
    out = [delimiter.join(header)]
    for _ in range(rows):
        kind = rnd.random()
        if kind < 0.05:
            line = ""
        elif kind < 0.08:
            line = delimiter * (width - 1)
        elif kind < 0.1:
            line = f'"a{rnd.randrange(9)}"x' + delimiter * (width - 1)  # a stray quote: malformed
        else:
            n = width + (rnd.choice((-2, -1, 1, 2)) if kind < 0.15 else 0)
            plain = kind > 0.6
            cells = [rnd.choice(CELLS[:10] if plain else CELLS) for _ in range(max(n, 1))]
            line = delimiter.join(_quote(c, delimiter) if rnd.random() < 0.9 else f'"{c}"' for c in cells)
        out.append(line + rnd.choice(("\n", "\n", "\r\n", "\r")))
    text = "\n".join(out[:1]) + "\n" + "".join(out[1:])
    return text.rstrip("\r\n") if rnd.random() < 0.5 else text


def _random_workspace(rnd: random.Random, csv_path: Path, tmp: Path) -> tuple[Workspace, Checkpoint]:
    """Statuses for the file's rows as an import would leave them, with lines taken from the reader itself."""
    with CsvReader(csv_path) as reader:
        lines = sorted(
            line
            for chunk in reader
            for line in [*chunk.frame.index, *(r.line for r in chunk.ragged), *chunk.empty_lines]
        )
    ws = Workspace(tmp, f"ws{rnd.randrange(10**9)}")
    reasons = ("bad", "=formula", "a, b", 'say "x"', "multi\nline", "Zoë")
    _jsonl(ws.rejected_path, [(n, rnd.choice(STATUSES[1:4]), rnd.choice(reasons)) for n in lines if rnd.random() < 0.2])
    _jsonl(ws.klaviyo_path, [(n, "rejected_by_klaviyo", rnd.choice(reasons)) for n in lines if rnd.random() < 0.1])
    sent = [n for n in lines if rnd.random() < 0.7]
    chunks = []
    for i, start in enumerate(range(0, len(sent), 7)):
        part = sent[start : start + 7]
        state = rnd.choice((ChunkStatus.COMPLETE, ChunkStatus.COMPLETE, ChunkStatus.SUBMITTED, ChunkStatus.CANCELLED))
        chunks.append(ChunkState(i, 0, len(part), 10, part[0], part[-1], state=state))
    _record_sent(ws, sent)
    return ws, Checkpoint("r", str(csv_path), "fp", [], {}, chunks=chunks)


@pytest.mark.parametrize("seed", range(40))
def test_random_files_match_the_first_writer(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny blocks and batches, so records and runs of plain lines are cut at every possible place."""
    rnd = random.Random(seed)
    monkeypatch.setattr(report_rows, "READ_HINT", rnd.choice((1, 40, 300, 1 << 22)))
    monkeypatch.setattr(report_rows, "BATCH_ROWS", rnd.choice((1, 3, 50_000)))
    delimiter = rnd.choice((",", ",", ";", "\t", "|"))
    csv_path = tmp_path / "in.csv"
    text = _random_file(rnd, delimiter, rnd.randrange(1, 6), rnd.randrange(0, 120))
    csv_path.write_bytes(text.encode(rnd.choice(("utf-8", "utf-8-sig", "utf-16"))))
    try:
        ws, cp = _random_workspace(rnd, csv_path, tmp_path / "data")
    except CsvError:  # a quote never closed, or a delimiter the sniffer does not pick: nothing to compare
        return
    _both(tmp_path, csv_path, ws, cp, dry_run=rnd.random() < 0.2)


def test_a_nul_past_the_sniffed_sample_is_read_like_the_reader_reads_it(tmp_path: Path) -> None:
    """NUL bytes in the first 64 KB make the file 'binary'; later ones go to csv.reader, as in CsvReader."""
    plain = "".join(f"p{i}@example.com,Name{i}\n" for i in range(4000))  # ~90 KB
    csv_path = tmp_path / "in.csv"
    csv_path.write_text("Email,Name\n" + plain + "nul@example.com,A\x00B\n=x@example.com,end\n", encoding="utf-8")
    ws = Workspace(tmp_path / "data", "nul")
    cp = Checkpoint(
        "nul", str(csv_path), "fp", [], {}, chunks=[ChunkState(0, 0, 4002, 10, 2, 4003, state=ChunkStatus.COMPLETE)]
    )
    _record_sent(ws, list(range(2, 4004)))
    report = _both(tmp_path, csv_path, ws, cp).decode("utf-8-sig")
    assert report.endswith("4003,'=x@example.com,end,imported,,\n")
